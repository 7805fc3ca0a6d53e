"""Small dialogs every screen may need: ask for a line of text, confirm an action, pick from a
list while typing."""

from __future__ import annotations

from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList

PickedT = TypeVar("PickedT")

DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64; max-width: 100%; height: auto; max-height: 100%;
    padding: 1 2; border: thick $primary; background: $surface;
}}
{name} > Vertical > Label {{ width: 100%; }}
{name} Horizontal {{ height: auto; align-horizontal: right; margin-top: 1; }}
{name} Button {{ margin-left: 1; }}
"""


class TextPromptScreen(ModalScreen[str | None]):
    DEFAULT_CSS = DIALOG_CSS.format(name="TextPromptScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self._title = title
        self._value = value

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self._title))
            yield Input(self._value, id="value")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("OK", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#value", Input).action_select_all()

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def ok(self) -> None:
        self.dismiss(self.query_one("#value", Input).value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    DEFAULT_CSS = DIALOG_CSS.format(name="ConfirmScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, question: str, confirm: str = "Delete") -> None:
        super().__init__()
        self._question = question
        self._confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self._question))
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button(self._confirm, id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#confirm")
    def confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class ChoiceScreen(ModalScreen[int | None]):
    """Pick one of a few named things (a column to sort by): its index, or None."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ChoiceScreen")
        + """
    ChoiceScreen > Vertical { width: 40; }
    ChoiceScreen OptionList { height: auto; max-height: 16; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, title: str, choices: list[str], current: int = 0, width: int = 40) -> None:
        super().__init__()
        self._title = title
        self._choices = choices
        self._current = current
        self._width = width

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(self._title))
            yield OptionList(*(Content(choice) for choice in self._choices), id="choices")

    def on_mount(self) -> None:
        self.query_one(Vertical).styles.width = self._width
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = self._current
        choices.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_index)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ListPickerScreen(ModalScreen[PickedT | None]):
    """A box to type in above a list to pick from (models, search hits): Up/Down move the
    list while typing, Enter or a click picks, Esc cancels. Options are ``str(index)`` into
    ``items``; others (a provider's error) are shown but cannot be picked."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.items: list[PickedT] = []

    @property
    def options(self) -> OptionList:
        return self.query_one(OptionList)

    @on(Input.Submitted)
    def pick_highlighted(self) -> None:
        highlighted = self.options.highlighted
        if highlighted is not None and highlighted < len(self.items):
            self.dismiss(self.items[highlighted])

    @on(OptionList.OptionSelected)
    def pick(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.items[int(event.option.id)])

    def action_move(self, step: int) -> None:
        self.options.action_cursor_down() if step > 0 else self.options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
