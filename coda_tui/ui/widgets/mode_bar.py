"""The top line: every mode with its key, the one on screen marked, and the screen's subtitle.

The footer at 80 columns has room for the screen's own keys, not for six mode keys as well
(F5 and F6 fell off its end), so the modes live here, where a click also switches.
"""

from __future__ import annotations

from textual import events
from textual.content import Content, Span
from textual.widget import Widget

from ..commands import MODE_COMMANDS

MODES = [(mode, title) for mode, title, _ in MODE_COMMANDS]


class ModeBar(Widget):
    DEFAULT_CSS = """
    ModeBar { height: 1; background: $panel; color: $text-muted; }
    """

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self._places: list[tuple[int, int, str]] = []

    def on_mount(self) -> None:
        self.watch(self.screen, "sub_title", lambda _: self.refresh())

    def key_of(self, mode: str) -> str:
        """The key bound to the mode now (the user's keymap included), as the footer shows it."""
        for active in self.screen.active_bindings.values():
            if active.binding.id == f"mode_{mode}":
                return self.app.get_key_display(active.binding)
        return ""

    def render(self) -> Content:
        text, spans, self._places = " ", [], []
        for mode, title in MODES:
            label = f" {self.key_of(mode)} {title} ".replace("  ", " ")
            start = len(text)
            text += label
            self._places.append((start, len(text), mode))
            if mode == self.mode:
                spans.append(Span(start, len(text), "bold reverse $accent"))
            text += " "
        subtitle = self.screen.sub_title
        room = self.size.width - len(text) - 1
        if subtitle and room > 8:
            shown = subtitle if len(subtitle) <= room else subtitle[: room - 1] + "…"
            text += " " * (room - len(shown)) + shown
        return Content(text, spans=spans)

    def on_click(self, event: events.Click) -> None:
        for start, end, mode in self._places:
            if start <= event.x < end and mode != self.mode:
                self.app.switch_mode(mode)
