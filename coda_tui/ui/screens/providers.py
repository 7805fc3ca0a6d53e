"""Provider setup: a card per provider, configured or not, what is detected, a connection test."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ...config import ConfigWriteError, LoadedConfig, ProviderSettings, read_layer, write_layer
from ...config.keys import layer_file
from ...providers import ProviderError, ProviderRegistry
from ...providers.spec import ProviderKind
from ...services.setup import all_kinds, detect, form_values, kind_of
from ..commands import PROVIDERS_COMMANDS
from ..text import short_path, visible_text
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from .base import CodaScreen
from .provider_form import SAFETY, ProviderForm, ProviderFormScreen, test_connection

if TYPE_CHECKING:
    pass


@dataclass
class Entry:
    name: str
    kind: ProviderKind
    section: ProviderSettings | None


class ProviderCard(Static, can_focus=True):
    DEFAULT_CSS = """
    ProviderCard { border: round $panel; padding: 0 1; margin: 0 1; height: auto; }
    ProviderCard:focus { border: round $accent; }
    """

    def __init__(self, entry: Entry, is_default: bool = False) -> None:
        super().__init__(id=f"card-{entry.name}")
        self.entry = entry
        self.is_default = is_default
        self.notes: dict[str, str] = {}

    def on_mount(self) -> None:
        self.border_title = self.entry.kind.title
        self.repaint()

    def repaint(self) -> None:
        entry = self.entry
        if entry.section is None and entry.kind.type == "mock":
            status = "● built in: answers offline, nothing to set up"
        elif entry.section is None:
            status = "○ not configured — Enter sets it up"
        else:
            model = entry.section.model or "no default model"
            status = f"● configured as [providers.{entry.name}] · {model}"
        if self.is_default:
            status += " · ★ new chats use it"
        lines = [status, *(self.notes[k] for k in ("detected", "test") if k in self.notes)]
        self.update(Content(visible_text("\n".join(lines))))


class ProvidersScreen(CodaScreen):
    CSS_PATH = "providers.tcss"
    PALETTE = PROVIDERS_COMMANDS
    BINDINGS = [
        Binding("enter", "edit", "Set up", id="providers_edit", tooltip="Open the form"),
        Binding("t", "test", "Test", id="providers_test", tooltip="Test the connection"),
        # Priority: once the cards are taller than the screen (80x24, or a provider installed
        # as a plugin) the scroll area around them took the arrows and scrolled instead.
        Binding("down", "move(1)", id="providers_next", show=False, priority=True),
        Binding("up", "move(-1)", id="providers_previous", show=False, priority=True),
    ]

    def compose(self) -> ComposeResult:
        yield ModeBar("providers")
        yield Static(Content(SAFETY), id="providers-intro")
        yield VerticalScroll(id="cards", can_focus=False)
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "providers"
        self.coda.config_changed.subscribe(self, self.config_changed)
        self.call_after_refresh(self.config_changed, self.coda.loaded)

    def entries(self, loaded: LoadedConfig) -> list[Entry]:
        sections = loaded.config.providers
        found = [Entry(name, kind_of(name, s), s) for name, s in sections.items()]
        taken = {entry.kind.key for entry in found} | set(sections)
        found += [Entry(kind.key, kind, None) for kind in all_kinds() if kind.key not in taken]
        return found

    async def config_changed(self, loaded: LoadedConfig) -> None:
        cards = self.query_one("#cards", VerticalScroll)
        old = {card.entry.name: card.notes for card in self.query(ProviderCard)}
        focused = self.selected.entry.name if self.selected else None
        await cards.remove_children()
        default = loaded.config.defaults.provider
        new = [ProviderCard(entry, entry.name == default) for entry in self.entries(loaded)]
        for card in new:
            card.notes = old.get(card.entry.name, {})
            found = detect(card.entry.kind)
            if found is not None:
                card.notes["detected"] = ("✓ " if found.ready else "· ") + found.text
        await cards.mount_all(new)
        keep = [card for card in new if card.entry.name == focused] or new[:1]
        if keep:
            keep[0].focus()
        self.probe_ollama()

    @property
    def selected(self) -> ProviderCard | None:
        focused = self.focused
        return focused if isinstance(focused, ProviderCard) else None

    @work(exclusive=True, group="ollama-probe", exit_on_error=False)
    async def probe_ollama(self) -> None:
        """Is an Ollama answering where the ollama provider would look?"""
        for card in self.query(ProviderCard):
            if card.entry.kind.type != "ollama":
                continue
            try:
                provider = self.coda.factory.create(card.entry.name, timeout=2.0)
                version = await asyncio.wait_for(provider.version(), 3)  # type: ignore[attr-defined]
                card.notes["detected"] = f"✓ Ollama {version} answers at {provider.base_url}"  # type: ignore[attr-defined]
            except (ProviderError, TimeoutError) as error:
                card.notes["detected"] = f"· {error}"
            card.repaint()

    # -- actions --------------------------------------------------------------------------------

    def action_move(self, step: int) -> None:
        """The next or previous card, scrolled into view: focus_next stopped at the scroll
        area once the cards outgrew the screen, and the arrows then scrolled it."""
        cards = list(self.query(ProviderCard))
        if not cards:
            return
        current = self.selected
        index = cards.index(current) + step if current in cards else 0
        card = cards[max(0, min(index, len(cards) - 1))]
        card.focus()
        card.scroll_visible(animate=False)

    def action_edit(self) -> None:
        card = self.selected
        if card is None:
            return
        entry = card.entry
        values = form_values(entry.kind, entry.section)
        default = self.coda.loaded.config.defaults.provider
        # Setting up the first real provider makes it the default, unless the user says no.
        make_default = default == entry.name or (default == "mock" and entry.kind.type != "mock")
        form = ProviderFormScreen(entry.kind, entry.name, values, make_default)
        self.app.push_screen(form, self.save)

    def save(self, form: ProviderForm | None) -> None:
        if form is None:
            return
        path = layer_file(form.layer)
        try:
            data = read_layer(path)
            data.setdefault("providers", {})[form.name] = form.section
            if form.make_default:
                data.setdefault("defaults", {})["provider"] = form.name
            write_layer(path, data, self.coda.loaded.sections)
        except (ConfigWriteError, ValueError, OSError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", timeout=15)
            return
        if form.session_key:
            self.coda.use_for_session(form.name, api_key=form.session_key)
        self.coda.reload_config()
        used = " · new chats use it" if form.make_default else ""
        self.notify(f"Saved [providers.{form.name}] in {short_path(path)}{used}")

    def action_test(self) -> None:
        card = self.selected
        if card is None:
            return
        if card.entry.section is None and card.entry.name not in ProviderRegistry.list_providers():
            self.notify("Set this provider up first (Enter)", severity="warning")
            return  # a built-in (Ollama, Mock) works unconfigured: that can be tested as it is
        card.notes["test"] = "Testing…"
        card.repaint()
        self.run_test(card)

    @work(group="provider-tests", exit_on_error=False)
    async def run_test(self, card: ProviderCard) -> None:
        try:
            provider = self.coda.factory.create(card.entry.name)
        except ProviderError as error:
            text = f"✗ {error}"
        else:
            _, text = await test_connection(provider)
        card.notes["test"] = text
        card.repaint()
