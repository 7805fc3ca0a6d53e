"""Per-chat settings: system prompt, temperature and max tokens, checked before they apply."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from ...services.chat_session import ChatParams
from ..dialogs import DIALOG_CSS


def parse_params(system_prompt: str, temperature: str, max_tokens: str) -> ChatParams:
    """The form's text as parameters; ``ValueError`` says which field is wrong and why."""
    temp: float | None = None
    if temperature.strip():
        try:
            temp = float(temperature)
        except ValueError:
            raise ValueError("temperature must be a number from 0 to 2") from None
        if not 0 <= temp <= 2:
            raise ValueError("temperature must be a number from 0 to 2")
    tokens: int | None = None
    if max_tokens.strip():
        try:
            tokens = int(max_tokens)
        except ValueError:
            raise ValueError("max tokens must be a whole number above 0") from None
        if tokens <= 0:
            raise ValueError("max tokens must be a whole number above 0")
    return ChatParams(system_prompt=system_prompt.strip(), temperature=temp, max_tokens=tokens)


class ChatSettingsScreen(ModalScreen[ChatParams | None]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ChatSettingsScreen")
        + """
    ChatSettingsScreen > Vertical { width: 80; }
    ChatSettingsScreen TextArea { height: 6; }
    ChatSettingsScreen #error { color: $text-error; height: auto; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, params: ChatParams) -> None:
        super().__init__()
        self.params = params

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("System prompt")
            yield TextArea(self.params.system_prompt, id="system_prompt", soft_wrap=True)
            yield Label("Temperature (0–2; empty: the provider's setting, else [defaults])")
            yield Input(_text(self.params.temperature), id="temperature")
            yield Label("Max tokens (empty: the provider's setting, else [defaults])")
            yield Input(_text(self.params.max_tokens), id="max_tokens")
            yield Static("", id="error")
            with Horizontal():
                yield Button("Cancel", id="cancel")
                yield Button("Save", id="save", variant="primary")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    def save(self) -> None:
        try:
            params = parse_params(
                self.query_one("#system_prompt", TextArea).text,
                self.query_one("#temperature", Input).value,
                self.query_one("#max_tokens", Input).value,
            )
        except ValueError as exc:
            self.query_one("#error", Static).update(Content(str(exc)))
            return
        self.dismiss(params)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _text(value: float | int | None) -> str:
    return "" if value is None else str(value)
