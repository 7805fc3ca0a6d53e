from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coda_tui.providers import ProviderError, StreamDecodeError
from coda_tui.providers.streaming import (
    STREAM_DONE,
    RecordSplitter,
    _BatchDecoder,
    aiter_json_batches,
    aiter_sse_batches,
    arrivals,
    decode_json_line,
    decode_sse_data,
    iter_json_batches,
)


def test_blank_and_keepalive_lines_are_skipped() -> None:
    assert decode_json_line("", provider="p") is None
    assert decode_json_line("   \r", provider="p") is None
    assert decode_json_line(b'{"a": 1}\n', provider="p") == {"a": 1}


def test_done_marker() -> None:
    assert decode_sse_data("[DONE]", provider="p") is STREAM_DONE
    assert decode_sse_data('{"x": 2}', provider="p") == {"x": 2}


def test_malformed_line_names_the_offending_text() -> None:
    with pytest.raises(StreamDecodeError) as caught:
        decode_json_line('{"message": {"content": "hi"', provider="ollama")
    assert "malformed line" in str(caught.value)
    assert '{"message"' in str(caught.value)
    assert str(caught.value).startswith("ollama: ")


def test_long_offending_text_is_truncated() -> None:
    with pytest.raises(StreamDecodeError) as caught:
        decode_json_line("x" * 10_000, provider="p")
    assert len(caught.value.message) < 200


def test_non_object_line_is_rejected() -> None:
    with pytest.raises(StreamDecodeError, match="expected a JSON object"):
        decode_json_line("[1, 2]", provider="p")


def test_error_object_becomes_provider_error_with_server_message() -> None:
    with pytest.raises(ProviderError) as caught:
        decode_json_line('{"error": "pull model manifest: file does not exist"}', provider="o")
    assert caught.value.message == "pull model manifest: file does not exist"
    with pytest.raises(ProviderError, match="rate limited"):
        decode_json_line('{"error": {"message": "rate limited", "code": 429}}', provider="o")


@given(st.text())
def test_any_text_gives_a_dict_none_or_provider_error(line: str) -> None:
    try:
        result = decode_json_line(line, provider="fuzz")
    except ProviderError:
        return
    assert result is None or isinstance(result, dict)


@given(st.binary())
def test_any_bytes_give_a_dict_none_or_provider_error(line: bytes) -> None:
    try:
        result = decode_json_line(line, provider="fuzz")
    except ProviderError:
        return
    assert result is None or isinstance(result, dict)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
)


@given(json_values)
def test_json_values_round_trip_or_raise_provider_error(value: object) -> None:
    line = json.dumps(value)
    try:
        result = decode_json_line(line, provider="fuzz")
    except ProviderError:
        return
    if result is not None:
        assert result == value


# -- over a real HTTP stream --------------------------------------------------------------------


