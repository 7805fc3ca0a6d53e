"""Everything Ollama says about one model: details, parameters, template, license, Modelfile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from ...providers import ProviderError
from ..dialogs import DIALOG_CSS
from ..failures import ReportsFailures
from ..text import visible_text

if TYPE_CHECKING:
    from ...providers.ollama.provider import OllamaProvider
    from ...providers.ollama.types import ModelInfo


def info_sections(info: ModelInfo) -> list[tuple[str, str]]:
    details = info.details
    facts = [
        ("Family", details.family),
        ("Parameters", details.parameter_size),
        ("Quantization", details.quantization_level),
        ("Format", details.format),
        ("Context length", f"{info.context_length:,}" if info.context_length else None),
        ("Capabilities", ", ".join(info.capabilities) or None),
    ]
    summary = "\n".join(f"{key:<16}{value}" for key, value in facts if value)
    sections = [
        ("Details", summary),
        ("Parameters", info.parameters),
        ("System prompt", info.system),
        ("Template", info.template),
        ("License", info.license),
        ("Modelfile", info.modelfile),
    ]
    return [(title, text.strip()) for title, text in sections if text and text.strip()]


class ModelDetailsScreen(ReportsFailures, ModalScreen[None]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ModelDetailsScreen")
        + """
    ModelDetailsScreen > Vertical { width: 96; height: 80%; }
    ModelDetailsScreen VerticalScroll { height: 1fr; }
    ModelDetailsScreen .section-title { text-style: bold; color: $accent; margin-top: 1; }
    ModelDetailsScreen .section { color: $text; }
    """
    )
    BINDINGS = [Binding("escape", "close", "Close", id="close_details")]

    def __init__(self, provider: OllamaProvider, name: str) -> None:
        super().__init__()
        self.provider = provider
        self.model_name = name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"{visible_text(self.model_name)} — Esc closes"))
            with VerticalScroll(id="sections"):
                yield Static(Content("Loading…"), id="loading")

    def on_mount(self) -> None:
        self.query_one("#sections").focus()
        self.load()

    @work(exit_on_error=False)
    async def load(self) -> None:
        try:
            info = await self.provider.show_model(self.model_name)
        except ProviderError as error:
            self.query_one("#loading", Static).update(Content(visible_text(str(error))))
            return
        sections = self.query_one("#sections")
        await sections.remove_children()
        for title, text in info_sections(info):
            await sections.mount(
                Static(Content(title), classes="section-title"),
                Static(Content(visible_text(text)), classes="section"),
            )

    def action_close(self) -> None:
        self.dismiss(None)
