"""LeanTransport against a raw TCP server on 127.0.0.1 that writes exactly the bytes a test gives
it: HTTP/1.1 framing (chunked, Content-Length, to the end of the connection), responses cut
short or malformed, and the reads a fast stream is gathered into. The providers' own tests
drive it against the Ollama and OpenAI-compatible servers."""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest

from coda_tui.providers.transport import async_client, uses_lean_transport

Reply = Callable[[asyncio.StreamWriter], Awaitable[None]]


class Recorded:
    def __init__(self) -> None:
        self.requests: list[bytes] = []


@asynccontextmanager
async def server(reply: Reply) -> AsyncIterator[tuple[str, Recorded]]:
    """A server that reads one request (head and Content-Length body), then runs ``reply``."""
    recorded = Recorded()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        recorded.requests.append(head + await reader.readexactly(length))
        try:
            await reply(writer)
            await writer.drain()
        finally:
            writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    async with listening:
        yield f"http://127.0.0.1:{port}", recorded


def sends(*parts: bytes, pause: float = 0.0) -> Reply:
    async def reply(writer: asyncio.StreamWriter) -> None:
        for part in parts:
            writer.write(part)
            await writer.drain()
            if pause:
                await asyncio.sleep(pause)

    return reply


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


OK_CHUNKED = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"


async def body_of(url: str, method: str = "GET", **kwargs: object) -> tuple[httpx.Response, bytes]:
    async with (
        async_client(url, timeout=5) as client,
        client.stream(method, "/x", **kwargs) as response,  # type: ignore[arg-type]
    ):
        assert uses_lean_transport(client)
        return response, b"".join([piece async for piece in response.aiter_bytes()])


async def test_the_request_goes_out_whole_and_asks_to_close() -> None:
    async with (
        server(sends(b"HTTP/1.1 204 No Content\r\n\r\n")) as (url, recorded),
        async_client(url, timeout=5, headers={"X-Key": "k"}) as client,
    ):
        response = await client.post("/api/chat?stream=1", json={"model": "m"})
    assert response.status_code == 204 and response.content == b""
    head, _, body = recorded.requests[0].partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /api/chat?stream=1 HTTP/1.1"
    assert b"x-key: k" in [line.lower() for line in lines]
    assert f"host: {url.removeprefix('http://')}".encode() in [line.lower() for line in lines]
    assert b"connection: close" in [line.lower() for line in lines]
    assert sum(line.lower().startswith(b"connection:") for line in lines) == 1
    assert body == b'{"model":"m"}'


@pytest.mark.parametrize("pause", [0.0, 0.003])
async def test_chunks_split_anywhere_arrive_whole(pause: float) -> None:
    pieces = [b"alpha ", b"beta\r\n", b"", b"x" * 70_000, b"omega"]
    wire = chunked(*[p for p in pieces if p])
    parts = [wire[i : i + 7] for i in range(0, len(wire), 7)]  # cuts inside sizes and CRLFs
    async with server(sends(OK_CHUNKED, *parts[:50], b"".join(parts[50:]), pause=pause)) as (
        url,
        _,
    ):
        response, body = await body_of(url)
    assert response.status_code == 200 and response.headers["content-type"] == "text/plain"
    assert body == b"".join(pieces)


async def test_chunk_extensions_and_trailers_are_read_past() -> None:
    wire = b"5;name=value\r\nhello\r\n0\r\nExpires: never\r\n\r\n"
    async with server(sends(OK_CHUNKED, wire)) as (url, _):
        _, body = await body_of(url)
    assert body == b"hello"


async def test_a_fast_stream_arrives_in_few_reads() -> None:
    """A server flushing 2,000 one-token chunks: the reader takes them as they gather (each
    read would otherwise be a wake-up and a pass through the parser per token)."""

    async def reply(writer: asyncio.StreamWriter) -> None:
        writer.write(OK_CHUNKED)
        for index in range(2000):
            writer.write(chunked(b"token%d " % index)[:-5])  # no last-chunk marker yet
            if index % 10 == 0:
                await writer.drain()
                await asyncio.sleep(0)
        writer.write(b"0\r\n\r\n")

    async with (
        server(reply) as (url, _),
        async_client(url, timeout=5) as client,
        client.stream("GET", "/x") as response,
    ):
        reads = [piece async for piece in response.aiter_raw()]
    assert b"".join(reads) == b"".join(b"token%d " % i for i in range(2000))
    assert len(reads) <= 40  # 2,000 one per chunk; ~100 one per arrival (READ_HOLD = 0)


async def test_content_length_and_close_delimited_bodies() -> None:
    async with server(sends(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", b"lo")) as (
        url,
        _,
    ):
        _, body = await body_of(url)
    assert body == b"hello"
    async with server(sends(b"HTTP/1.0 200 OK\r\n\r\nuntil ", b"the end")) as (url, _):
        _, body = await body_of(url)
    assert body == b"until the end"


async def test_head_and_interim_responses_have_no_body() -> None:
    async with server(sends(b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n")) as (url, _):
        response, body = await body_of(url, "HEAD")
    assert response.status_code == 200 and body == b""
    interim = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    async with server(sends(interim)) as (url, _):
        response, body = await body_of(url, "POST", content=b"x")
    assert response.status_code == 201 and body == b"ok"


async def test_gzip_bodies_are_decoded_by_httpx() -> None:
    packed = gzip.compress(b'{"data": []}')
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(packed)
    async with server(sends(head + packed)) as (url, _), async_client(url, timeout=5) as client:
        response = await client.get("/models")
    assert response.json() == {"data": []}


@pytest.mark.parametrize(
    ("reply", "message"),
    [
        (OK_CHUNKED + b"5\r\nhel", "closed the connection mid-message"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", "closed the connection"),
        (OK_CHUNKED + b"zz\r\nhello\r\n", "malformed chunk size"),
        (OK_CHUNKED + b"3\r\nhello\r\n0\r\n\r\n", "does not end where its size said"),
        (b"SMTP ready\r\n\r\n", "not an HTTP/1.1 status line"),
        (b"", "without a reply"),
    ],
)
async def test_broken_responses_are_protocol_errors(reply: bytes, message: str) -> None:
    async with server(sends(reply)) as (url, _):
        with pytest.raises(httpx.RemoteProtocolError, match=message) as caught:
            await body_of(url)
    assert isinstance(caught.value, httpx.TransportError)  # what the providers catch
    assert caught.value.request.url.path == "/x"


async def test_a_silent_server_times_out_and_a_closed_port_refuses() -> None:
    async def silent(writer: asyncio.StreamWriter) -> None:
        writer.write(OK_CHUNKED)
        await asyncio.sleep(2)

    async with server(silent) as (url, _), async_client(url, timeout=0.2) as client:
        with pytest.raises(httpx.ReadTimeout):
            async with client.stream("GET", "/x") as response:
                await response.aread()
    async with async_client("http://127.0.0.1:1", timeout=2) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("/x")


async def test_stopping_a_stream_closes_its_connection() -> None:
    closed = asyncio.Event()

    async def endless(writer: asyncio.StreamWriter) -> None:
        writer.write(OK_CHUNKED)
        try:
            while True:
                writer.write(chunked(b"more")[:-5])
                await writer.drain()
                await asyncio.sleep(0.005)
        except ConnectionError:
            closed.set()

    async with server(endless) as (url, _), async_client(url, timeout=5) as client:
        async with client.stream("GET", "/x") as response:
            async for _piece in response.aiter_raw():
                break
        await asyncio.wait_for(closed.wait(), 5)
