"""A filter box steering a table, for the modes that list things (models, settings).

Apart from ``base`` so the chat screen, the one start-up shows, does not import DataTable.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable, Input

from .base import CodaScreen

RowT = TypeVar("RowT")


class FilteredTableScreen(CodaScreen, Generic[RowT]):
    """Typing filters while arrows and page keys move the table, so focus can stay in the box.

    A subclass names its widgets and keeps ``shown``, the rows in table order.
    """

    FILTER_ID: ClassVar[str]
    TABLE_ID: ClassVar[str]
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear", id="clear_filter", show=False),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(10)", show=False),
        Binding("pageup", "move(-10)", show=False),
    ]
    shown: list[RowT]

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(f"#{self.TABLE_ID}", DataTable)

    @property
    def filter_words(self) -> list[str]:
        return self.query_one(f"#{self.FILTER_ID}", Input).value.lower().split()

    @property
    def current(self) -> RowT | None:
        """The row under the cursor."""
        row = self.table.cursor_row
        return self.shown[row] if self.shown and 0 <= row < len(self.shown) else None

    def action_move(self, step: int) -> None:
        if self.shown:
            row = max(0, min(self.table.cursor_row + step, len(self.shown) - 1))
            self.table.move_cursor(row=row)

    def action_clear_filter(self) -> None:
        self.query_one(f"#{self.FILTER_ID}", Input).value = ""
