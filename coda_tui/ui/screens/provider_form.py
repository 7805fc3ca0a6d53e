"""Set up one provider: its settings, a connection test, and saving without any secret."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label

from ...providers import BaseProvider, ProviderError, ProviderFactory
from ...providers.spec import ProviderKind
from ...services.setup import SESSION_KEY_FIELD, FormError, section_from_form
from ..dialogs import DIALOG_CSS
from ..failures import ReportsFailures
from ..text import visible_text

TEST_TIMEOUT = 20.0
SAFETY = (
    "Keys stay in environment variables: the file gets ${NAME}, never the key. A key pasted "
    "here is kept in memory for this session only, never written to a file, log or history."
)


@dataclass(frozen=True)
class ProviderForm:
    """What the dialog returns: where to save, the section, a key for this session only."""

    name: str
    section: dict[str, Any]
    layer: str
    session_key: str
    make_default: bool = False
    """Also make it ``[defaults] provider``: new chats use it."""


async def test_connection(provider: BaseProvider) -> tuple[bool, str]:
    """List the models, then (with a model set) ask for one token: what works, or the error."""
    try:
        started = time.perf_counter()
        models = await asyncio.wait_for(provider.alist_models(refresh=True), TEST_TIMEOUT)
        listed = f"{len(models)} model{'s' * (len(models) != 1)} listed"
        model = provider.settings.model
        if not model:
            return True, f"✓ {listed} in {time.perf_counter() - started:.1f} s"
        started = time.perf_counter()
        messages = [{"role": "user", "content": "Say OK."}]
        await asyncio.wait_for(provider.achat(messages, max_tokens=1), TEST_TIMEOUT)
        return True, f"✓ {listed}; {model} answered in {time.perf_counter() - started:.1f} s"
    except ProviderError as error:
        return False, f"✗ {error}"
    except TimeoutError:
        return False, f"✗ no answer within {TEST_TIMEOUT:g} s"


def unsaved_provider(name: str, section: dict[str, Any], session_key: str) -> BaseProvider:
    """The provider the form describes, before anything is saved."""
    session = {name: {"api_key": session_key}} if session_key else {}
    return ProviderFactory({"providers": {name: section}}, session=session).create(name)


class ProviderFormScreen(ReportsFailures, ModalScreen[ProviderForm | None]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="ProviderFormScreen")
        + """
    ProviderFormScreen > Vertical { width: 90; height: 100%; max-height: 32; padding: 0 1; }
    ProviderFormScreen VerticalScroll { height: 1fr; }
    ProviderFormScreen .field-label { color: $text-muted; width: 100%; }
    ProviderFormScreen Input { margin-bottom: 1; }
    ProviderFormScreen #safety { color: $text-muted; height: auto; }
    ProviderFormScreen #test-result { height: auto; }
    ProviderFormScreen Horizontal { margin-top: 0; }
    ProviderFormScreen #test-result.-ok { color: $success; }
    ProviderFormScreen #test-result.-failed { color: $error; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel_provider")]

    def __init__(
        self, kind: ProviderKind, name: str, values: dict[str, str], make_default: bool = False
    ) -> None:
        super().__init__()
        self.kind = kind
        self.section_name = name
        self.values = values
        self.make_default = make_default

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"{self.kind.title} — [providers.{self.section_name}]"))
            with VerticalScroll():
                yield Label("Section name", classes="field-label")
                yield Input(self.section_name, id="field-name", compact=True)
                for form_field in self.kind.fields:
                    yield Label(Content(form_field.label), classes="field-label")
                    yield Input(
                        self.values.get(form_field.name, ""),
                        placeholder=form_field.placeholder,
                        password=form_field.password,
                        id=f"field-{form_field.name}",
                        compact=True,
                    )
                yield Checkbox(
                    "Use for new chats ([defaults] provider)",
                    self.make_default,
                    id="make-default",
                    compact=True,
                )
            yield Label(Content(SAFETY), id="safety")
            yield Label("", id="test-result")
            with Horizontal():
                yield Button("Test connection", id="test", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Save to project", id="save-project", compact=True)
                yield Button("Save", id="save-user", variant="primary", compact=True)

    def form(self) -> dict[str, str]:
        return {f.name: self.query_one(f"#field-{f.name}", Input).value for f in self.kind.fields}

    @property
    def name_value(self) -> str:
        return self.query_one("#field-name", Input).value.strip() or self.kind.key

    def _show(self, ok: bool, text: str) -> None:
        result = self.query_one("#test-result", Label)
        result.set_class(ok, "-ok")
        result.set_class(not ok, "-failed")
        result.update(Content(visible_text(text)))

    def _section(self) -> dict[str, Any] | None:
        try:
            return section_from_form(self.kind, self.form())
        except FormError as error:
            self._show(False, f"✗ {error}")
            return None

    @on(Button.Pressed, "#test")
    def test_pressed(self) -> None:
        section = self._section()
        if section is not None:
            self._show(True, "Testing…")
            self.run_test(section)

    @work(exclusive=True, group="provider-test", exit_on_error=False)
    async def run_test(self, section: dict[str, Any]) -> None:
        session_key = self.form().get(SESSION_KEY_FIELD, "").strip()
        try:
            provider = unsaved_provider(self.name_value, section, session_key)
        except ProviderError as error:
            self._show(False, f"✗ {error}")
            return
        self._show(*await test_connection(provider))

    @on(Button.Pressed, "#save-user")
    @on(Button.Pressed, "#save-project")
    def save_pressed(self, event: Button.Pressed) -> None:
        section = self._section()
        if section is None:
            return
        layer = "project" if event.button.id == "save-project" else "user"
        session_key = self.form().get(SESSION_KEY_FIELD, "").strip()
        make_default = self.query_one("#make-default", Checkbox).value
        self.dismiss(ProviderForm(self.name_value, section, layer, session_key, make_default))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
