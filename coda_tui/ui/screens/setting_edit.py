"""Edit one config key: the new value, the layer to write it to, the validation message."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

from ...config.keys import SettingRow
from ..dialogs import DIALOG_CSS
from ..text import visible_text

Save = Callable[[str, str | None], str | None]
"""(layer, text or None to remove) -> an error message, or None when written."""


class SettingEditScreen(ModalScreen[bool]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="SettingEditScreen")
        + """
    SettingEditScreen > Vertical { width: 80; }
    SettingEditScreen .about { color: $text-muted; }
    SettingEditScreen RadioSet { layout: horizontal; width: 100%; border: none; }
    SettingEditScreen #setting-error { color: $error; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_setting")]

    def __init__(self, row: SettingRow, save: Save, layer: str = "user") -> None:
        super().__init__()
        self.row = row
        self.write = save
        self.start_layer = layer

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical():
            yield Label(Content(row.key), classes="title")
            if row.description:
                yield Label(Content(row.description), classes="about")
            yield Label(
                Content(f"Now: {visible_text(row.shown) or '(unset)'}  ·  from {row.layer}")
            )
            editable = "" if row.shown.startswith("••••") else row.shown
            yield Input(editable, id="setting-value", placeholder="empty removes it from the layer")
            with RadioSet(id="setting-layer"):
                user = self.start_layer == "user"
                yield RadioButton("user file", value=user, id="layer-user")
                yield RadioButton("project file", value=not user, id="layer-project")
            yield Label("", id="setting-error")
            with Horizontal():
                yield Button("Remove from layer", id="remove")
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#setting-value", Input).focus()

    @property
    def chosen_layer(self) -> str:
        pressed = self.query_one("#setting-layer", RadioSet).pressed_button
        return "project" if pressed is not None and pressed.id == "layer-project" else "user"

    def _write(self, text: str | None) -> None:
        error = self.write(self.chosen_layer, text)
        if error is None:
            self.dismiss(True)
        else:
            self.query_one("#setting-error", Label).update(Content(visible_text(error)))

    @on(Input.Submitted, "#setting-value")
    @on(Button.Pressed, "#save")
    def save_pressed(self) -> None:
        self._write(self.query_one("#setting-value", Input).value)

    @on(Button.Pressed, "#remove")
    def remove_pressed(self) -> None:
        self._write(None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)
