"""One answer, from request to saved turn: the pipeline the chat and every compare pane share.

The request goes out before the view is mounted, so connecting overlaps the UI work; the answer
is saved as it streams; a provider error is shown in the view with its fix, and any other error
costs this one answer, never the app. Cancelling (Esc) keeps what arrived, marked "stopped".
No Textual here: the screen hands in a view that takes text, an error and the end.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from ..providers import (
    ChatCompletionChunk,
    Message,
    Pricing,
    ProviderError,
    ProviderFactory,
    ToolCall,
)
from .chat_session import ChatSession
from .metrics import StreamMetrics
from .tool_rounds import ToolRound, ToolRunner, ToolStep, denied_text, round_messages


class AnswerView(Protocol):
    """Where an answer shows (a message widget): it is told, it never asks."""

    def feed(self, text: str) -> None: ...

    async def show_error(self, message: str, hint: str) -> None: ...

    async def finish(self) -> None: ...

    def set_status(self, status: str) -> None: ...


_streams = 0
_thresholds: tuple[int, int, int] | None = None
RESUME_AFTER = 0.5
"""Seconds full collections wait after the last answer ends: its final frames come first."""
NEVER = 1 << 30
PROGRESS_EVERY = 0.1
"""Seconds between two progress calls while tokens arrive: figures a person can read."""


@asynccontextmanager
async def collection_paused() -> AsyncIterator[None]:
    """No full garbage collection while any answer streams.

    A full collection walks every object the app has made: 20-70 ms here once two answers
    are on screen, a stall in the middle of a frame. The young generations are still
    collected (a fraction of a millisecond each), so a long stream's cyclic garbage does not
    pile up; the full collection waits until the answers are on screen.
    """
    global _streams, _thresholds
    _streams += 1
    if _thresholds is None:
        _thresholds = gc.get_threshold()
        gc.set_threshold(_thresholds[0], _thresholds[1], NEVER)
    try:
        yield
    finally:
        _streams -= 1
        asyncio.get_running_loop().call_later(RESUME_AFTER, _resume_collection)


def _resume_collection() -> None:
    global _thresholds
    if _streams == 0 and _thresholds is not None:
        gc.set_threshold(*_thresholds)
        _thresholds = None


class AnswerStream:
    """The session's next answer: its request and turn are taken when it is made, so the view
    can be built for the turn before the answer starts. With ``tools`` (a runner), the model may
    call tools: each call is decided, run and answered, round after round, in the same turn."""

    def __init__(
        self,
        session: ChatSession,
        factory: ProviderFactory,
        pricing: Pricing | None = None,
        tools: ToolRunner | None = None,
    ) -> None:
        self.session = session
        self.factory = factory
        self.request = session.request_messages()
        self.turn = session.begin_answer()
        self.metrics = StreamMetrics(pricing=pricing)
        self.tools = tools
        self.rounds: list[ToolRound] = []
        self.note = ""
        """Said after the answer (the round limit was reached)."""

    def _open(self, messages: list[Message]) -> AsyncIterator[ChatCompletionChunk]:
        session = self.session
        provider = self.factory.create(session.provider)
        definitions = self.tools.definitions() if self.tools else []
        return provider.achat_stream(
            messages,
            model=session.model or None,
            temperature=session.params.temperature,
            max_tokens=session.params.max_tokens,
            **({"tools": definitions} if definitions else {}),
        )

    @collection_paused()
    async def run(
        self,
        view: AnswerView,
        mount: Callable[[], Awaitable[object]],
        progress: Callable[[], None] | None = None,
    ) -> str:
        """Stream into ``view`` (``mount`` shows it); returns how it ended, as ``turn.status``:
        complete, length, stopped or error. ``progress`` is called as tokens arrive (the first
        at once, then at most every ``PROGRESS_EVERY``), so live figures need no timer and an
        idle screen does no work."""
        session, turn, metrics = self.session, self.turn, self.metrics
        parts: list[str] = []
        status = "stopped"
        stream: AsyncIterator[ChatCompletionChunk] | None = None
        first: asyncio.Future[ChatCompletionChunk | None] | None = None
        messages = list(self.request)
        try:
            try:
                stream = self._open(messages)
                first = asyncio.ensure_future(anext(stream, None))  # the request goes out now
            finally:
                await mount()
            told = -PROGRESS_EVERY
            while True:
                round_start = len(parts)
                calls: list[ToolCall] = []
                chunk = await first
                finish = None
                while chunk is not None:
                    metrics.on_chunk(chunk)
                    if progress and chunk.content and time.monotonic() - told >= PROGRESS_EVERY:
                        told = time.monotonic()
                        progress()
                    finish = chunk.finish_reason or finish
                    if chunk.content:
                        parts.append(chunk.content)
                        view.feed(chunk.content)
                        session.update_answer(turn, parts)
                    calls += chunk.tool_calls
                    chunk = await anext(stream, None)
                status = "length" if finish == "length" else "complete"
                if not calls or self.tools is None:
                    break
                if len(self.rounds) >= self.tools.max_rounds:
                    self.note = f"stopped after {len(self.rounds)} rounds of tool calls"
                    status = "length"
                    break
                status = "stopped"  # until the model has answered after its tools
                round_ = ToolRound("".join(parts[round_start:]))
                self.rounds.append(round_)
                left = metrics.now()
                for call in calls:
                    round_.steps.append(await self._step(call))
                metrics.next_round(metrics.now() - left)
                messages += round_messages(round_)
                await stream.aclose()  # type: ignore[attr-defined]
                stream = self._open(messages)
                first = asyncio.ensure_future(anext(stream, None))
        except ProviderError as error:
            status = "error"
            partial = getattr(error, "partial_text", "")
            if partial and not parts:
                parts.append(partial)
                view.feed(partial)
            where = error.provider or session.provider
            await view.show_error(f"{where}: {error.message}", error.hint or "")
        except Exception as error:  # a bug must cost one answer, never the app or the chat
            status = "error"
            await view.show_error(
                f"unexpected error: {type(error).__name__}: {error}",
                "this is a bug in coda-tui; the chat is saved, please report it",
            )
        finally:
            if first is not None and not first.done():
                first.cancel()
                await asyncio.gather(first, return_exceptions=True)
            if stream is not None:
                await stream.aclose()  # type: ignore[attr-defined]
            metrics.finish()
            await view.finish()
            saved = metrics.as_dict()
            if self.rounds:
                saved["tools"] = [round_.as_dict() for round_ in self.rounds]
            session.end_answer(turn, "".join(parts), status, saved)
            view.set_status(status)
        return status

    async def _step(self, call: ToolCall) -> ToolStep:
        """One call: asked about (unless always allowed), run or refused, shown as done."""
        assert self.tools is not None
        arguments = call.function.parsed_arguments()
        decision = await self.tools.decide(call)
        if decision.allow:
            text, failed = await self.tools.run(call)
            verdict = "always" if decision.always else "allowed"
        else:
            text, failed, verdict = denied_text(decision.reason), True, "denied"
        step = ToolStep(call.id, call.function.name, arguments, verdict, text, failed)
        self.tools.done(call, step)
        return step
