"""What the chosen Ollama holds in memory: GPU and CPU shares, a live countdown to unloading,
unload one or all, pin, and the keep_alive a chat sends for each model.

The keep_alive chosen here is saved in the user's config (``[providers.HOST.model_keep_alive]``),
so every chat that loads the model asks Ollama to keep it that long.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from time import monotonic
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Static

from ...config import ConfigWriteError
from ...providers import ProviderError
from ...providers.ollama.types import KeepAlive, RunningModel, keep_alive_text, keeps_forever
from ...services.ollama_hosts import save_keep_alive
from ...units import human_bytes
from ..dialogs import ChoiceScreen
from ..text import plain, short_path, visible_text
from ..widgets.pull_progress import human_duration

if TYPE_CHECKING:
    from .ollama import OllamaScreen

    _Base = OllamaScreen
else:
    _Base = object

MEMORY_COLUMNS = (
    ("model", "In memory"),
    ("size", "Size"),
    ("gpu", "GPU"),
    ("cpu", "CPU"),
    ("until", "Unloads in"),
    ("keep", "Keep alive"),
)

DUE_RETRY = 5.0

KEEP_CHOICES: list[tuple[str, KeepAlive | None]] = [
    ("5 minutes", "5m"),
    ("30 minutes", "30m"),
    ("1 hour", "1h"),
    ("24 hours", "24h"),
    ("Forever (pinned)", -1),
    ("Unload after each answer", 0),
    ("The server's default", None),
]
"""Numbers for -1 and 0: Ollama reads a string "-1" as a duration without a unit and refuses it."""


def now() -> datetime:
    """The memory view's clock (a snapshot test holds it still)."""
    return datetime.now(UTC)


def countdown(running: RunningModel, now: datetime | None = None) -> str:
    """``4:32`` to go, ``forever`` when pinned, ``now`` once due."""
    if running.expires_at is None:
        return ""
    left = running.remaining(now)
    if left is None:
        return "forever"
    return human_duration(left.total_seconds()) if left > timedelta(0) else "now"


def cpu_cell(running: RunningModel) -> str:
    if not running.size_cpu:
        return "—"
    return f"{human_bytes(running.size_cpu)} ({running.cpu_percent}%)"


class OllamaMemory(_Base):
    """Mixed into the Ollama screen."""

    def compose_memory(self) -> ComposeResult:
        yield Static(id="memory-title")
        table: DataTable[Text] = DataTable(id="memory", cursor_type="row")
        for key, label in MEMORY_COLUMNS:
            table.add_column(label, key=key)
        yield table

    @property
    def memory_table(self) -> DataTable[Text]:
        return self.query_one("#memory", DataTable)

    def start_memory_clock(self) -> None:
        self._due_asked = 0.0
        self.set_interval(1.0, self.tick_memory)

    def keep_alive_of(self, name: str) -> KeepAlive | None:
        return self.provider.settings.keep_alive_for(name)

    def fill_memory(self) -> None:
        table = self.memory_table
        title = self.query_one("#memory-title", Static)
        running = sorted(self.running.values(), key=lambda r: r.name)
        table.clear()
        for model in running:
            cells = (
                model.name,
                human_bytes(model.size),
                human_bytes(model.size_vram) if model.size_vram else "—",
                cpu_cell(model),
                countdown(model, now()),
                keep_alive_text(self.keep_alive_of(model.name)),
            )
            table.add_row(*map(plain, cells), key=model.name)
        table.display = bool(running)
        if not running:
            title.update(Content(f"Nothing in memory on {visible_text(self.provider_name)}"))
            return
        size = sum(m.size for m in running)
        gpu = sum(m.size_vram for m in running)
        if gpu >= size:
            where = "all in GPU memory"
        elif gpu == 0:
            where = "all in system memory (CPU)"
        else:
            where = f"{human_bytes(gpu)} GPU · {human_bytes(size - gpu)} CPU"
        host = visible_text(self.provider_name)
        title.update(Content(f"In memory on {host}: {human_bytes(size)} · {where}"))

    def tick_memory(self) -> None:
        """Each second: the countdowns move; one that ran out asks the server what is left."""
        moment = now()
        table = self.memory_table
        due = False
        for model in self.running.values():
            text = countdown(model, moment)
            due = due or text == "now"
            if model.name in table.rows:
                table.update_cell(model.name, "until", plain(text))
        # At most every DUE_RETRY seconds: a host whose clock runs behind ours still lists
        # the model for a while, and must not be asked every second.
        if due and monotonic() - self._due_asked > DUE_RETRY:
            self._due_asked = monotonic()
            self.refresh_models()

    # -- unload all, pin, keep alive -------------------------------------------------------------

    def action_unload_all(self) -> None:
        if not self.running:
            self.notify(f"Nothing is loaded on {self.provider_name}", severity="warning")
            return
        self.unload_all(list(self.running))

    @work(group="ollama-actions", exit_on_error=False)
    async def unload_all(self, names: list[str]) -> None:
        provider = self.provider
        results = await asyncio.gather(
            *(provider.unload_model(name) for name in names), return_exceptions=True
        )
        failed = [f"{n}: {r}" for n, r in zip(names, results, strict=True) if r is not None]
        if failed:
            self.notify(visible_text("; ".join(failed)), severity="error", timeout=10)
        else:
            self.notify(f"Unloaded {len(names)} model{'s' * (len(names) != 1)}")
        self.refresh_models()

    def action_pin(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        pinned = keeps_forever(self.keep_alive_of(model.id))
        loaded = model.id in self.running
        self.set_keep_alive(model.id, None if pinned else -1, load=not pinned or loaded)

    def action_keep_alive(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        current = self.keep_alive_of(model.id)
        labels = [label for label, _ in KEEP_CHOICES]
        values = [value for _, value in KEEP_CHOICES]
        index = values.index(current) if current in values else len(values) - 1

        def chosen(choice: int | None) -> None:
            if choice is not None:
                self.set_keep_alive(model.id, values[choice], load=model.id in self.running)

        title = f"Keep {model.id} loaded after a chat for"
        self.app.push_screen(ChoiceScreen(title, labels, index), chosen)

    def set_keep_alive(self, name: str, value: KeepAlive | None, *, load: bool) -> None:
        """Saved for every chat on this host; applied now when ``load`` (pinning loads it)."""
        host = self.provider_name
        try:
            path = save_keep_alive(self.coda.loaded, host, name, value)
        except (ConfigWriteError, OSError, ValueError) as exc:
            self.notify(visible_text(f"Not saved: {exc}"), severity="error", timeout=15)
            return
        self.coda.reload_config()
        said = keep_alive_text(value) if value is not None else "the server's default"
        where = f"saved in {short_path(path)}"
        self.notify(visible_text(f"{name} on {host}: keep alive {said}, for every chat ({where})"))
        applied = value if value is not None else self.keep_alive_of(name)
        if applied is None:  # what Ollama does unless its server was started otherwise
            applied = "5m"
        if load:
            self.apply_keep_alive(name, applied)
        else:
            self.fill_memory()

    @work(group="ollama-actions", exit_on_error=False)
    async def apply_keep_alive(self, name: str, value: KeepAlive) -> None:
        try:
            await self.provider.keep_loaded(name, value)
        except ProviderError as error:
            self.notify(visible_text(str(error)), severity="error", timeout=10)
        self.refresh_models()
