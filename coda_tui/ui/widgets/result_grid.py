"""A grid of plain-text cells with a cell cursor, drawn as one block of text.

Textual's DataTable draws every cell again on each cell update (30-40 ms for 20 rows x 4
columns here), and a prompt set updates a cell each time an answer ends: keys typed meanwhile
waited up to 75 ms. This draws the whole grid as lines of text (about a millisecond), and a
burst of updates once. Cells are text, never markup (errors come from servers).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.content import Content, Span
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static


def _fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


class ResultGrid(ScrollableContainer, can_focus=True):
    DEFAULT_CSS = """
    ResultGrid { height: 1fr; }
    ResultGrid > Static { width: auto; height: auto; }
    """
    BINDINGS = [
        Binding("up", "move(-1, 0)", show=False),
        Binding("down", "move(1, 0)", show=False),
        Binding("left", "move(0, -1)", show=False),
        Binding("right", "move(0, 1)", show=False),
        Binding("pageup", "move(-10, 0)", show=False),
        Binding("pagedown", "move(10, 0)", show=False),
        Binding("home", "move(-100000, 0)", show=False),
        Binding("end", "move(100000, 0)", show=False),
        Binding("enter", "choose", show=False),
    ]

    @dataclass
    class Chosen(Message):
        row: int
        column: int

    def __init__(self, headers: list[str], widths: list[int], **kwargs: str) -> None:
        super().__init__(**kwargs)
        self.headers = headers
        self.widths = widths
        self.rows: list[list[str]] = []
        self.styles_of: dict[tuple[int, int], str] = {}
        self.cursor = (0, 0)

    def compose(self) -> ComposeResult:
        yield Static(self._render_grid())

    def update_cell(self, row: int, column: int, text: str, style: str = "") -> None:
        """Change a cell; call ``redraw`` once after a batch."""
        self.rows[row][column] = text
        self.styles_of[(row, column)] = style

    def redraw(self) -> None:
        for body in self.query(Static):
            body.update(self._render_grid())

    def _render_grid(self) -> Content:
        lines: list[str] = []
        spans: list[Span] = []
        offset = 0

        def line(cells: list[str], row: int | None) -> None:
            nonlocal offset
            pieces = []
            position = offset
            for column, (text, width) in enumerate(zip(cells, self.widths, strict=False)):
                shown = _fit(text, width)
                style = "bold" if row is None else self.styles_of.get((row, column), "")
                if row is not None and (row, column) == self.cursor:
                    style = "reverse"
                if style:
                    spans.append(Span(position + 1, position + 1 + width, style))
                pieces.append(f" {shown} ")
                position += width + 2
            text = "".join(pieces)
            lines.append(text)
            offset += len(text) + 1

        line(self.headers, None)
        for row, cells in enumerate(self.rows):
            line(cells, row)
        return Content("\n".join(lines), spans=spans)

    def action_move(self, rows: int, columns: int) -> None:
        if not self.rows:
            return
        row = max(0, min(self.cursor[0] + rows, len(self.rows) - 1))
        column = max(0, min(self.cursor[1] + columns, len(self.headers) - 1))
        self.cursor = (row, column)
        self.redraw()
        left = sum(w + 2 for w in self.widths[:column])
        self.scroll_to_region(
            Region(left, row + 1, self.widths[column] + 2, 1), animate=False, immediate=True
        )

    def action_choose(self) -> None:
        self.post_message(self.Chosen(*self.cursor))
