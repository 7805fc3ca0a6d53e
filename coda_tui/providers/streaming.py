"""The thin layer between httpx's decoded text (or httpx-sse's events) and our chunk types.

httpx undoes chunked encoding and decodes UTF-8 across chunk boundaries (``Response.aiter_text()``),
and ``httpx-sse`` splits server-sent events. What we own is splitting NDJSON records, turning each
record into a dict (failing with a ``StreamDecodeError`` that names the offending text, never a
bare ``JSONDecodeError`` or ``KeyError`` reaching the UI), and handing over in one batch whatever
arrived since the consumer last asked: the one batching layer between the network and the screen.

We split records on ``\n`` ourselves instead of using ``Response.aiter_lines()`` for two reasons:
NDJSON separates records with ``\n`` only, while ``aiter_lines`` splits on every Unicode line
boundary, so a model that emits U+0085 (which Go's JSON encoder, and so Ollama, leaves raw inside a
string) would cut a record in half; and handing over every record that one network read brings as
one batch lets a provider merge them into one chunk, which is what keeps a fast stream cheap.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from typing import Any, Final, Generic, TypeVar, cast

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
T = TypeVar("T")
_EXCERPT = 120
BATCH_GATHER = 0.01
"""Seconds a stream's reader gathers tokens after handing over a batch. A fast model (1,000
tokens/s) would otherwise hand over every token alone, and each batch costs its decoding,
a chunk, a task switch and the consumer's work; answers are painted 20 times a second."""


DRAIN_AFTER_DONE = 0.5
"""Seconds a stream's body may take to end after the record that said the answer is done."""


async def drain(batches: AsyncIterator[object], timeout: float = DRAIN_AFTER_DONE) -> None:
    """Read what is left of a body after its last record, so that httpx can put the
    connection back in its pool: a response closed half-read closes its connection too, and the
    next request pays a new one. The end comes a moment after the last record; a server that
    holds on, or sends more, is cut off after ``timeout``, and nothing it sends counts."""
    with contextlib.suppress(Exception):
        async with asyncio.timeout(timeout):
            async for _ in batches:
                pass


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


class RecordSplitter:
    """Complete ``\n``-terminated records from text blocks; an unfinished tail waits for more."""

    def __init__(self) -> None:
        self._tail = ""

    def feed(self, text: str) -> list[str]:
        records = (self._tail + text).split("\n")
        self._tail = records.pop()
        return records

    def flush(self) -> list[str]:
        tail, self._tail = self._tail, ""
        return [tail] if tail.strip() else []


def _objects_together(records: list[str]) -> list[dict[str, Any]] | None:
    """A batch's records in one parse: a fast stream's batch is thousands of records, and one
    ``json.loads`` each was most of the cost of reading it. ``None`` unless every record is a
    JSON object without an error: the records are then decoded one by one, for the exact error
    and the objects before it. Each record must look like one object on its own, so that a line
    cut short cannot join with the next into one that parses."""
    texts = []
    for record in records:
        text = record.strip()
        if text:
            if text[0] != "{" or text[-1] != "}":
                return None
            texts.append(text)
    try:
        values = json.loads("[" + ",".join(texts) + "]")
    except (ValueError, RecursionError):
        return None
    if len(values) != len(texts):
        return None
    if not all(type(value) is dict and not value.get("error") for value in values):
        return None
    return cast("list[dict[str, Any]]", values)


class _BatchDecoder(Generic[T]):
    """Decodes records to objects; on a bad record, hands over what came before it first."""

    def __init__(self, provider: str, decode: Callable[..., T | None]) -> None:
        self.provider = provider
        self._decode = decode
        self.error: ProviderError | None = None

    def decode(self, records: list[str]) -> list[T]:
        together = _objects_together(records) if len(records) > 1 else None
        if together is not None:
            return cast("list[T]", together)
        batch: list[T] = []
        for record in records:
            try:
                value = self._decode(record, provider=self.provider)
            except ProviderError as exc:
                self.error = exc
                break
            if value is not None:
                batch.append(value)
        return batch


