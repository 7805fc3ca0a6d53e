"""httpx clients whose plain-HTTP responses are read in few, large pieces.

A model server flushes every token, so a fast local stream is thousands of TCP segments and as
many HTTP chunks. httpx's own stack wakes a task and runs its pure-Python HTTP parser for each:
~0.07 s of CPU for a 5,000-token answer, on the UI's thread. ``LeanTransport`` is an httpx
transport for plain HTTP that lets the socket gather for ``READ_HOLD`` after each arrival (the
next read takes all a fast server sent meanwhile, not one token) and takes every complete chunk
in the buffer in one pass: the same answer costs ~0.01 s.

It speaks HTTP/1.1 over plain TCP, one connection per request (``Connection: close``: a local
connection costs a fraction of a millisecond). Clients for ``https://`` keep httpx's own
transport and its TLS, and so do proxies from the environment, which httpx mounts itself.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx

READ_HOLD = 0.002
"""Seconds a connection leaves its socket unread after data arrives. A fast server's tokens
gather in the kernel meanwhile, and one read takes them all; the delay is far below a frame."""
HIGH_WATER = 1 << 20
"""Bytes buffered before the socket is left unread until the reader catches up."""
_LONGEST_HEAD = 1 << 16
_LONGEST_SIZE_LINE = 1 << 10
PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")
_FRAMING_FIELDS = (b"connection", b"keep-alive", b"transfer-encoding", b"content-length")


class _Buffered(asyncio.Protocol):
    """A connection's incoming bytes, kept until the reader takes them."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[None] | None = None
        self.eof = False
        self.error: BaseException | None = None
        self.transport: asyncio.Transport | None = None
        self.holding = False  # unread for READ_HOLD since the last arrival
        self.full = False  # over HIGH_WATER: unread until the reader catches up
        self.drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.transport is not None and not self.holding:
            self.holding = True
            self.transport.pause_reading()
            asyncio.get_running_loop().call_later(READ_HOLD, self._hold_over)
        self.full = self.full or len(self.buffer) > HIGH_WATER
        self._wake()

    def _hold_over(self) -> None:
        self.holding = False
        self._read_on()

    def taken(self) -> None:
        """The reader took from the buffer: past high water, reading may go on."""
        if self.full and len(self.buffer) < HIGH_WATER // 4:
            self.full = False
            self._read_on()

    def _read_on(self) -> None:
        transport = self.transport
        if not (self.holding or self.full) and transport is not None and not transport.is_closing():
            transport.resume_reading()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)
        self.drained = None


