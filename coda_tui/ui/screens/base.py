"""What every mode screen shares: the typed app."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.screen import Screen

if TYPE_CHECKING:
    from ..app import CodaApp


class CodaScreen(Screen[None]):
    @property
    def coda(self) -> CodaApp:
        return cast("CodaApp", self.app)
