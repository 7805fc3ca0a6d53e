"""The Ollama panel: the local server's models, what is loaded, and pulls with progress."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static
from textual.worker import Worker

from ...providers import Model, ProviderError
from ...units import human_bytes
from ..commands import OLLAMA_COMMANDS
from ..dialogs import ConfirmScreen, TextPromptScreen
from ..text import plain, visible_text
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from ..widgets.pull_progress import PullProgressBar
from .base import CodaScreen
from .model_details import ModelDetailsScreen

if TYPE_CHECKING:
    from ...providers.ollama.provider import OllamaProvider
    from ...providers.ollama.types import RunningModel

COLUMNS = ("Name", "Size", "Loaded", "Parameters", "Quantization", "Family", "Modified")
"""What is loaded comes early: at 80 columns the last columns are past the edge."""


def _when(moment: datetime | None, fmt: str) -> str:
    return moment.astimezone().strftime(fmt) if moment else ""


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def loaded_cell(running: RunningModel | None) -> str:
    if running is None:
        return ""
    parts = [f"● {human_bytes(running.size)}"]
    if running.size and running.size_vram < running.size:
        parts.append(f"{running.size_vram * 100 // running.size}% GPU")
    if running.expires_at:
        parts.append(f"until {_when(running.expires_at, '%H:%M')}")
    return " · ".join(parts)


class OllamaScreen(CodaScreen):
    CSS_PATH = "ollama.tcss"
    PALETTE = OLLAMA_COMMANDS
    BINDINGS = [
        Binding("p", "pull", "Pull", id="ollama_pull", tooltip="Pull a model by name"),
        Binding("d", "delete", "Delete", id="ollama_delete", tooltip="Delete the selected model"),
        Binding("c", "copy", "Copy", id="ollama_copy", tooltip="Copy or rename"),
        Binding("u", "unload", "Unload", id="ollama_unload", tooltip="Free its memory"),
        Binding("i", "details", "Details", id="ollama_details", tooltip="Modelfile, license"),
        Binding("r", "refresh", "Refresh", id="ollama_refresh", tooltip="Ask the server again"),
        Binding("escape", "cancel_last_pull", "Stop pull", id="ollama_stop_pull", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: list[Model] = []
        self.running: dict[str, RunningModel] = {}
        self.pulls: dict[PullProgressBar, Worker[None]] = {}

    @property
    def provider_name(self) -> str:
        """The first configured Ollama section, else the built-in ``ollama``."""
        for name, section in self.coda.loaded.config.providers.items():
            if section.type == "ollama":
                return name
        return "ollama"

    @property
    def provider(self) -> OllamaProvider:
        return cast("OllamaProvider", self.coda.factory.create(self.provider_name))

    def compose(self) -> ComposeResult:
        yield ModeBar("ollama")
        yield Static(Content("Asking Ollama…"), id="server")
        table: DataTable[Text] = DataTable(id="local-models", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield Static(id="down")
        yield table
        yield Vertical(id="pulls")
        yield CodaFooter(compact=True)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#local-models", DataTable)

    def on_mount(self) -> None:
        self.sub_title = "ollama"
        self.query_one("#down").display = False
        self.table.focus()
        self.refresh_models()

    # -- loading ------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_models()

    @work(exclusive=True, group="ollama-refresh", exit_on_error=False)
    async def refresh_models(self) -> None:
        self.coda.catalog.forget(self.provider_name)  # the picker and browser ask again too
        provider = self.provider
        try:
            version, models, running = await asyncio.gather(
                provider.version(), provider.alist_models(), provider.list_running()
            )
        except ProviderError as error:
            self.show_down(error)
            return
        selected = self.selected_name
        self.models = sorted(models, key=lambda m: m.id)
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

    def show_down(self, error: ProviderError) -> None:
        self.models, self.running = [], {}
        self.table.clear()
        self.table.display = False
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

    def fill_table(self, selected: str | None) -> None:
        """Rebuild the rows, keeping the cursor on the model it was on."""
        table = self.table
        old_row = table.cursor_row
        table.clear()
        for model in self.models:
            cells = (
                model.id,
                human_bytes(model.size_bytes) if model.size_bytes else "",
                loaded_cell(self.running.get(model.id)),
                model.parameter_size or "",
                model.quantization or "",
                model.family or "",
                _when(model.modified_at, "%Y-%m-%d %H:%M"),
            )
            table.add_row(*map(plain, cells), key=model.id)
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

    def _selected_or_warn(self) -> Model | None:
        name = self.selected_name
        if name is None:
            self.notify("No model selected", severity="warning")
            return None
        return next(m for m in self.models if m.id == name)

    # -- pulls ----------------------------------------------------------------------------------

    def action_pull(self) -> None:
        def chosen(name: str | None) -> None:
            if name and name.strip():
                self.start_pull(name.strip())

        self.app.push_screen(TextPromptScreen("Pull which model? (e.g. llama3.2:3b)"), chosen)

    def start_pull(self, name: str) -> PullProgressBar:
        bar = PullProgressBar(name)
        self.query_one("#pulls").mount(bar)
        self.pulls[bar] = self.pull(bar)
        return bar

    @work(exit_on_error=False, group="ollama-pulls")
    async def pull(self, bar: PullProgressBar) -> None:
        try:
            async with contextlib.aclosing(self.provider.pull_model(bar.model)) as progress:
                async for update in progress:
                    bar.add(update)
        except ProviderError as error:
            bar.finish(f"failed: {error}", failed=True)
            return
        except asyncio.CancelledError:
            await bar.remove()
            self.notify(f"Pull of {bar.model} cancelled")
            raise
        finally:
            self.pulls.pop(bar, None)
        bar.finish("✓ pulled")
        self.notify(f"Pulled {bar.model}")
        self.set_timer(3, bar.remove)
        self.refresh_models()

    @on(PullProgressBar.CancelRequested)
    def cancel_pull(self, event: PullProgressBar.CancelRequested) -> None:
        worker = self.pulls.get(event.bar)
        if worker is not None:
            worker.cancel()

    def action_cancel_last_pull(self) -> None:
        """Esc: the pull started last stops (its ✕ stops any one)."""
        if self.pulls:
            list(self.pulls.values())[-1].cancel()

    # -- actions on the selected model ----------------------------------------------------------

    def action_delete(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        size = f" ({human_bytes(model.size_bytes)})" if model.size_bytes else ""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_action_on(model.id, "delete")

        question = f"Delete {visible_text(model.id)}{size} from disk? This cannot be undone."
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

    @on(DataTable.RowSelected, "#local-models")
    def row_chosen(self) -> None:
        self.action_details()
