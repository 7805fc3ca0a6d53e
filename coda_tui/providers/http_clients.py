"""One ``httpx.AsyncClient`` per event loop, closed with the loop's work or all at once.

A client's connection pool belongs to the loop that opened it, so a provider used from the app's
loop and from the sync API's private loops keeps one client for each. The sync API closes its
loop's client before that loop ends; ``aclose`` closes the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import httpx


class LoopClients:
    """The pooled clients a provider holds, keyed by event loop."""

    def __init__(self, make: Callable[[], httpx.AsyncClient]) -> None:
        self._make = make
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def get(self) -> httpx.AsyncClient:
        """The running loop's client, made on first use (again after it was closed)."""
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            client = self._clients[loop] = self._make()
        return client

    async def release(self) -> None:
        """Close the running loop's client (its connections go with it)."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    async def aclose(self) -> None:
        """Close every client: this loop's now, another running loop's on that loop."""
        await self.release()
        for loop, client in list(self._clients.items()):
            del self._clients[loop]
            if not loop.is_closed() and loop.is_running():
                with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                    asyncio.run_coroutine_threadsafe(client.aclose(), loop)
