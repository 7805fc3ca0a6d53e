"""The Ollama panel's hosts: each configured Ollama and the default address, with version,
reachability and model count, and which one the panel acts on (``h``, or Enter on a host)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import DataTable, Static

from ...providers import ProviderError
from ...services.ollama_hosts import OllamaHost, hosts, probe
from ..text import plain, visible_text

if TYPE_CHECKING:
    from .ollama import OllamaScreen

    _Base = OllamaScreen
else:
    _Base = object


class OllamaHostList(_Base):
    """Mixed into the Ollama screen."""

    def compose_hosts(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(
            id="hosts", cursor_type="row", show_header=False, zebra_stripes=False
        )
        table.add_columns("", "Host", "Address", "State")
        yield table

    @property
    def host_table(self) -> DataTable[Text]:
        return self.query_one("#hosts", DataTable)

    def list_hosts(self) -> None:
        try:
            self.hosts = hosts(self.coda.factory)
        except ProviderError as error:
            self.notify(visible_text(str(error)), severity="error")
            self.hosts = []
        table = self.host_table
        table.clear()
        for host in self.hosts:
            table.add_row(*self.host_cells(host), key=host.name)
        table.display = len(self.hosts) > 1
        self.probe_hosts()

    def host_cells(self, host: OllamaHost) -> list[Text]:
        active = host.name == self.provider_name
        marker = "▶" if active else " "
        state = Text(visible_text(host.summary()), style="dim" if host.error else "")
        name = Text(visible_text(host.name), style="bold" if active else "")
        return [Text(marker), name, plain(host.base_url), state]

    def repaint_host(self, host: OllamaHost) -> None:
        table = self.host_table
        if host.name not in table.rows:
            return
        for column, cell in zip(table.columns, self.host_cells(host), strict=True):
            table.update_cell(host.name, column, cell, update_width=True)

    @work(group="ollama-hosts", exclusive=True, exit_on_error=False)
    async def probe_hosts(self) -> None:
        """Every host but the chosen one (its refresh says how it is), all at once."""
        await asyncio.gather(*(self.reprobe(h) for h in self.hosts if h.name != self.provider_name))

    async def reprobe(self, host: OllamaHost) -> None:
        await probe(self.coda.factory, host)
        self.repaint_host(host)

    def action_next_host(self) -> None:
        if len(self.hosts) < 2:
            self.notify("One Ollama host: add another in Providers (F5)", severity="warning")
            return
        names = [host.name for host in self.hosts]
        index = names.index(self.provider_name) if self.provider_name in names else -1
        self.switch_host(names[(index + 1) % len(names)])

    def switch_host(self, name: str) -> None:
        if name == self.provider_name:
            return
        old = self.provider_name
        self.host_name = name
        for host in self.hosts:
            if host.name in (old, name):
                self.repaint_host(host)
        self.host_table.move_cursor(row=[h.name for h in self.hosts].index(name))
        self.models, self.running = [], {}
        self.table.clear()
        self.fill_memory()
        self.query_one("#memory-title").display = False
        self.query_one("#server", Static).update(Content(f"Asking {visible_text(name)}…"))
        self.refresh_models()

    def host(self, name: str) -> OllamaHost | None:
        return next((host for host in self.hosts if host.name == name), None)
