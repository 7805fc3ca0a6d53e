"""Textual's footer, rebuilt only when what it shows changes.

Textual's ``Footer`` recomposes every key on every ``bindings_updated`` signal: each focus change
and stack update, three times before the chat screen's first frame (about 10 ms each, a third of
what start-up costs beyond a bare app) and once per Tab afterwards, mostly to show the same keys.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from ..textual_compat import footer_ready_at_once


def shown_keys(screen: Screen[Any]) -> tuple[tuple[object, ...], ...]:
    """What a footer composed now would show for ``screen`` (keys, labels, enabled, tooltips)."""
    app = screen.app
    return tuple(
        (key, binding.action, binding.description, app.get_key_display(binding), enabled, tip)
        for key, (_, binding, enabled, tip) in screen.active_bindings.items()
        if binding.show
    )


class CodaFooter(Footer):
    # Textual's compact footer runs a group's label into the next key ("Branchr Again").
    DEFAULT_CSS = """
    CodaFooter.-compact FooterLabel { margin: 0 1 0 0; }
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        footer_ready_at_once(self)
        self._composed: tuple[tuple[object, ...], ...] | None = None
        """What the last composition showed; None until one with keys happened."""

    def bindings_changed(self, screen: Screen[Any]) -> None:
        unchanged = self._composed is not None and screen is self.screen
        if unchanged and shown_keys(screen) == self._composed:
            return
        super().bindings_changed(screen)

    def compose(self) -> ComposeResult:
        self._composed = shown_keys(self.screen)
        yield from super().compose()
