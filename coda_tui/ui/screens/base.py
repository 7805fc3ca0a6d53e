"""What every mode screen shares: the typed app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.actions import SkipAction
from textual.binding import Binding
from textual.screen import Screen

from ..failures import ReportsFailures

if TYPE_CHECKING:
    from ..app import CodaApp


class CodaScreen(ReportsFailures, Screen[None]):
    BINDINGS = [
        Binding(
            "ctrl+c,super+c",
            "copy_text",
            "Copy selection",
            id="copy_selection",
            show=False,
            tooltip="Copy what the mouse selected",
        ),
    ]

    def action_copy_text(self) -> None:
        """What a mouse drag selected, to the system clipboard or the terminal's (Textual's own
        copy sends OSC 52 only, and says nothing); no selection lets the key go on."""
        from ..clipboard import copied_note, copy_text

        text = self.get_selected_text()
        if not text:
            raise SkipAction()
        self.notify(copied_note(copy_text(self.app, text), "the selection", text))

    @property
    def coda(self) -> CodaApp:
        return cast("CodaApp", self.app)

    def booted(self) -> None:
        """The app has its config, providers and history now (it drew its first frame without
        them); a screen that was composed before that picks them up here."""
