"""Every model of every configured provider in one table: filter, sort, chat or compare."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from ...providers import Model, ProviderError
from ...services import DISCOVERY_TIMEOUT
from ...units import human_bytes
from ..commands import MODELS_COMMANDS
from ..dialogs import ChoiceScreen
from ..intents import ChatWith, CompareWith
from ..text import plain, visible_text
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from .model_picker import ModelChoice
from .table_screen import FilteredTableScreen

if TYPE_CHECKING:
    pass


def _thousands(tokens: int | None) -> str:
    if not tokens:
        return ""
    if tokens < 1000:
        return str(tokens)
    if tokens % 1000 and tokens % 1024 == 0:  # 32768 reads as 32k, 128000 as 128k
        return f"{tokens // 1024}k"
    return f"{round(tokens / 1000)}k"


def _price(value: float | None) -> str:
    return "" if value is None else f"${value:g}"


def _local(model: Model) -> str:
    parts = [human_bytes(model.size_bytes) if model.size_bytes else "", model.quantization or ""]
    return " ".join(part for part in parts if part)


def _capabilities(model: Model) -> str:
    return ", ".join(c for c in model.capabilities if c != "chat")


def _input_price(m: Model) -> float | None:
    return m.pricing.input_per_million if m.pricing else None


def _output_price(m: Model) -> float | None:
    return m.pricing.output_per_million if m.pricing else None


Column = tuple[str, Callable[[Model], Any], Callable[[Model], str]]
COLUMNS: list[Column] = [
    ("Provider", lambda m: m.provider, lambda m: m.provider),
    ("Model", lambda m: m.id.lower(), lambda m: m.id),
    ("Ctx", lambda m: m.context_length, lambda m: _thousands(m.context_length)),
    ("In $/1M", _input_price, lambda m: _price(_input_price(m))),
    ("Out $/1M", _output_price, lambda m: _price(_output_price(m))),
    ("Size/Quant", lambda m: m.size_bytes, _local),
    ("Can", _capabilities, _capabilities),
    ("Max out", lambda m: m.max_output_tokens, lambda m: _thousands(m.max_output_tokens)),
]
"""What tells models apart first; long model names push the last columns past the edge."""


def sorted_models(models: list[Model], column: int, reverse: bool) -> list[Model]:
    """By one column, models without a value last whichever the direction."""
    key = COLUMNS[column][1]
    known = [m for m in models if key(m) not in (None, "")]
    unknown = [m for m in models if key(m) in (None, "")]
    known.sort(key=lambda m: (key(m), m.provider, m.id), reverse=reverse)
    return known + sorted(unknown, key=lambda m: (m.provider, m.id))


def details_text(model: Model) -> str:
    facts: list[tuple[str, object]] = [
        ("Provider", model.provider),
        ("Model", model.id),
        ("Name", model.display_name if model.display_name != model.id else None),
        ("Context", f"{model.context_length:,} tokens" if model.context_length else None),
        ("Max output", f"{model.max_output_tokens:,} tokens" if model.max_output_tokens else None),
        ("Input", f"${_input_price(model):g} per 1M" if _input_price(model) is not None else None),
        (
            "Output",
            f"${_output_price(model):g} per 1M" if _output_price(model) is not None else None,
        ),
        ("Can", ", ".join(model.capabilities)),
        ("Family", model.family),
        ("Parameters", model.parameter_size),
        ("Quantization", model.quantization),
        ("Size", human_bytes(model.size_bytes) if model.size_bytes else None),
        ("Modified", model.modified_at.date().isoformat() if model.modified_at else None),
        ("Retires", model.deprecated_at.date().isoformat() if model.deprecated_at else None),
    ]
    return "\n".join(f"{key:<13}{value}" for key, value in facts if value)


class ModelsScreen(FilteredTableScreen[Model]):
    CSS_PATH = "models.tcss"
    PALETTE = MODELS_COMMANDS
    FILTER_ID, TABLE_ID = "filter", "model-table"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("enter", "chat_with", "Chat", id="models_chat", tooltip="Chat with this model"),
        Binding("ctrl+b", "add_to_compare", "+Compare", id="models_compare", tooltip="Add a pane"),
        Binding("ctrl+s", "sort", "Sort", id="models_sort", tooltip="Choose the column"),
        Binding("ctrl+r", "refresh", "Refresh", id="models_refresh", tooltip="Ask every provider"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: dict[str, list[Model]] = {}
        self.failures: dict[str, ProviderError] = {}
        self.asking: set[str] = set()
        self.described: set[tuple[str, str]] = set()
        self.unset: set[str] = set()
        """Built-in providers nobody configured (set up in F5)."""
        self.shown: list[Model] = []
        self.sort_column = 0
        self.sort_reverse = False

    def compose(self) -> ComposeResult:
        yield ModeBar("models")
        with Horizontal(id="filter-bar"):
            yield Input(
                placeholder="type to filter · Enter chats with the highlighted model", id="filter"
            )
            yield Static(id="load-status")
        yield Static(id="failures")
        with Horizontal(id="browser"):
            yield DataTable[Text](id="model-table", cursor_type="row")
            yield Static(Content("No model selected"), id="model-details")
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "models"
        self.query_one("#filter", Input).focus()
        self.action_refresh(first=True)

    # -- loading ------------------------------------------------------------------------------

    def action_refresh(self, first: bool = False) -> None:
        for name in self.coda.catalog.providers():
            self.asking.add(name)
            self.load(name, refresh=not first)
        self.show()

    @work(group="models-browser", exit_on_error=False)
    async def load(self, name: str, refresh: bool) -> None:
        try:
            listing = await self.coda.catalog.listing(name, refresh=refresh)
        finally:
            self.asking.discard(name)
        if listing.error is None:
            self.failures.pop(name, None)
            self.models[name] = listing.models
        else:
            if listing.not_set_up:
                self.unset.add(name)
            else:
                self.failures[name] = listing.error
            self.models.pop(name, None)
        self.show()

    # -- showing --------------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def show(self) -> None:
        """Rebuild the rows from what has arrived, filtered and sorted, keeping the cursor."""
        words = self.filter_words
        everything = [model for models in self.models.values() for model in models]
        matching = [m for m in everything if all(w in self._haystack(m) for w in words)]
        chosen = self.current
        self.shown = sorted_models(matching, self.sort_column, self.sort_reverse)
        table = self.table
        self._columns()
        for model in self.shown:
            table.add_row(*(plain(show(model)) for _, _, show in COLUMNS))
        keys = [(m.provider, m.id) for m in self.shown]
        if chosen is not None and (chosen.provider, chosen.id) in keys:
            table.move_cursor(row=keys.index((chosen.provider, chosen.id)))
        self._show_status(len(everything))
        self.show_details()

    @staticmethod
    def _haystack(model: Model) -> str:
        return " ".join(
            [model.provider, model.id, model.display_name or "", *model.capabilities]
        ).lower()

    def _columns(self) -> None:
        """Headers with the sort arrow (rebuilt: a changed label is not re-measured)."""
        table = self.table
        table.clear(columns=True)
        for index, (title, *_) in enumerate(COLUMNS):
            arrow = (" ▼" if self.sort_reverse else " ▲") if index == self.sort_column else ""
            table.add_column(Text(title + arrow), key=title)

    def _show_status(self, total: int) -> None:
        parts = [f"{len(self.shown)} of {total} models"]
        if self.asking:
            parts.append("asking " + ", ".join(sorted(self.asking)) + "…")
        if self.unset:
            parts.append("not set up: " + ", ".join(sorted(self.unset)))
        self.query_one("#load-status", Static).update(Content(" · ".join(parts)))
        failures = self.query_one("#failures", Static)
        failures.display = bool(self.failures)
        failures.update(
            Content(
                "\n".join(f"⚠ {visible_text(str(self.failures[n]))}" for n in sorted(self.failures))
            )
        )

    @on(DataTable.RowHighlighted, "#model-table")
    def show_details(self) -> None:
        model = self.current
        text = details_text(model) if model else "No model matches"
        self.query_one("#model-details", Static).update(Content(visible_text(text)))
        if model is not None and (model.provider, model.id) not in self.described:
            self.describe(model)

    @work(group="models-describe", exclusive=True, exit_on_error=False)
    async def describe(self, model: Model) -> None:
        """What a listing leaves out (Ollama's context window and capabilities come one model
        per request), asked for the highlighted model only, once."""
        self.described.add((model.provider, model.id))
        provider = self.coda.factory.create(model.provider)
        try:
            described = await asyncio.wait_for(provider.adescribe_model(model), DISCOVERY_TIMEOUT)
        except (ProviderError, TimeoutError):
            return
        if described == model:
            return
        listed = self.models.get(model.provider, [])
        self.models[model.provider] = [described if m.id == model.id else m for m in listed]
        self.show()

    # -- keys -------------------------------------------------------------------------------------

    def action_sort(self) -> None:
        """Pick the column (the one sorted now is offered; picking it again reverses it):
        walking every column in turn took 15 presses to reach Size."""
        titles = [
            title + (" (reverse it)" if index == self.sort_column else "")
            for index, (title, *_) in enumerate(COLUMNS)
        ]

        def chosen(index: int | None) -> None:
            if index is not None:
                self.sort_by(index)

        self.app.push_screen(ChoiceScreen("Sort by", titles, self.sort_column), chosen)

    def sort_by(self, column: int) -> None:
        """A new column sorts ascending; the same column again reverses."""
        if column == self.sort_column:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_column, self.sort_reverse = column, False
        self.show()

    @on(DataTable.HeaderSelected, "#model-table")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(event.column_index)

    @on(Input.Submitted, "#filter")
    @on(DataTable.RowSelected, "#model-table")
    def action_chat_with(self) -> None:
        choice = self._highlighted()
        if choice is not None:
            self.post_message(ChatWith(choice))

    def action_add_to_compare(self) -> None:
        choice = self._highlighted()
        if choice is not None:
            self.post_message(CompareWith(choice))

    def _highlighted(self) -> ModelChoice | None:
        model = self.current
        if model is None:
            self.notify("No model selected", severity="warning")
            return None
        return ModelChoice(model.provider, model)
