"""A small picture of an attached image, drawn with half blocks (▀: the upper pixel as the
text colour, the lower as the background), so it shows in any terminal with colour, over SSH
and in tmux, where image protocols (kitty's, sixel) often do not reach. Decoded with Pillow,
in a thread, when the message is shown; a file that is gone or unreadable shows nothing."""

from __future__ import annotations

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget

WIDTH = 16
HEIGHT = 6
"""Cells: 16 by 6 shows 16 by 12 pixels, enough to tell a screenshot from a chart."""


def half_blocks(path: str, width: int = WIDTH, height: int = HEIGHT) -> list[Strip]:
    """The image fitted in ``width`` x ``height`` cells, its aspect kept; [] if unreadable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as opened:
            opened.draft("RGB", (width, height * 2))  # JPEG decodes at a fraction of its size
            image = opened.convert("RGB")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError, ValueError):
        return []
    image.thumbnail((width, height * 2))
    columns, rows = image.size
    pixels = image.load()
    if pixels is None:
        return []
    strips = []
    for y in range(0, rows, 2):
        segments = []
        for x in range(columns):
            top = Color.from_rgb(*pixels[x, y][:3])
            bottom = Color.from_rgb(*pixels[x, y + 1][:3]) if y + 1 < rows else None
            segments.append(Segment("▀", Style(color=top, bgcolor=bottom)))
        strips.append(Strip(segments, columns))
    return strips


class Thumbnail(Widget):
    DEFAULT_CSS = """
    Thumbnail { width: auto; height: auto; margin: 0 0 0 0; }
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.strips: list[Strip] = []

    def on_mount(self) -> None:
        self.draw()

    @work(thread=True, exit_on_error=False)
    def draw(self) -> None:
        strips = half_blocks(self.path)
        self.app.call_from_thread(self._drawn, strips)

    def _drawn(self, strips: list[Strip]) -> None:
        self.strips = strips
        self.display = bool(strips)
        self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max((strip.cell_length for strip in self.strips), default=0)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.strips)

    def render_line(self, y: int) -> Strip:
        return self.strips[y] if y < len(self.strips) else Strip.blank(self.size.width)