async def arrivals(source: AsyncIterable[T], *, gather: float = 0.0) -> AsyncIterator[list[T]]:
    """Everything ``source`` produced since the consumer last asked, as one list.

    httpx yields one piece per HTTP chunk, and servers flush one chunk per token, so a fast
    stream is thousands of pieces. A background task drains ``source`` into a list as fast as
    the socket delivers; the consumer takes all of it at once, so per-piece work (decoding,
    building chunks, painting) is paid per batch. Errors from ``source`` arrive after the items
    that preceded them; closing the consumer cancels the task. With ``gather``, the consumer
    waits that long after each batch (less if the source ends) so the next one is bigger.
    """
    pending: list[T] = []
    ready = asyncio.Event()
    failure: list[BaseException] = []

    async def pump() -> None:
        try:
            async for item in source:
                pending.append(item)
                ready.set()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # handed to the consumer, which raises it in its task
            failure.append(exc)
        finally:
            ready.set()

    task = asyncio.create_task(pump())
    try:
        while True:
            await ready.wait()
            ready.clear()
            if pending:
                items = pending[:]
                pending.clear()
                yield items
                if gather and not task.done():  # let the next batch grow, unless it ends
                    await asyncio.wait((task,), timeout=gather)
            if task.done() and not pending:
                if failure:
                    raise failure[0]
                return
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


class Inbox(Generic[T]):
    """What a blocking reader thread hands to the event loop, taken in batches.

    The loop is woken once per batch, when the inbox goes from empty to not empty, not once per
    item: a wake-up is a syscall and a GIL hand-off, and a stream has thousands of items.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: list[T] = []
        self._lock = threading.Lock()
        self._ready = asyncio.Event()

    def put(self, item: T) -> None:
        """From any thread."""
        with self._lock:
            self._items.append(item)
            first = len(self._items) == 1
        if first:
            self._loop.call_soon_threadsafe(self._ready.set)

    async def take(self, timeout: float | None = None) -> list[T]:
        """Everything put so far (possibly nothing, after a late wake-up); TimeoutError when
        nothing came within ``timeout``."""
        await asyncio.wait_for(self._ready.wait(), timeout)
        with self._lock:
            items, self._items = self._items, []
            self._ready.clear()
        return items


async def aiter_json_batches(
    texts: AsyncIterable[str], *, provider: str
) -> AsyncIterator[list[dict[str, Any]]]:
    """The NDJSON objects completed since the last batch (``Response.aiter_text()`` in)."""
    splitter = RecordSplitter()
    decoder = _BatchDecoder(provider, decode_json_line)
    async for blocks in arrivals(texts, gather=BATCH_GATHER):
        batch = decoder.decode(splitter.feed("".join(blocks)))
        if batch:
            yield batch
        if decoder.error is not None:
            raise decoder.error
    batch = decoder.decode(splitter.flush())
    if batch:
        yield batch
    if decoder.error is not None:
        raise decoder.error


async def aiter_sse_batches(
    events: AsyncIterable[str], *, provider: str
) -> AsyncIterator[list[dict[str, Any] | _Done]]:
    """The SSE events (JSON objects, ``STREAM_DONE``) completed since the last batch; in, each
    event's ``data`` as ``httpx-sse`` parsed it (comments and keep-alives never reach here)."""
    decoder: _BatchDecoder[dict[str, Any] | _Done] = _BatchDecoder(provider, decode_sse_data)
    async for datas in arrivals(events, gather=BATCH_GATHER):
        batch = decoder.decode(datas)
        if batch:
            yield batch
        if decoder.error is not None:
            raise decoder.error


def iter_json_batches(texts: Iterable[str], *, provider: str) -> Iterator[list[dict[str, Any]]]:
    """The blocking twin of ``aiter_json_batches`` (``Response.iter_text()``)."""
    splitter = RecordSplitter()
    decoder = _BatchDecoder(provider, decode_json_line)
    for records in itertools.chain((splitter.feed(text) for text in texts), [None]):
        batch = decoder.decode(splitter.flush() if records is None else records)
        if batch:
            yield batch
        if decoder.error is not None:
            raise decoder.error


APPENDED_METADATA = frozenset({"thinking"})
"""Metadata that streams in pieces, like the text: each chunk's piece is added, not replaced."""


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
        for key, value in chunk.metadata.items():
            if key in APPENDED_METADATA and isinstance(value, str):
                value = self.metadata.get(key, "") + value
            self.metadata[key] = value

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