class _Connection:
    def __init__(
        self, transport: asyncio.Transport, protocol: _Buffered, request: httpx.Request
    ) -> None:
        self.transport = transport
        self.protocol = protocol
        self.buffer = protocol.buffer
        self.request = request

    def broken(self, message: str) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(message, request=self.request)

    async def arrival(self, timeout: float | None) -> None:
        """Wait until more bytes (or the end) arrive; an unfinished message cannot end."""
        protocol = self.protocol
        if protocol.eof:
            reason = f": {protocol.error}" if protocol.error else ""
            raise self.broken(f"the server closed the connection mid-message{reason}")
        loop = asyncio.get_running_loop()
        waiter = protocol.waiter = loop.create_future()
        timer = loop.call_later(timeout, waiter.cancel) if timeout is not None else None
        try:
            await waiter
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if timer is not None and task is not None and not task.cancelling():
                raise httpx.ReadTimeout(
                    f"nothing to read for {timeout} s", request=self.request
                ) from None
            raise  # the task itself was cancelled
        finally:
            if timer is not None:
                timer.cancel()
            protocol.waiter = None

    def take(self, size: int) -> bytes:
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        self.protocol.taken()
        return data

    async def write(self, data: bytes, timeout: float | None) -> None:
        if self.transport.is_closing():
            raise httpx.WriteError("the connection is closed", request=self.request)
        self.transport.write(data)
        if self.protocol.drained is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self.protocol.drained), timeout)
            except TimeoutError:
                raise httpx.WriteTimeout(
                    f"could not write for {timeout} s", request=self.request
                ) from None

    async def head(self, timeout: float | None) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        """The response's status, reason and header fields."""
        while (end := self.buffer.find(b"\r\n\r\n")) < 0:
            if len(self.buffer) > _LONGEST_HEAD:
                raise self.broken("the response head is too long")
            if self.protocol.eof and not self.buffer:
                raise self.broken("the server closed the connection without a reply")
            await self.arrival(timeout)
        status_line, *lines = self.take(end + 4)[:end].split(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        code, _, reason = rest.partition(b" ")
        if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise self.broken(f"not an HTTP/1.1 status line: {status_line[:80]!r}")
        fields = []
        for line in lines:
            name, colon, value = line.partition(b":")
            if not colon or not name or name.strip() != name:
                raise self.broken(f"malformed header line: {line[:80]!r}")
            fields.append((name, value.strip()))
        return int(code), reason, fields

    def close(self) -> None:
        self.transport.close()


def _framing(connection: _Connection, status: int, fields: list[tuple[bytes, bytes]]) -> int | str:
    """How the body ends: "none", "chunked", "close" (at the end of the connection) or its
    length in bytes (RFC 9112, section 6.3)."""
    if connection.request.method == "HEAD" or status in (204, 304):
        return "none"
    codings = [v for k, v in fields if k.lower() == b"transfer-encoding"]
    if codings:
        if codings[-1].split(b",")[-1].strip().lower() == b"chunked":
            return "chunked"
        return "close"
    lengths = {v for k, v in fields if k.lower() == b"content-length"}
    if not lengths:
        return "close"
    length = lengths.pop()
    if lengths or not length.isdigit():
        raise connection.broken(f"invalid Content-Length: {length[:40]!r}")
    return int(length)


class _Body(httpx.AsyncByteStream):
    """The response body as it arrives, one piece per read (never one per chunk)."""

    def __init__(self, connection: _Connection, framing: int | str, timeout: float | None) -> None:
        self._connection = connection
        self._framing = framing
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        connection = self._connection
        try:
            if self._framing == "chunked":
                async for piece in self._chunks():
                    yield piece
            elif isinstance(self._framing, int):
                left = self._framing
                while left:
                    if not connection.buffer:
                        await connection.arrival(self._timeout)
                    piece = connection.take(left)
                    left -= len(piece)
                    yield piece
            elif self._framing == "close":
                while True:
                    if connection.buffer:
                        yield connection.take(len(connection.buffer))
                    elif connection.protocol.eof:
                        return
                    else:
                        await connection.arrival(self._timeout)
        finally:
            connection.close()

    async def _chunks(self) -> AsyncIterator[bytes]:
        connection = self._connection
        buffer = connection.buffer
        while True:
            pieces, at, last = [], 0, False
            while (end := buffer.find(b"\r\n", at, at + _LONGEST_SIZE_LINE)) >= 0:
                size_field = bytes(buffer[at:end]).split(b";", 1)[0].strip()
                try:
                    size = int(size_field, 16)
                except ValueError:
                    raise connection.broken(f"malformed chunk size: {size_field[:40]!r}") from None
                if size == 0:  # the trailer fields after it are not read: the connection closes
                    last = True
                    break
                start = end + 2
                if len(buffer) < start + size + 2:
                    break
                if buffer[start + size : start + size + 2] != b"\r\n":
                    raise connection.broken("a chunk does not end where its size said")
                pieces.append(buffer[start : start + size])
                at = start + size + 2
            if pieces:
                data = b"".join(pieces)
                del buffer[:at]
                connection.protocol.taken()
                yield data
            if last:
                return
            if len(buffer) - at > _LONGEST_SIZE_LINE and buffer.find(b"\r\n", at) < 0:
                raise connection.broken("a chunk size line is too long")
            if not pieces:
                await connection.arrival(self._timeout)

    async def aclose(self) -> None:
        self._connection.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over plain TCP for httpx, one connection per request."""

    def __init__(self) -> None:
        self._open: set[_Connection] = set()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.scheme != "http":
            raise httpx.UnsupportedProtocol(
                f"LeanTransport speaks plain HTTP, not {request.url}", request=request
            )
        timeouts = request.extensions.get("timeout", {})
        connection = await self._connect(request, timeouts.get("connect"))
        self._open.add(connection)
        try:
            await connection.write(await _request_bytes(request), timeouts.get("write"))
            status, reason, fields = await connection.head(timeouts.get("read"))
            while 100 <= status < 200:  # interim responses: the final one follows
                status, reason, fields = await connection.head(timeouts.get("read"))
            framing = _framing(connection, status, fields)
        except BaseException:
            connection.close()
            raise
        finally:
            self._open.discard(connection)  # from here on its response closes it
        return httpx.Response(
            status,
            headers=fields,
            stream=_Body(connection, framing, timeouts.get("read")),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def _connect(self, request: httpx.Request, timeout: float | None) -> _Connection:
        loop = asyncio.get_running_loop()
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_connection(_Buffered, request.url.host, request.url.port or 80),
                timeout,
            )
        except TimeoutError:
            raise httpx.ConnectTimeout(
                f"no connection within {timeout} s", request=request
            ) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc), request=request) from None
        return _Connection(transport, protocol, request)

    async def aclose(self) -> None:
        for connection in self._open:
            connection.close()
        self._open.clear()


async def _request_bytes(request: httpx.Request) -> bytes:
    """The request as sent: its body whole (requests here are small JSON documents) with its
    length, and the connection closed after the response."""
    body = await request.aread()
    lines = [b"%s %s HTTP/1.1" % (request.method.encode("ascii"), request.url.raw_path)]
    for name, value in request.headers.raw:
        if name.lower() not in _FRAMING_FIELDS:  # this connection frames the body itself
            lines.append(name + b": " + value)
    if body or request.method in ("POST", "PUT", "PATCH"):
        lines.append(b"Content-Length: %d" % len(body))
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def async_client(base_url: str, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient``; for a plain-HTTP base URL it reads with ``LeanTransport``
    (unless a proxy is set in the environment: httpx honours it only with its own transport)."""
    if not base_url.startswith("http://") or any(os.environ.get(v) for v in PROXY_VARIABLES):
        return httpx.AsyncClient(base_url=base_url, **options)
    options.pop("verify", None)  # no TLS on this road
    return httpx.AsyncClient(base_url=base_url, transport=LeanTransport(), **options)


def uses_lean_transport(client: httpx.AsyncClient) -> bool:
    """Whether ``client`` reads with ``LeanTransport`` (httpx keeps it privately; for tests)."""
    return isinstance(getattr(client, "_transport", None), LeanTransport)
