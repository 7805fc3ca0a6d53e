"""Run the async provider API from synchronous code.

``asyncio.run`` fails inside a thread that already runs a loop (a notebook, a Textual handler), and
blocking that loop would deadlock it. So when a loop is running here, the work runs on a private
thread with its own loop; otherwise on a fresh loop in this thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def run_sync(factory: Callable[[], Awaitable[T]]) -> T:
    """Await ``factory()`` to completion and return its result."""

    async def main() -> T:
        return await factory()

    if not _loop_running():
        return asyncio.run(main())
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="coda-sync") as pool:
        return pool.submit(asyncio.run, main()).result()


def iterate_sync(factory: Callable[[], AsyncIterator[T]]) -> Iterator[T]:
    """Iterate ``factory()`` from sync code; closing the iterator early cancels the stream.

    The async iterator runs on its own thread and loop, items cross through a bounded queue, so
    the caller never blocks a loop and a slow consumer applies back-pressure.
    """
    items: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=256)
    state: dict[str, Any] = {}
    started = threading.Event()

    async def pump() -> None:
        state["loop"] = asyncio.get_running_loop()
        state["task"] = asyncio.current_task()
        started.set()
        try:
            async for item in factory():
                await asyncio.to_thread(items.put, ("item", item))
        except asyncio.CancelledError:
            return
        except BaseException as exc:
            items.put(("error", exc))
            return
        items.put(("done", None))

    thread = threading.Thread(target=asyncio.run, args=(pump(),), daemon=True, name="coda-iter")
    thread.start()
    started.wait()
    finished = False
    try:
        while True:
            kind, value = items.get()
            if kind == "item":
                yield value
            elif kind == "error":
                finished = True
                raise value
            else:
                finished = True
                return
    finally:
        if not finished:
            loop: asyncio.AbstractEventLoop = state["loop"]
            loop.call_soon_threadsafe(state["task"].cancel)
            while thread.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    items.get(timeout=0.05)
        thread.join()
