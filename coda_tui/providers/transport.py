"""httpx clients whose plain-HTTP connections read their sockets with less work per read.

A model server flushes every token, so a stream is thousands of small reads, and httpx's
default network layer (anyio) sets up a timeout scope and wakes a task for each: a third of
the CPU of reading a local server's fast stream. ``LeanBackend`` is httpcore's network-backend
interface over a plain asyncio protocol: data lands in a buffer as it arrives and a read takes
what is there, waiting (with its own timer) only when there is nothing.

It speaks plain TCP only. Clients for ``https://`` keep httpx's own backend (and its TLS), and
proxies from the environment keep their own transports, as httpx mounts them itself.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpcore
import httpx

HIGH_WATER = 1 << 20
"""Bytes buffered before the socket is left unread until the reader catches up."""


class _Buffered(asyncio.Protocol):
    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiter: asyncio.Future[None] | None = None
        self.eof = False
        self.error: BaseException | None = None
        self.transport: asyncio.Transport | None = None
        self.reading_paused = False
        self.drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def _wake(self) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and self.transport is not None:
            self.transport.pause_reading()
            self.reading_paused = True
        self._wake()

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


class LeanStream(httpcore.AsyncNetworkStream):
    def __init__(self, transport: asyncio.Transport, protocol: _Buffered) -> None:
        self._transport = transport
        self._protocol = protocol

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        protocol = self._protocol
        if not protocol.buffer and not protocol.eof:
            await self._arrival(timeout)
        if protocol.buffer:
            data = bytes(protocol.buffer[:max_bytes])
            del protocol.buffer[:max_bytes]
            if protocol.reading_paused and len(protocol.buffer) < HIGH_WATER // 4:
                protocol.reading_paused = False
                self._transport.resume_reading()
            return data
        if protocol.error is not None:
            raise httpcore.ReadError(str(protocol.error) or type(protocol.error).__name__)
        return b""

    async def _arrival(self, timeout: float | None) -> None:
        loop = asyncio.get_running_loop()
        waiter = self._protocol.waiter = loop.create_future()
        timer = loop.call_later(timeout, waiter.cancel) if timeout is not None else None
        try:
            await waiter
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if timer is not None and task is not None and not task.cancelling():
                raise httpcore.ReadTimeout(f"nothing to read for {timeout} s") from None
            raise  # the task itself was cancelled
        finally:
            if timer is not None:
                timer.cancel()
            self._protocol.waiter = None

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        if self._transport.is_closing():
            raise httpcore.WriteError("the connection is closed")
        self._transport.write(buffer)
        if self._protocol.drained is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._protocol.drained), timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout(f"could not write for {timeout} s") from None

    async def aclose(self) -> None:
        self._transport.close()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("LeanBackend speaks plain TCP only")

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable":  # an idle pooled connection the server has closed
            return bool(self._protocol.buffer) or self._protocol.eof
        return {
            "client_addr": self._transport.get_extra_info("sockname"),
            "server_addr": self._transport.get_extra_info("peername"),
            "socket": self._transport.get_extra_info("socket"),
        }.get(info)


class LeanBackend(httpcore.AsyncNetworkBackend):
    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        local = (local_address, 0) if local_address else None
        try:
            transport, protocol = await asyncio.wait_for(
                loop.create_connection(_Buffered, host, port, local_addr=local), timeout
            )
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"no connection within {timeout} s") from None
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from None
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            sock.setsockopt(*option)
        return LeanStream(transport, protocol)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("LeanBackend speaks TCP only")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


PROXY_VARIABLES = ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


def async_client(base_url: str, **options: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient``; for a plain-HTTP base URL its connections use LeanBackend
    (unless a proxy is set in the environment: httpx honours it only with its own transport)."""
    if not base_url.startswith("http://") or any(os.environ.get(v) for v in PROXY_VARIABLES):
        return httpx.AsyncClient(base_url=base_url, **options)
    verify = options.pop("verify", False)
    transport = httpx.AsyncHTTPTransport(verify=verify)
    pool = getattr(transport, "_pool", None)  # httpx keeps its httpcore pool here
    if isinstance(pool, httpcore.AsyncConnectionPool):
        pool._network_backend = LeanBackend()
    return httpx.AsyncClient(base_url=base_url, transport=transport, **options)


def uses_lean_backend(client: httpx.AsyncClient) -> bool:
    """Whether ``client``'s own transport reads with LeanBackend (for tests)."""
    pool = getattr(client._transport, "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), LeanBackend)
