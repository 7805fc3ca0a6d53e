"""Every config key with its effective value and the layer it comes from, editable in place."""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from ...config import ConfigWriteError, LoadedConfig, restore_backup
from ...config.keys import SettingRow, layer_file, parse_value, save_setting, setting_rows
from ..commands import SETTINGS_COMMANDS
from ..dialogs import ConfirmScreen
from ..text import plain, short_path, visible_text
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from .setting_edit import SettingEditScreen
from .table_screen import FilteredTableScreen

if TYPE_CHECKING:
    pass


VALUE_WIDTH = 36


class SettingsScreen(FilteredTableScreen[SettingRow]):
    CSS_PATH = "settings.tcss"
    PALETTE = SETTINGS_COMMANDS
    FILTER_ID, TABLE_ID = "settings-filter", "settings-table"
    BINDINGS = [
        Binding("enter", "edit", "Edit", id="settings_edit", tooltip="Change the selected key"),
        Binding("ctrl+z", "revert", "Revert", id="settings_revert", tooltip="Restore the .bak"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SettingRow] = []
        self.shown: list[SettingRow] = []

    def compose(self) -> ComposeResult:
        yield ModeBar("settings")
        yield Static(id="layers")
        yield Static(id="problems")
        yield Input(
            placeholder="type to filter · Enter edits the selected key", id="settings-filter"
        )
        table: DataTable[Text] = DataTable(id="settings-table", cursor_type="row")
        table.add_column("Key")
        table.add_column("Value", width=VALUE_WIDTH)  # the whole value is in the edit dialog
        table.add_column("From")
        yield table
        yield Static(id="setting-about")
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "settings"
        self.coda.config_changed.subscribe(self, self.config_changed)
        self.query_one("#settings-filter", Input).focus()
        self.config_changed(self.coda.loaded)

    def config_changed(self, loaded: LoadedConfig) -> None:
        self.rows = setting_rows(loaded)
        files = []
        for layer in ("user", "project"):
            path = layer_file(layer)
            files.append(f"{layer}: {short_path(path)}{'' if path.exists() else ' (none yet)'}")
        self.query_one("#layers", Static).update(Content("Writes to  " + "  ·  ".join(files)))
        problems = self.query_one("#problems", Static)
        problems.display = bool(loaded.problems)
        problems.update(Content("\n".join(f"⚠ {visible_text(str(p))}" for p in loaded.problems)))
        self.show()

    @on(Input.Changed, "#settings-filter")
    def show(self) -> None:
        words = self.filter_words
        chosen = self.current
        self.shown = [
            row
            for row in self.rows
            if all(w in f"{row.key} {row.shown} {row.layer.name}".lower() for w in words)
        ]
        table = self.table
        table.clear()
        for row in self.shown:
            table.add_row(plain(row.key), plain(row.shown), plain(row.layer.name))
        keys = [row.key for row in self.shown]
        if chosen is not None and chosen.key in keys:
            table.move_cursor(row=keys.index(chosen.key))
        self.show_about()

    @on(DataTable.RowHighlighted, "#settings-table")
    def show_about(self) -> None:
        row = self.current
        about = f"{row.key}: {row.description}" if row and row.description else ""
        self.query_one("#setting-about", Static).update(Content(visible_text(about)))

    # -- editing ------------------------------------------------------------------------------

    @on(Input.Submitted, "#settings-filter")
    @on(DataTable.RowSelected, "#settings-table")
    def action_edit(self) -> None:
        row = self.current
        if row is None:
            return
        layer = "project" if row.layer.name == "project" else "user"

        def save(layer: str, text: str | None) -> str | None:
            return self.save(row, layer, text)

        self.app.push_screen(SettingEditScreen(row, save, layer))

    def save(self, row: SettingRow, layer: str, text: str | None) -> str | None:
        """Write the key, re-read every layer; the validation message if it was refused."""
        value = None if text is None else parse_value(text)
        refused = self._unknown_name(row.key, value)
        if refused:
            return refused
        try:
            path = save_setting(self.coda.loaded, layer, row.key, value)
        except ConfigWriteError as exc:
            return str(exc)
        except (tomllib.TOMLDecodeError, OSError) as exc:
            return f"not saved: the {layer} file cannot be rewritten ({exc}); fix it by hand"
        self.coda.reload_config()
        self.notify(f"Saved {row.key} in {short_path(path)}")
        return None

    def _unknown_name(self, key: str, value: object) -> str | None:
        """Names the schema cannot check: a theme or a provider that does not exist."""
        known = {
            "ui.theme": sorted(self.app.available_themes),
            "defaults.provider": self.coda.factory.available(),
        }.get(key)
        if known is None or value is None or value in known:
            return None
        return f"not written: no {key.split('.')[-1]} {value!r}; there are " + ", ".join(known)

    def action_revert(self) -> None:
        path = layer_file("user")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                restore_backup(path)
            except (ConfigWriteError, OSError) as exc:
                self.notify(str(exc), severity="warning")
                return
            self.coda.reload_config()
            self.notify(f"Restored {short_path(path)} from its .bak")

        self.app.push_screen(
            ConfirmScreen(f"Put back {path} as it was before the last save?", "Revert"),
            confirmed,
        )
