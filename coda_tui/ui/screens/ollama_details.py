"""Details for every row of the Ollama panel, asked for as rows come into view, and sorting.

/api/tags says nothing of context length or capabilities: that takes /api/show, one request per
model. The rows on screen are asked for (four at a time) as they scroll into view, and the
answers are kept per host; sorting by context asks for the rest first, so every row has one.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable

from ...providers import Model, ProviderError
from ..dialogs import ChoiceScreen
from ..text import plain

if TYPE_CHECKING:
    from ...providers.ollama.types import ModelInfo
    from .ollama import OllamaScreen

    _Base = OllamaScreen
else:
    _Base = object

DETAILS_AT_ONCE = 4
REPAINT_EVERY = 0.3
ABILITIES_WIDTH = 18
SHORT = {"thinking": "think", "embedding": "embed"}
SORTS = (("name", "Name"), ("size", "Size"), ("context", "Context"), ("modified", "Modified"))
LARGEST_FIRST = {"size", "context", "modified", "params"}
_UNITS = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}
_OLDEST = datetime.min.replace(tzinfo=UTC)


def context_text(tokens: int | None) -> str:
    """``8K``, ``128K``, ``40,000``: as model cards write context windows."""
    if not tokens:
        return ""
    if tokens >= 1024 and tokens % 1024 == 0:
        return f"{tokens // 1024}K"
    return f"{tokens:,}"


def parameter_count(text: str | None) -> float:
    """``8.0B`` -> 8e9, ``494.03M`` -> 4.94e8 (Ollama's parameter_size); 0 when unknown."""
    found = re.fullmatch(r"\s*([\d.]+)\s*([KMBT]?)\s*", (text or "").upper())
    if not found:
        return 0.0
    try:
        return float(found.group(1)) * _UNITS[found.group(2)]
    except ValueError:
        return 0.0


class ModelsTable(DataTable[Text]):
    """The model list; says when it scrolled, so the rows that came into view get details."""

    class Scrolled(Message):
        pass

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Scrolled())


class OllamaDetails(_Base):
    """Mixed into the Ollama screen."""

    def __init__(self) -> None:
        super().__init__()
        self.infos: dict[tuple[str, str], ModelInfo | None] = {}
        """/api/show per (host, model); None when the server could not say."""
        self.asking: set[tuple[str, str]] = set()
        self.sort_key = "name"
        self.sort_reverse = False
        self._details_due: set[str] = set()
        self._details_timer: Timer | None = None

    def info(self, name: str) -> ModelInfo | None:
        return self.infos.get((self.provider_name, name))

    def context_cell(self, name: str) -> str:
        if (self.provider_name, name) in self.asking:
            return "…"
        info = self.info(name)
        return context_text(info.context_length) if info else ""

    def abilities_cell(self, name: str) -> str:
        """What it can do beyond text (Ollama's capabilities), short: ``tools vision think``."""
        info = self.info(name)
        if info is None:
            return ""
        return " ".join(SHORT.get(c, c) for c in info.capabilities if c != "completion")

    def visible_names(self) -> list[str]:
        table = self.table
        top = max(int(table.scroll_y), 0)
        height = max(table.scrollable_content_region.height, 1)
        return [model.id for model in self.models[top : top + height]]

    def ask_visible_details(self) -> None:
        self.ask_details(self.visible_names())

    def ask_details(self, names: list[str], then_sort: bool = False) -> None:
        host = self.provider_name
        wanted = [n for n in names if (host, n) not in self.infos and (host, n) not in self.asking]
        if wanted or then_sort:
            self.fetch_details(host, wanted, then_sort)

    @work(group="ollama-details", exit_on_error=False)
    async def fetch_details(self, host: str, names: list[str], then_sort: bool) -> None:
        """Four at a time. Rows are repainted together, at most every REPAINT_EVERY seconds and
        when the last answer is in: a DataTable renders every visible cell again after any cell
        changes (some 50 ms for a screenful). For a sort the table is filled once, at the end."""
        provider = self.provider_for(host)
        gate = asyncio.Semaphore(DETAILS_AT_ONCE)
        self.asking.update((host, name) for name in names)

        async def one(name: str) -> None:
            async with gate:
                try:
                    self.infos[host, name] = await provider.model_info(name)
                except ProviderError:
                    self.infos[host, name] = None
                finally:
                    self.asking.discard((host, name))
            if not then_sort:
                self._repaint_details(host, [name])

        await asyncio.gather(*(one(name) for name in names))
        if self._details_timer is not None:  # the last answers: painted now, not a tick later
            self._details_timer.stop()
            self._flush_details()
        if then_sort and host == self.provider_name:
            self.models = self.sorted_models(self.models)
            self.fill_table(self.selected_name)

    def _repaint_details(self, host: str, names: list[str]) -> None:
        if host != self.provider_name:
            return
        self._details_due.update(names)
        if self._details_timer is None:
            self._details_timer = self.set_timer(REPAINT_EVERY, self._flush_details)

    def _flush_details(self) -> None:
        self._details_timer = None
        names, self._details_due = self._details_due, set()
        table = self.table
        for name in names:
            if name in table.rows:
                table.update_cell(name, "context", plain(self.context_cell(name)))
                table.update_cell(name, "abilities", plain(self.abilities_cell(name)))

    # -- sorting --------------------------------------------------------------------------------

    @property
    def descending(self) -> bool:
        return (self.sort_key in LARGEST_FIRST) != self.sort_reverse

    def sorted_models(self, models: list[Model]) -> list[Model]:
        key = self.sort_key

        def value(model: Model) -> Any:
            if key == "size":
                return model.size_bytes or 0
            if key == "context":
                info = self.info(model.id)
                return (info.context_length or 0) if info else -1
            if key == "modified":
                return model.modified_at or _OLDEST
            if key == "params":
                return parameter_count(model.parameter_size)
            if key in ("family", "quant"):
                return (model.family if key == "family" else model.quantization) or ""
            return model.id

        descending = self.descending
        ordered = sorted(models, key=lambda m: m.id)  # ties in name order
        return sorted(ordered, key=value, reverse=descending)

    def action_sort(self) -> None:
        keys = [key for key, _ in SORTS]
        current = keys.index(self.sort_key) if self.sort_key in keys else 0

        def chosen(index: int | None) -> None:
            if index is not None:
                self.sort_by(keys[index])

        labels = [f"{name} (again reverses)" if k == self.sort_key else name for k, name in SORTS]
        self.app.push_screen(ChoiceScreen("Sort models by", labels, current), chosen)

    def sort_by(self, key: str) -> None:
        if key == "loaded":
            return
        selected = self.selected_name
        if key == self.sort_key:
            self.sort_reverse = not self.sort_reverse
        else:
            self.sort_key, self.sort_reverse = key, False
        self.table.clear(columns=True)  # a changed label is not measured again: rebuilt
        self.add_columns(self.table)
        if key == "context":
            missing = [m.id for m in self.models if (self.provider_name, m.id) not in self.infos]
            if missing:
                self.notify(f"Reading the details of {len(missing)} models to sort by context")
                self.fill_table(selected)
                self.ask_details(missing, then_sort=True)
                return
        self.models = self.sorted_models(self.models)
        self.fill_table(selected)
