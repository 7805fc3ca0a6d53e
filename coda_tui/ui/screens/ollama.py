"""The Ollama panel: every Ollama host, the chosen one's models, what it holds in memory, and
pulls, copies and new models on it.

Parts live beside it: ``ollama_memory`` (loaded models, keep-alive, pinning), ``ollama_jobs``
(pulls across hosts, copy to a host, duplicate), ``ollama_details`` (lazy details, sorting) and
``modelfile_editor``.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Static

from ...providers import Model, ProviderError
from ...services.ollama_hosts import OllamaHost
from ...units import human_bytes
from ..commands import OLLAMA_COMMANDS
from ..dialogs import ConfirmScreen, TextPromptScreen
from ..text import plain, visible_text
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from .base import CodaScreen
from .model_details import ModelDetailsScreen
from .ollama_details import ABILITIES_WIDTH, ModelsTable, OllamaDetails
from .ollama_host_list import OllamaHostList
from .ollama_jobs import OllamaJobs
from .ollama_memory import OllamaMemory

if TYPE_CHECKING:
    from ...providers.ollama.provider import OllamaProvider
    from ...providers.ollama.types import RunningModel

COLUMNS = (
    ("name", "Name"),
    ("size", "Size"),
    ("context", "Context"),
    ("loaded", "Loaded"),
    ("params", "Parameters"),
    ("quant", "Quant"),
    ("family", "Family"),
    ("modified", "Modified"),
    ("abilities", "Can"),
)
"""What is loaded comes early: at 80 columns the last columns are past the edge."""


def _when(moment: datetime | None, fmt: str) -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def loaded_cell(running: RunningModel | None) -> str:
    if running is None:
        return ""
    parts = [f"● {human_bytes(running.size)}"]
    if running.cpu_percent:
        parts.append(f"{running.cpu_percent}% CPU")
    if running.pinned:
        parts.append("pinned")
    return " · ".join(parts)


class OllamaScreen(OllamaHostList, OllamaMemory, OllamaJobs, OllamaDetails, CodaScreen):
    CSS_PATH = "ollama.tcss"
    PALETTE = OLLAMA_COMMANDS
    BINDINGS = [
        Binding("h", "next_host", "Host", id="ollama_next_host", tooltip="The next Ollama host"),
        Binding("p", "pull", "Pull", id="ollama_pull", tooltip="Pull a model by name"),
        Binding("t", "copy_to_host", "To host", id="ollama_copy_to_host", show=False),
        Binding("d", "delete", "Delete", id="ollama_delete", tooltip="Delete the selected model"),
        Binding("c", "copy", "Copy", id="ollama_copy", show=False),
        Binding("u", "unload", "Unload", id="ollama_unload", tooltip="Free its memory"),
        Binding("U", "unload_all", "Unload all", id="ollama_unload_all", show=False),
        Binding("P", "pin", "Pin", id="ollama_pin", tooltip="Keep it loaded (keep_alive -1)"),
        Binding("k", "keep_alive", "Keep", id="ollama_keep_alive", show=False),
        Binding("e", "modelfile", "Create", id="ollama_modelfile", tooltip="From a Modelfile"),
        Binding("s", "duplicate", "System", id="ollama_duplicate", show=False),
        Binding("i", "details", "Details", id="ollama_details", show=False),
        Binding("o", "sort", "Sort", id="ollama_sort", show=False),
        Binding("r", "refresh", "Refresh", id="ollama_refresh", tooltip="Ask the server again"),
        Binding("R", "resume_pulls", "Resume", id="ollama_resume_pulls", show=False),
        Binding("escape", "cancel_last_pull", "Stop pull", id="ollama_stop_pull", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: list[Model] = []
        self.running: dict[str, RunningModel] = {}
        self.hosts: list[OllamaHost] = []
        self.host_name = ""

    @property
    def provider_name(self) -> str:
        """The chosen host: at first the first configured Ollama section, else ``ollama``."""
        if not self.host_name:
            self.host_name = next(
                (
                    name
                    for name, section in self.coda.loaded.config.providers.items()
                    if section.type == "ollama"
                ),
                "ollama",
            )
        return self.host_name

    @property
    def provider(self) -> OllamaProvider:
        return self.provider_for(self.provider_name)

    def provider_for(self, host: str) -> OllamaProvider:
        return cast("OllamaProvider", self.coda.factory.create(host))

    def compose(self) -> ComposeResult:
        yield ModeBar("ollama")
        yield from self.compose_hosts()
        yield Static(Content("Asking Ollama…"), id="server")
        table = ModelsTable(id="local-models", cursor_type="row", zebra_stripes=True)
        self.add_columns(table)
        yield Static(id="down")
        yield table
        yield from self.compose_memory()
        yield from self.compose_jobs()
        yield CodaFooter(compact=True)

    def add_columns(self, table: DataTable[Text]) -> None:
        """Headers, the sort column's with its arrow (▼: largest or newest first)."""
        for key, label in COLUMNS:  # "Can" is filled in later: a width now, none to grow
            arrow = (" ▼" if self.descending else " ▲") if key == self.sort_key else ""
            width = ABILITIES_WIDTH if key == "abilities" else None
            table.add_column(Text(label + arrow), key=key, width=width)

    @property
    def table(self) -> ModelsTable:
        return self.query_one("#local-models", ModelsTable)

    def on_mount(self) -> None:
        self.sub_title = "ollama"
        self.query_one("#down").display = False
        self.table.focus()
        self.list_hosts()
        self.refresh_models()
        self.start_memory_clock()

    # -- loading ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_models()
        self.probe_hosts()

    @work(exclusive=True, group="ollama-refresh", exit_on_error=False)
    async def refresh_models(self) -> None:
        name = self.provider_name
        self.coda.catalog.forget(name)  # the picker and browser ask again too
        provider = self.provider
        host = self.host(name)
        try:
            version, models, running = await asyncio.gather(
                provider.version(), provider.alist_models(), provider.list_running()
            )
        except ProviderError as error:
            if host is not None:
                host.failed(error)
                self.repaint_host(host)
            self.show_down(error)
            return
        if host is not None:
            host.saw(version, len(models), len(running))
            self.repaint_host(host)
        selected = self.selected_name
        self.models = self.sorted_models(models)
        self.running = {r.name: r for r in running}
        count = f"{len(models)} model{'s' * (len(models) != 1)}"
        self.query_one("#server", Static).update(
            Content(
                f"Ollama {visible_text(version)} at {provider.base_url} · {count} · "
                f"{len(running)} loaded"
            )
        )
        down = self.query_one("#down", Static)
        down.display = not models
        if not models:
            down.update(Content("No local models yet. Press p to pull one, e.g. llama3.2:3b."))
        down.set_class(not models, "-empty")
        self.table.display = True
        self.fill_table(selected)
        self.fill_memory()
        self.query_one("#memory-title").display = True
        self.call_after_refresh(self.ask_visible_details)  # the rows first, then their details

    def show_down(self, error: ProviderError) -> None:
        self.models, self.running = [], {}
        self.table.clear()
        self.table.display = False
        self.fill_memory()
        self.query_one("#memory-title").display = False  # not known: the server did not say
        self.query_one("#server", Static).update(Content(f"Ollama · {self.provider_name}"))
        down = self.query_one("#down", Static)
        down.remove_class("-empty")
        down.update(
            Content(
                f"{visible_text(error.message)}\n\n"
                f"{sentence(error.hint or 'check the server')}.\n"
                "Press r to try again."
            )
        )
        down.display = True

    def row_cells(self, model: Model) -> list[Text]:
        return [
            *map(
                plain,
                (
                    model.id,
                    human_bytes(model.size_bytes) if model.size_bytes else "",
                    self.context_cell(model.id),
                    loaded_cell(self.running.get(model.id)),
                    model.parameter_size or "",
                    model.quantization or "",
                    model.family or "",
                    _when(model.modified_at, "%Y-%m-%d"),
                    self.abilities_cell(model.id),
                ),
            )
        ]

    def fill_table(self, selected: str | None) -> None:
        """Rebuild the rows, keeping the cursor on the model it was on."""
        table = self.table
        old_row = table.cursor_row
        table.clear()
        for model in self.models:
            table.add_row(*self.row_cells(model), key=model.id)
        if not self.models:
            return
        names = [m.id for m in self.models]
        row = names.index(selected) if selected in names else min(old_row, len(names) - 1)
        table.move_cursor(row=row)

    @property
    def selected_name(self) -> str | None:
        table = self.table
        if not self.models or table.row_count == 0:
            return None
        row = table.cursor_row
        return self.models[row].id if 0 <= row < len(self.models) else None

    def target_name(self) -> str | None:
        """The model a key acts on: the memory table's row when it has the focus."""
        memory = self.memory_table
        if memory.has_focus and memory.row_count:
            key = memory.coordinate_to_cell_key(memory.cursor_coordinate).row_key.value
            return key
        return self.selected_name

    def _selected_or_warn(self) -> Model | None:
        name = self.target_name()
        if name is None:
            self.notify("No model selected", severity="warning")
            return None
        return next((m for m in self.models if m.id == name), Model(id=name, provider=""))

    # -- actions on the selected model ----------------------------------------------------------

    def action_delete(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        size = f" ({human_bytes(model.size_bytes)})" if model.size_bytes else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_action_on(model.id, "delete")

        where = f" on {self.provider_name}" if len(self.hosts) > 1 else ""
        question = f"Delete {visible_text(model.id)}{size}{where} from disk? This cannot be undone."
        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_copy(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return

        def chosen(destination: str | None) -> None:
            if destination and destination.strip() and destination.strip() != model.id:
                self.run_action_on(model.id, "copy", destination.strip())

        self.app.push_screen(TextPromptScreen(f"Copy {model.id} as", model.id), chosen)

    def action_unload(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        if model.id not in self.running:
            self.notify(f"{model.id} is not loaded", severity="warning")
            return
        self.run_action_on(model.id, "unload")

    @work(group="ollama-actions", exit_on_error=False)
    async def run_action_on(self, name: str, action: str, destination: str = "") -> None:
        provider = self.provider
        try:
            if action == "delete":
                await provider.delete_model(name)
                done = f"Deleted {name}"
            elif action == "copy":
                await provider.copy_model(name, destination)
                done = f"Copied {name} to {destination}"
            else:
                await provider.unload_model(name)
                done = f"Unloaded {name}"
        except ProviderError as error:
            self.notify(visible_text(str(error)), severity="error", timeout=10)
        else:
            self.notify(visible_text(done))
        self.refresh_models()

    def action_details(self) -> None:
        model = self._selected_or_warn()
        if model is not None:
            self.app.push_screen(ModelDetailsScreen(self.provider, model.id))

    @on(DataTable.RowSelected, "#hosts")
    def host_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.switch_host(event.row_key.value)
            self.table.focus()

    @on(DataTable.RowSelected, "#local-models")
    def row_chosen(self) -> None:
        self.action_details()

    @on(ModelsTable.Scrolled)
    def rows_scrolled(self) -> None:
        self.ask_visible_details()

    @on(DataTable.HeaderSelected, "#local-models")
    def header_chosen(self, event: DataTable.HeaderSelected) -> None:
        self.sort_by(str(event.column_key.value))