async def _serve(
    payload: bytes, piece: int, content_type: bytes = b"application/x-ndjson"
) -> tuple[asyncio.Server, int]:
    """A loopback HTTP/1.1 server sending ``payload`` chunked in ``piece``-byte bits."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type + b"\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for start in range(0, len(payload), piece):
            bit = payload[start : start + piece]
            writer.write(f"{len(bit):x}\r\n".encode() + bit + b"\r\n")
            await writer.drain()
            await asyncio.sleep(0)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.parametrize("piece", [1, 3, 7, 4096])
async def test_ndjson_over_httpx_survives_any_chunk_boundary(piece: int) -> None:
    objects = [{"message": {"content": word}} for word in ["héllo", " wörld", " 🚀", ""]]
    payload = b"\n".join(json.dumps(o, ensure_ascii=False).encode() for o in objects) + b"\n\n"
    server, port = await _serve(payload, piece)
    async with (
        server,
        httpx.AsyncClient() as client,
        client.stream("GET", f"http://127.0.0.1:{port}/") as response,
    ):
        batches = [b async for b in aiter_json_batches(response.aiter_text(), provider="t")]
    assert [o for batch in batches for o in batch] == objects


async def test_error_line_mid_stream_raises_after_earlier_objects() -> None:
    payload = b'{"n": 1}\n{"n": 2}\n{"error": "model crashed"}\n'
    server, port = await _serve(payload, 5)
    got: list[dict] = []

    async def consume(texts: AsyncIterator[str]) -> None:
        async for batch in aiter_json_batches(texts, provider="t"):
            got.extend(batch)

    async with (
        server,
        httpx.AsyncClient() as client,
        client.stream("GET", f"http://127.0.0.1:{port}/") as response,
    ):
        with pytest.raises(ProviderError, match="model crashed"):
            await consume(response.aiter_text())
    assert got == [{"n": 1}, {"n": 2}]


# -- record splitting and batching ----------------------------------------------------------------


records = st.lists(st.text().filter(lambda t: "\n" not in t), max_size=20)


@given(records, st.lists(st.integers(min_value=0, max_value=400), max_size=20))
def test_splitter_recovers_every_record_whatever_the_pieces(
    parts: list[str], cuts: list[int]
) -> None:
    text = "".join(part + "\n" for part in parts)
    points = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    splitter = RecordSplitter()
    out: list[str] = []
    for start, end in itertools.pairwise(points):
        out.extend(splitter.feed(text[start:end]))
    out.extend(splitter.flush())
    assert [r for r in out if r.strip()] == [p for p in parts if p.strip()]


def test_unicode_line_separators_stay_inside_a_record() -> None:
    # Go's JSON encoder (Ollama's) leaves U+0085 raw inside strings; str.splitlines would split.
    content = "a\x85b\u2028c"
    line = '{"message": {"content": "' + content + '"}}'
    assert len(line.splitlines()) == 3
    [[obj]] = list(iter_json_batches([line + "\n"], provider="t"))
    assert obj["message"]["content"] == content


def test_sync_batches_hand_over_objects_before_an_error() -> None:
    texts = ['{"n": 1}\n{"n": 2}\n{"err', 'or": "boom"}\n{"n": 3}\n']
    batches = iter_json_batches(texts, provider="t")
    assert next(batches) == [{"n": 1}, {"n": 2}]
    with pytest.raises(ProviderError, match="boom"):
        next(batches)


async def test_arrivals_batches_what_is_ready_and_keeps_order() -> None:
    async def burst() -> AsyncIterator[int]:
        for i in range(10):
            yield i  # never suspends: all ten are ready at once
        await asyncio.sleep(0.01)
        yield 10

    batches = [batch async for batch in arrivals(burst())]
    assert batches == [list(range(10)), [10]]


async def test_arrivals_raises_after_delivering_earlier_items() -> None:
    async def failing() -> AsyncIterator[int]:
        yield 1
        await asyncio.sleep(0)
        raise ValueError("cut")

    got: list[int] = []
    with pytest.raises(ValueError, match="cut"):
        async for batch in arrivals(failing()):
            got.extend(batch)
    assert got == [1]


async def test_closing_arrivals_stops_the_source() -> None:
    closed = asyncio.Event()

    async def endless() -> AsyncIterator[int]:
        try:
            while True:
                yield 1
                await asyncio.sleep(0.001)
        finally:
            closed.set()

    stream = arrivals(endless())
    assert await stream.__anext__()
    await stream.aclose()
    assert closed.is_set()


async def test_inbox_hands_a_threads_items_over_in_order_and_in_batches() -> None:
    import asyncio
    import threading

    from coda_tui.providers.streaming import Inbox

    inbox: Inbox[int] = Inbox(asyncio.get_running_loop())
    thread = threading.Thread(target=lambda: [inbox.put(i) for i in range(20_000)])
    thread.start()
    received: list[int] = []
    takes = 0
    while len(received) < 20_000:
        received += await inbox.take(timeout=5)
        takes += 1
    thread.join()
    assert received == list(range(20_000))
    assert takes < 20_000 / 10  # woken per batch, not per item
    with pytest.raises(TimeoutError):
        await inbox.take(timeout=0.05)


@pytest.mark.parametrize("piece", [1, 3, 7, 4096])
async def test_sse_over_httpx_sse_survives_any_chunk_boundary(piece: int) -> None:
    """Events as httpx-sse parses them (comments, multi-line data, CRLF) become our objects."""
    from httpx_sse import EventSource

    payload = (
        b": keep-alive\r\n\r\nevent: message\r\n"
        + "".join(f"data: {json.dumps({'n': n, 'w': 'ü🚀'})}\r\n\r\n" for n in range(6)).encode()
        + b'data: {"a":\ndata: 1}\nid: 7\n\n: ping\n\ndata: [DONE]\n\n'
    )
    server, port = await _serve(payload, piece, content_type=b"text/event-stream")
    async with (
        server,
        httpx.AsyncClient() as client,
        client.stream("GET", f"http://127.0.0.1:{port}/") as response,
    ):
        events = (event.data async for event in EventSource(response).aiter_sse())
        batches = [b async for b in aiter_sse_batches(events, provider="t")]
    got = [item for batch in batches for item in batch]
    assert got == [{"n": n, "w": "ü🚀"} for n in range(6)] + [{"a": 1}, STREAM_DONE]


async def test_a_trickle_is_gathered_into_few_batches_and_its_end_is_not_held() -> None:
    """Tokens a millisecond apart (a fast model) come in batches, not one by one; when the
    source ends, the last batch comes at once rather than after the gathering pause."""
    loop = asyncio.get_running_loop()
    ended = 0.0

    async def trickle() -> AsyncIterator[int]:
        nonlocal ended
        for i in range(100):
            yield i
            await asyncio.sleep(0.001)
        ended = loop.time()

    batches = []
    async for batch in arrivals(trickle(), gather=0.03):
        batches.append(batch)
    handed_over = loop.time()
    assert [i for batch in batches for i in batch] == list(range(100))
    assert len(batches) < 25  # about 100 without gathering
    assert handed_over - ended < 0.02


record_texts = st.one_of(
    st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=3).map(
        json.dumps
    ),
    st.sampled_from(["", "  ", '{"error": "boom"}', '{"error": ""}', "[1]", "3", "[DONE]"]),
    st.sampled_from(['{"a": [1', '2]}, {"b": 3}', "{", "}", ",", '"x"', "nope"]),
    st.text(max_size=8).filter(lambda t: "\n" not in t),
)


@pytest.mark.parametrize("decode", [decode_json_line, decode_sse_data])
@given(st.lists(record_texts, max_size=12))
def test_a_batch_decodes_as_its_records_do_one_by_one(
    decode: Callable[..., object], records: list[str]
) -> None:
    """A batch is parsed at once when it can be; what comes out (objects, then the error of the
    first bad record) is what decoding each record alone gives."""
    together: _BatchDecoder[object] = _BatchDecoder("t", decode)
    batch = together.decode(records)
    alone: _BatchDecoder[object] = _BatchDecoder("t", decode)
    expected: list[object] = []
    for record in records:
        expected += alone.decode([record])
        if alone.error is not None:
            break
    assert batch == expected
    assert str(together.error) == str(alone.error)
