"""What every mode screen shares: the typed app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

from ..failures import ReportsFailures

if TYPE_CHECKING:
    from ..app import CodaApp


class CodaScreen(ReportsFailures, Screen[None]):
    @property
    def coda(self) -> CodaApp:
        return cast("CodaApp", self.app)

    def booted(self) -> None:
        """The app has its config, providers and history now (it drew its first frame without
        them); a screen that was composed before that picks them up here."""
