"""Pick a model from every provider at once; each provider's models appear as they arrive."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...providers import Model
from ...services import ModelCatalog
from ..dialogs import DIALOG_CSS, ListPickerScreen
from ..failures import ReportsFailures


@dataclass(frozen=True)
class ModelChoice:
    provider: str
    model: Model


def describe(model: Model) -> str:
    parts = [f"{model.provider} · {model.id}"]
    if model.context_length:
        parts.append(f"{model.context_length // 1000}k ctx")
    if model.parameter_size:
        parts.append(model.parameter_size)
    if model.pricing and model.pricing.input_per_million is not None:
        parts.append(
            f"${model.pricing.input_per_million:g}/${model.pricing.output_per_million:g} per 1M"
        )
    return "  ".join(parts)


class ModelPickerScreen(ReportsFailures, ListPickerScreen[ModelChoice]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ModelPickerScreen")
        + """
    ModelPickerScreen > Vertical { width: 90; height: 24; }
    ModelPickerScreen > Vertical > Label { height: auto; }
    ModelPickerScreen OptionList { height: 1fr; }
    """
    )

    def __init__(self, catalog: ModelCatalog) -> None:
        super().__init__()
        self.catalog = catalog
        self.choices: list[ModelChoice] = []
        self.failures: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Choose a model — type to filter, Enter to pick")
            yield Input(placeholder="filter", id="filter")
            yield OptionList(id="models")

    def on_mount(self) -> None:
        for name in self.catalog.providers():
            self.load(name)

    @work(group="models", exit_on_error=False)
    async def load(self, name: str) -> None:
        listing = await self.catalog.listing(name)
        if listing.failed:
            self.failures[name] = str(listing.error)
        self.choices.extend(ModelChoice(name, model) for model in listing.models)
        self.show()

    @on(Input.Changed, "#filter")
    def show(self) -> None:
        words = self.query_one("#filter", Input).value.lower().split()
        options = self.query_one("#models", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        visible = [
            choice
            for choice in sorted(self.choices, key=lambda c: (c.provider, c.model.id))
            if all(word in describe(choice.model).lower() for word in words)
        ]
        options.add_options(
            Option(Content(describe(choice.model)), id=f"{index}")
            for index, choice in enumerate(visible)
        )
        options.add_options(
            Option(Content(f"⚠ {message}"), disabled=True)
            for message in (self.failures[name] for name in sorted(self.failures))
        )
        self.items = visible
        if visible:
            options.highlighted = min(highlighted or 0, len(visible) - 1)
