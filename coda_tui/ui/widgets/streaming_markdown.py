"""Markdown that accepts text as fast as a model sends it and paints at most once a frame.

Textual's ``MarkdownStream`` appends per write, so a fast stream re-parses the open block for
every token (seconds for a long answer). Here ``feed`` only buffers; a timer flushes the buffer
with one ``Markdown.append`` per frame, which re-parses just the open block; finished blocks
stay as they are. ``finish`` flushes at once, so the last token is never a frame late.
"""

from __future__ import annotations

import asyncio

from textual.timer import Timer
from textual.widgets import Markdown

FRAME_SECONDS = 1 / 30


class StreamingMarkdown(Markdown):
    def __init__(self, markdown: str = "", **kwargs: object) -> None:
        super().__init__(markdown, **kwargs)  # type: ignore[arg-type]
        self._pending: list[str] = []
        self._timer: Timer | None = None
        self._flush_lock = asyncio.Lock()

    def feed(self, text: str) -> None:
        """Queue ``text``; it is painted within a frame. Never waits."""
        if not text:
            return
        self._pending.append(text)
        if self._timer is None:
            self._timer = self.set_timer(FRAME_SECONDS, self._flush)

    async def _flush(self) -> None:
        self._timer = None
        async with self._flush_lock:
            if not self._pending:
                return
            text = "".join(self._pending)
            self._pending.clear()
            await self.append(text)
        if self._pending and self._timer is None:  # more arrived while painting
            self._timer = self.set_timer(FRAME_SECONDS, self._flush)

    async def finish(self) -> None:
        """Paint everything fed so far, now."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        await self._flush()  # waits for a paint in flight, then paints the rest

    @property
    def text(self) -> str:
        """Everything fed, painted or not."""
        return self.source + "".join(self._pending)
