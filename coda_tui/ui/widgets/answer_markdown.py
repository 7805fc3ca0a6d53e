"""Markdown for answers that stream: one widget, finished blocks rendered once, painted per frame.

Textual's ``Markdown`` mounts a widget per block, so every frame of a growing answer re-lays out
every block of every message (tens of milliseconds once an answer is long), and
``MarkdownStream`` re-parses per token. Here the text is split into blocks as it arrives; a block
that is finished (a blank line outside a code fence) is rendered once per width and kept as
lines; only the open block is rendered again, at most once a frame. The widget is a single box to
the layout, so a long answer costs the layout nothing more than a short one.

Text arrives already made safe (``visible_text``); Rich renders it as Markdown, never as markup.
A link shows its address after its text, and only that address, as shown, opens on a click: a
link's text cannot send a click somewhere it does not say.

Lines carry Textual's selection offsets, so a mouse drag selects across answers and messages
(``get_selection`` gives the lines as shown) and Ctrl+C copies it.
"""

from __future__ import annotations

import bisect
import os
import re
from time import monotonic
from typing import TYPE_CHECKING, Self

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from ..text import fence_language
from ..textual_compat import markdown, remeasure_on_layout, settle_size
from .answer_links import URL, link_addresses, styled
from .frame_clock import FRAME_SECONDS, FrameClock

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.selection import Selection

OPEN_BLOCK_SHARE = 0.25
"""At most this share of the time goes to re-rendering the block still being written."""
FILL_BUDGET = 0.008
"""Seconds of rendering waiting blocks per frame once an answer is on screen."""
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LABEL_STYLE = Style(dim=True, bold=True)
"""A code block's label (``1 · python``) above it."""
_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _wrapped(text: str, width: int) -> int:
    """Lines a greedy word wrap makes of ``text`` at ``width``."""
    lines, used = 1, len(text) - len(text.lstrip(" "))  # code keeps its indentation
    for word in text.split():
        size = len(word)
        if used and used + 1 + size > width:
            lines, used = lines + 1, size
        else:
            used += size + (1 if used else 0)
    return lines


def estimate_height(source: str, width: int) -> int:
    """A block's height without rendering it: exact for plain paragraphs, lists and code,
    close for the rest (a wrong guess costs one more layout when the block is rendered)."""
    lines = source.split("\n")
    if _FENCE.match(lines[0]):  # its label, a line of padding above and below, lines wrapped
        closed = len(lines) > 1 and _FENCE.match(lines[-1]) is not None
        code = lines[1 : len(lines) - 1 if closed else len(lines)]
        return 3 + sum(_wrapped(line, max(width - 2, 1)) for line in code or [""])
    if lines[0].lstrip().startswith("|"):
        return len(lines) + 2
    items: list[str] = []
    for line in lines:
        if _ITEM.match(line) or not items:
            items.append(line.strip())
        else:
            items[-1] += " " + line.strip()
    indent = 3 if _ITEM.match(lines[0]) else 0
    return sum(_wrapped(_ITEM.sub("", item), max(width - indent, 1)) for item in items)


WARM_LANGUAGES = ("python", "bash")
"""Code blocks whose highlighter is compiled before the first answer (Python's: 25 ms). Only
the commonest: the warm-up shares the interpreter with a user who may already be typing."""


def warm_up() -> None:
    """Import and compile, ahead of time and off the UI thread, what the first answer's
    rendering needs: Rich's Markdown, the parser and the highlighters of common languages."""
    from rich.console import Console

    fences = "\n\n".join(f"```{language}\nx = 1\n```" for language in WARM_LANGUAGES)
    console = Console(file=open(os.devnull, "w"), width=80)  # noqa: SIM115 - closed below
    with console.file:
        for theme in ("monokai", "default"):
            console.print(markdown(f"# a\n\n- b *c* `d`\n\n{fences}", theme))


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


