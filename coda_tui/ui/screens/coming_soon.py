"""Modes whose screens are still to be built say what will be there, instead of an empty pane."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

PLANNED = {
    "models": (
        "Models",
        "Every model of every configured provider in one table: context window, prices,\n"
        "capabilities; filter, sort, chat with one or add it to a comparison.",
    ),
    "ollama": (
        "Ollama",
        "Your local Ollama models: pull with progress, delete, copy, unload, details.",
    ),
    "providers": (
        "Providers",
        "Set up Ollama, OpenAI, Anthropic, any OpenAI-compatible server and OCI GenAI,\n"
        "test the connection, keep keys in environment variables.",
    ),
    "settings": (
        "Settings",
        "Every config key with its value and the layer it comes from, editable in place.",
    ),
}


class ComingSoonScreen(Screen[None]):
    DEFAULT_CSS = """
    ComingSoonScreen Static { width: auto; padding: 1 2; border: round $primary; }
    """

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode

    def compose(self) -> ComposeResult:
        title, text = PLANNED[self.mode]
        yield Header()
        with Middle(), Center():
            yield Static(Content(f"{title} — coming soon\n\n{text}"))
        yield Footer(compact=True)
