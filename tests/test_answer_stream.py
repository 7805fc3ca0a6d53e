"""The answer pipeline chat and compare share, driven without Textual through a plain view."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

from coda_tui.providers import ProviderFactory
from coda_tui.services.answer_stream import AnswerStream
from coda_tui.services.chat_session import ChatParams, ChatSession
from coda_tui.store import ChatStore


class PlainView:
    """What a message widget is told, written down."""

    def __init__(self) -> None:
        self.text = ""
        self.errors: list[tuple[str, str]] = []
        self.status = ""
        self.finished = False

    def feed(self, text: str) -> None:
        self.text += text

    async def show_error(self, message: str, hint: str) -> None:
        self.errors.append((message, hint))

    async def finish(self) -> None:
        self.finished = True

    def set_status(self, status: str) -> None:
        self.status = status


def session(store: ChatStore | None, **params: object) -> ChatSession:
    chat = ChatSession(store, "mock", "mock-1", ChatParams(**params))  # type: ignore[arg-type]
    chat.add_user("Hi, my name is Ada")
    return chat


async def mounted() -> None:
    return None


async def test_an_answer_streams_saves_and_counts(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "h.sqlite3")
    chat = session(store)
    answer = AnswerStream(chat, ProviderFactory({"providers": {"mock": {"delay": 0}}}))
    view = PlainView()
    assert await answer.run(view, mounted) == "complete"
    assert view.text.startswith("Hello, Ada!") and view.finished and view.status == "complete"
    assert chat.record is not None
    saved = store.messages(chat.record.id)[-1]
    assert (saved.content, saved.status) == (view.text, "complete")
    assert answer.metrics.output_tokens > 0 and saved.metrics["output_tokens"]


async def test_a_cut_keeps_the_text_and_max_tokens_is_named() -> None:
    cut = {"providers": {"mock": {"delay": 0, "fail_after": 2}}}
    view = PlainView()
    assert await AnswerStream(session(None), ProviderFactory(cut)).run(view, mounted) == "error"
    assert view.text and view.errors and view.errors[0][0].startswith("mock:")
    short = {"providers": {"mock": {"delay": 0}}}
    limited = AnswerStream(session(None, max_tokens=2), ProviderFactory(short))
    assert await limited.run(PlainView(), mounted) == "length"


async def test_cancelling_keeps_what_came_as_stopped() -> None:
    slow = {"providers": {"mock": {"delay": 0.05, "reply": "one two three four five six"}}}
    chat = session(None)
    answer = AnswerStream(chat, ProviderFactory(slow))
    view = PlainView()
    task = asyncio.ensure_future(answer.run(view, mounted))
    while not view.text:
        await asyncio.sleep(0.01)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert view.status == "stopped" and chat.turns[-1].status == "stopped"
    assert chat.turns[-1].content == view.text != ""


async def test_progress_is_told_as_tokens_arrive_and_no_more_often_than_it_can_be_read() -> None:
    """Live figures come from the stream itself: the first token at once, then at most every
    PROGRESS_EVERY; a screen with nothing streaming runs no timer for them."""
    from coda_tui.services.answer_stream import PROGRESS_EVERY

    reply = " ".join(f"w{n}" for n in range(40))
    slow = {"providers": {"mock": {"delay": 0.01, "reply": reply}}}
    answer = AnswerStream(session(None), ProviderFactory(slow))
    calls: list[tuple[float, int]] = []
    loop = asyncio.get_running_loop()

    def progress() -> None:
        calls.append((loop.time(), answer.metrics.characters))

    assert await answer.run(PlainView(), mounted, progress) == "complete"
    assert calls[0][1] == len("w0")  # the first token: TTFT shows at once
    gaps = [later[0] - earlier[0] for earlier, later in itertools.pairwise(calls)]
    assert all(gap >= PROGRESS_EVERY - 0.005 for gap in gaps)
    assert 2 <= len(calls) <= 8  # about 0.4 s of tokens: a few calls, not forty