class AnswerMarkdown(Widget):
    DEFAULT_CSS = """
    AnswerMarkdown { height: auto; }
    """

    def __init__(self, text: str = "", **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.blocks = BlockSplitter()
        self._text: list[str] = []
        # Finished blocks: their lines once rendered (for _width), else None and an estimate.
        self._rendered: list[list[Strip] | None] = []
        self._heights: list[int] = []
        self._numbers: list[int | None] = []  # each finished block's code block number
        self._starts: list[int] = []  # each finished block's first line in _lines
        self._placeholder = Strip.blank(0)  # stands for a line of a block not rendered yet
        self._fill_timer: Timer | None = None
        self._dirty = True  # _lines must be put together again
        self._open: list[Strip] = []
        self._open_dirty = True
        self._width = 0
        self._lines: list[Strip] = []
        self._laid_out_height = -1  # lines the last layout gave this widget
        self._open_cost = 0.0  # seconds the open block's last rendering took
        self._open_at = 0.0
        self._final = False
        self._resized_width = 0
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

    def _render_block(self, source: str, width: int, number: int | None = None) -> list[Strip]:
        """The block's lines; a code block (``number``: its place among the answer's code
        blocks) gets a label above it with its number and language, for "copy block 2"."""
        strips = self._render_markdown(source, width)
        if number is not None:
            language = fence_language(source.split("\n", 1)[0]) or "code"
            label = Segment(f" {number} · {language} ", self.rich_style + _LABEL_STYLE)
            strips.insert(0, Strip([label], label.cell_length).extend_cell_length(width))
        return strips

    def _render_markdown(self, source: str, width: int) -> list[Strip]:
        renderable: RenderableType = markdown(source, self._theme())
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
        if "://" in source:
            strips = link_addresses(strips, width)
        return strips

    def _theme(self) -> str:
        return "monokai" if self.app.current_theme.dark else "default"

    def _layout_lines(self, width: int) -> list[Strip]:
        """Every line of the answer; blocks far above the bottom may be placeholders for now."""
        width = max(width, 1)
        if width != self._width:
            self._width = width
            self._rendered, self._heights, self._numbers = [], [], []
            self._open_dirty = True
        finished = self.blocks.finished
        for source in finished[len(self._rendered) :]:
            self._rendered.append(None)
            self._heights.append(estimate_height(source, width))
            self._numbers.append(self._code_number(source))
            self._dirty = True
        if self._open_dirty:
            block = self.blocks.open_block
            if self._open_throttled():
                FrameClock.of(self.app).request(self)  # the stale lines for now, fresh ones soon
            else:
                started = monotonic()
                number = self._code_number(block)
                self._open = self._render_block(block, width, number) if block.strip() else []
                self._open_cost = monotonic() - started
                self._open_at = started
            self._open_dirty = False
            self._dirty = True
        if self._dirty:
            self._render_tail()
            self._lines = self._join(width)
            self._dirty = False
        return self._lines

    def _render_tail(self) -> None:
        """Render the blocks a bottom-anchored view shows; the rest waits for _fill or for a
        render_line that asks for it. A 5,000-token answer that arrived at once then costs its
        last screenful, not all of its blocks, before it is on screen."""
        below = len(self._open)
        screen_lines = self.app.size.height if self.is_attached else 0
        for index in range(len(self._rendered) - 1, -1, -1):
            if below > screen_lines:
                break
            if self._rendered[index] is None:
                self._render_finished(index)
            below += self._heights[index] + 1
        # Filling in the rest waits until the answer is complete: while it streams, the time
        # goes to reading and painting what arrives (and blocks a user scrolls to render then).
        waiting = None in self._rendered
        if waiting and self._final and self._fill_timer is None and self.is_mounted:
            self._fill_timer = self.set_timer(FRAME_SECONDS, self._fill)

    def _join(self, width: int) -> list[Strip]:
        blank = Strip.blank(width, self.rich_style)
        lines: list[Strip] = []
        self._starts = []
        for index, rendered in enumerate(self._rendered):
            self._starts.append(len(lines))
            lines.extend(rendered or [self._placeholder] * self._heights[index])
            lines.append(blank)
        lines.extend(self._open)
        while lines and lines[-1] is blank:
            lines.pop()
        return lines

    def _code_number(self, source: str) -> int | None:
        """The number of a code block that follows every finished block numbered so far (the
        next finished one, or the open one): 1 for the answer's first. None for other blocks."""
        if not _FENCE.match(source):
            return None
        return sum(1 for n in self._numbers if n is not None) + 1

    def _render_finished(self, index: int) -> bool:
        """Render one finished block; True when it is not as tall as its estimate was."""
        strips = self._render_block(self.blocks.finished[index], self._width, self._numbers[index])
        changed = len(strips) != self._heights[index]
        self._rendered[index], self._heights[index] = strips, len(strips)
        self._dirty = True
        return changed

    def _fill(self) -> None:
        """Render waiting blocks, nearest the bottom first, a few milliseconds at a time."""
        self._fill_timer = None
        started = monotonic()
        moved = False
        for index in range(len(self._rendered) - 1, -1, -1):
            if self._rendered[index] is None:
                moved = self._render_finished(index) or moved
                if monotonic() - started > FILL_BUDGET:
                    break
        self.refresh(layout=moved)
        if None in self._rendered:
            self._fill_timer = self.set_timer(FRAME_SECONDS, self._fill)

    def _open_throttled(self) -> bool:
        """A long open block (a code block of hundreds of lines) costs more to render each time
        it grows; re-rendering it every frame would starve the event loop. Its rendering is kept
        to OPEN_BLOCK_SHARE of the time; finished blocks and the final paint are never held."""
        if self._final or not self._open:
            return False
        return monotonic() - self._open_at < self._open_cost / OPEN_BLOCK_SHARE

    def paint(self) -> None:
        """Show what was fed. Text that still fits the lines the widget has needs a repaint
        only; a layout (of the whole screen) only when the answer grew a line. At the pace of
        a real model, most frames add a few words to the last line."""
        if not self._width:
            self.refresh(layout=True)
            return
        height = len(self._layout_lines(self._width))
        self.refresh(layout=height != self._laid_out_height)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        self._laid_out_height = len(self._layout_lines(width))
        return self._laid_out_height

    def render_line(self, y: int) -> Strip:
        """The line, marked where it is selected, with the offsets Textual's selection reads."""
        strip = self._line(y)
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(y)) is not None:
            start, end = span
            end = len(strip.text) if end == -1 else end
            strip = styled(strip, start, end, self._selection_style())
        return strip.apply_offsets(0, y)

    def _selection_style(self) -> Style:
        """The theme's selection colours; a "transparent" text colour (most themes) keeps the
        text's own, where Rich would paint the text in the background's colour."""
        screen = self.screen
        style = screen.get_component_rich_style("screen--selection")
        if screen.get_component_styles("screen--selection").color.a == 0:
            return Style(bgcolor=style.bgcolor)
        return style

    def _line(self, y: int) -> Strip:
        lines = self._layout_lines(self.content_region.width or self.size.width)
        if not 0 <= y < len(lines):
            return Strip.blank(self.size.width, self.rich_style)
        if lines[y] is not self._placeholder:
            return lines[y]
        # Scrolled up to a block not rendered yet: render it now; if its height was guessed
        # wrong the layout is redone, and this frame shows the block from its first line.
        index = bisect.bisect_right(self._starts, y) - 1
        if self._render_finished(index):
            self.refresh(layout=True)
        rendered = self._rendered[index] or []
        offset = y - self._starts[index]
        return rendered[offset] if offset < len(rendered) else Strip.blank(self._width)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The selected part of the lines as shown (blocks not rendered yet are rendered)."""
        lines = self._layout_lines(self._width or self.size.width)
        if self._placeholder in lines:
            moved = False
            for index, rendered in enumerate(self._rendered):
                if rendered is None:
                    moved = self._render_finished(index) or moved
            lines = self._layout_lines(self._width)
            if moved:
                self.refresh(layout=True)
        text = "\n".join(line.text.rstrip() for line in lines)
        return selection.extract(text), "\n"

    def on_click(self, event: events.Click) -> None:
        """A click on a web address opens it (in the browser, through Textual's driver)."""
        address = event.style.link if event.style else None
        if address and URL.fullmatch(address):
            event.stop()
            self.app.open_url(address)
            self.notify(f"Opening {address}", timeout=3)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._restyle)

    def _restyle(self, _theme: object) -> None:
        self._width = 0  # rendered lines carry the old theme's colours
        self.refresh(layout=True)

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False, recompose: bool = False
    ) -> Self:
        if layout:
            # Textual keys a widget's measured size by a counter it bumps only when a layout is
            # first asked for. Another pane's layout can measure this answer while that request
            # waits; the answer grows again, and the layout it asked for would be given the
            # old measure: after its last growth, the end of the answer stayed off screen.
            remeasure_on_layout(self)
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return settle_size(super(), size, virtual_size, container_size)

    def on_resize(self, event: events.Resize) -> None:
        # Growing taller is what streaming does every frame, and the layout that made it so
        # has run; only a new width needs the lines rendered (and measured) again.
        if event.size.width != self._resized_width:
            self._resized_width = event.size.width
            self.refresh(layout=True)
