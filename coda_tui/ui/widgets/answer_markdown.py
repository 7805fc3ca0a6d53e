"""Markdown for answers that stream: one widget, finished blocks rendered once, painted per frame.

Textual's ``Markdown`` mounts a widget per block, so every frame of a growing answer re-lays out
every block of every message (tens of milliseconds once an answer is long), and
``MarkdownStream`` re-parses per token. Here the text is split into blocks as it arrives; a block
that is finished (a blank line outside a code fence) is rendered once per width and kept as
lines; only the open block is rendered again, at most once a frame. The widget is a single box to
the layout, so a long answer costs the layout nothing more than a short one.

Text arrives already made safe (``visible_text``); Rich renders it as Markdown, never as markup,
and links are shown, not turned into terminal hyperlinks.
"""

from __future__ import annotations

import re
import weakref
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.geometry import Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

if TYPE_CHECKING:
    from rich.console import RenderableType

# 20 paints a second: smooth to read, and the loop keeps time for keys and the socket.
FRAME_SECONDS = 1 / 20
OPEN_BLOCK_SHARE = 0.25
"""At most this share of the time goes to re-rendering the block still being written."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


class BlockSplitter:
    """Markdown text cut into blocks; all but the last are finished and never change."""

    def __init__(self) -> None:
        self.finished: list[str] = []
        self._lines: list[str] = []  # complete lines of the open block
        self._partial = ""  # the line being written
        self._fence: str | None = None

    def feed(self, text: str) -> None:
        pieces = (self._partial + text).split("\n")
        self._partial = pieces.pop()
        for line in pieces:
            self._add_line(line)

    def _add_line(self, line: str) -> None:
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)
            if self._fence is None:
                self._fence = marker
            elif marker[0] == self._fence[0] and len(marker) >= len(self._fence):
                self._fence = None
        if not line.strip() and self._fence is None:
            if self._lines:
                self.finished.append("\n".join(self._lines))
                self._lines = []
            return
        self._lines.append(line)

    @property
    def open_block(self) -> str:
        return "\n".join([*self._lines, self._partial]).strip("\n")

    @property
    def source(self) -> str:
        return "\n\n".join([*self.finished, self.open_block]).strip("\n")


class FrameClock:
    """One timer paints every answer that is streaming, together: with two compare panes that
    is one layout a frame instead of one per pane."""

    _clocks: ClassVar[weakref.WeakKeyDictionary[App[Any], FrameClock]] = weakref.WeakKeyDictionary()

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.waiting: set[AnswerMarkdown] = set()
        self.timer: Timer | None = None

    @classmethod
    def of(cls, app: App[Any]) -> FrameClock:
        clock = cls._clocks.get(app)
        if clock is None:
            clock = cls._clocks[app] = cls(app)
        return clock

    def request(self, widget: AnswerMarkdown) -> None:
        self.waiting.add(widget)
        if self.timer is None:
            self.timer = self.app.set_timer(FRAME_SECONDS, self.tick)

    def cancel(self, widget: AnswerMarkdown) -> None:
        self.waiting.discard(widget)

    def tick(self) -> None:
        self.timer = None
        widgets, self.waiting = self.waiting, set()
        for widget in widgets:
            if widget.is_mounted:
                widget.refresh(layout=True)


class AnswerMarkdown(Widget):
    DEFAULT_CSS = """
    AnswerMarkdown { height: auto; }
    """

    def __init__(self, text: str = "", **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.blocks = BlockSplitter()
        self._text: list[str] = []
        self._rendered: list[list[Strip]] = []  # finished blocks, for _width
        self._open: list[Strip] = []
        self._open_dirty = True
        self._width = 0
        self._lines: list[Strip] = []
        self._open_cost = 0.0  # seconds the open block's last rendering took
        self._open_at = 0.0
        self._final = False
        if text:
            self.blocks.feed(text)
            self._text.append(text)

    @property
    def text(self) -> str:
        """Everything fed so far, painted or not."""
        return "".join(self._text)

    def feed(self, text: str) -> None:
        """Take more text now; it is painted within a frame."""
        if not text:
            return
        self._text.append(text)
        self.blocks.feed(text)
        self._open_dirty = True
        if self.is_mounted:
            FrameClock.of(self.app).request(self)

    async def finish(self) -> None:
        """Paint what has been fed, without waiting for the next frame."""
        FrameClock.of(self.app).cancel(self)
        self._final = True
        self._open_dirty = True
        self.refresh(layout=True)

    # -- rendering -------------------------------------------------------------------------------

    def _render_block(self, source: str, width: int) -> list[Strip]:
        from rich.markdown import Markdown

        renderable: RenderableType = Markdown(source, hyperlinks=False, code_theme=self._theme())
        console = self.app.console
        options = console.options.update(width=width, height=None)
        style = self.rich_style  # computed from the CSS each time it is read: read it once
        lines = console.render_lines(renderable, options, style=style, pad=True)
        strips = [Strip(line, width) for line in lines]
        # Rich opens lists with an empty line; blocks are spaced here, one blank line apart.
        # (A code block's padding has its own background, so it stays.)
        background = style.bgcolor

        def empty(strip: Strip) -> bool:
            return not strip.text.strip() and all(
                segment.style is None or segment.style.bgcolor in (None, background)
                for segment in strip
            )

        while strips and empty(strips[0]):
            strips.pop(0)
        while strips and empty(strips[-1]):
            strips.pop()
        return strips

    def _theme(self) -> str:
        return "monokai" if self.app.current_theme.dark else "default"

    def _layout_lines(self, width: int) -> list[Strip]:
        width = max(width, 1)
        if width != self._width:
            self._width = width
            self._rendered = []
            self._open_dirty = True
        finished = self.blocks.finished
        for source in finished[len(self._rendered) :]:
            self._rendered.append(self._render_block(source, width))
            self._open_dirty = True
        if self._open_dirty:
            block = self.blocks.open_block
            if self._open_throttled():
                FrameClock.of(self.app).request(self)  # the stale lines for now, fresh ones soon
            else:
                started = monotonic()
                self._open = self._render_block(block, width) if block.strip() else []
                self._open_cost = monotonic() - started
                self._open_at = started
            blank = Strip.blank(width, self.rich_style)
            lines: list[Strip] = []
            for rendered in self._rendered:
                lines.extend(rendered)
                lines.append(blank)
            lines.extend(self._open)
            while lines and lines[-1] is blank:
                lines.pop()
            self._lines = lines
            self._open_dirty = False
        return self._lines

    def _open_throttled(self) -> bool:
        """A long open block (a code block of hundreds of lines) costs more to render each time
        it grows; re-rendering it every frame would starve the event loop. Its rendering is kept
        to OPEN_BLOCK_SHARE of the time; finished blocks and the final paint are never held."""
        if self._final or not self._open:
            return False
        return monotonic() - self._open_at < self._open_cost / OPEN_BLOCK_SHARE

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._layout_lines(width))

    def render_line(self, y: int) -> Strip:
        lines = self._layout_lines(self.content_region.width or self.size.width)
        if 0 <= y < len(lines):
            return lines[y]
        return Strip.blank(self.size.width, self.rich_style)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def _restyle(self, _theme: object) -> None:
        self._width = 0  # rendered lines carry the old theme's colours
        self.refresh(layout=True)

    def on_resize(self) -> None:
        self.refresh(layout=True)
