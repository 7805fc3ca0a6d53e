"""The thin layer between a transport's decoded lines/events and our chunk types.

Transport framing is not ours: httpx's ``Response.aiter_lines()`` splits NDJSON (chunk boundaries,
partial UTF-8) and ``httpx-sse`` splits server-sent events. What we own is turning one line or one
event's data into a dict, and failing with a ``StreamDecodeError`` that names the offending text —
never a bare ``JSONDecodeError`` or ``KeyError`` reaching the UI.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any, Final

from .errors import ProviderError, StreamDecodeError
from .models import (
    ChatCompletion,
    ChatCompletionChunk,
    Choice,
    Message,
    ToolCall,
    Usage,
)


class _Done:
    """Marks the end of an SSE stream (``data: [DONE]``)."""

    def __repr__(self) -> str:
        return "STREAM_DONE"


STREAM_DONE: Final = _Done()
_EXCERPT = 120


def excerpt(text: str, limit: int = _EXCERPT) -> str:
    """A short, printable quote of untrusted text for an error message."""
    quoted = repr(text)
    return quoted if len(quoted) <= limit else quoted[: limit - 1] + "…"


def _error_message(error: object) -> str:
    if isinstance(error, dict):
        message = error.get("message") or error.get("error") or json.dumps(error)
        return str(message)
    return str(error)


def decode_json_line(line: str | bytes, *, provider: str) -> dict[str, Any] | None:
    """One NDJSON line -> its object; ``None`` for blank keep-alive lines.

    An ``{"error": ...}`` object is the server reporting a failure mid-stream (Ollama does this
    with HTTP 200), so it raises ``ProviderError`` with the server's own message.
    """
    if isinstance(line, bytes):
        line = line.decode("utf-8", errors="replace")
    text = line.strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise StreamDecodeError(
            f"malformed line in stream: {excerpt(text)}", provider=provider
        ) from None
    if not isinstance(value, dict):
        raise StreamDecodeError(
            f"expected a JSON object in stream, got {excerpt(text)}", provider=provider
        )
    if value.get("error"):
        raise ProviderError(_error_message(value["error"]), provider=provider, hint="")
    return value


def decode_sse_data(data: str, *, provider: str) -> dict[str, Any] | _Done | None:
    """One SSE event's ``data`` -> its object, ``STREAM_DONE`` for ``[DONE]``, ``None`` if empty."""
    if data.strip() == "[DONE]":
        return STREAM_DONE
    return decode_json_line(data, provider=provider)


async def aiter_json_lines(
    lines: AsyncIterable[str], *, provider: str
) -> AsyncIterator[dict[str, Any]]:
    """Objects from an async source of NDJSON lines (``Response.aiter_lines()``)."""
    async for line in lines:
        value = decode_json_line(line, provider=provider)
        if value is not None:
            yield value


class CompletionAccumulator:
    """Folds streamed chunks into one ``ChatCompletion``; also what keeps partial text on a cut."""

    def __init__(self, *, model: str, provider: str) -> None:
        self.model = model
        self.provider = provider
        self._parts: list[str] = []
        self.tool_calls: list[ToolCall] = []
        self.finish_reason: str | None = None
        self.usage: Usage | None = None
        self.metadata: dict[str, Any] = {}
        self.chunks = 0

    def add(self, chunk: ChatCompletionChunk) -> None:
        self.chunks += 1
        if chunk.choices:
            choice = chunk.choices[0]
            if choice.delta.content:
                self._parts.append(choice.delta.content)
            if choice.delta.tool_calls:
                self.tool_calls.extend(choice.delta.tool_calls)
            if choice.finish_reason:
                self.finish_reason = choice.finish_reason
        if chunk.usage is not None:
            self.usage = chunk.usage
        self.metadata.update(chunk.metadata)

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def result(self) -> ChatCompletion:
        message = Message(
            role="assistant",
            content=self.text,
            tool_calls=list(self.tool_calls) or None,
        )
        return ChatCompletion(
            model=self.model,
            provider=self.provider,
            choices=[Choice(message=message, finish_reason=self.finish_reason)],
            usage=self.usage,
            metadata=self.metadata,
        )
