"""New Ollama models from an existing one: a Modelfile editor (starting from the base's own
Modelfile) that creates with streamed status and shows an error at its line, and "duplicate
with a new system prompt" in two keys.

The Modelfile is read here as ``ollama create`` reads it (``providers.ollama.modelfile``), so a
mistake is shown at its line before anything is sent; the server's own errors (a template that
does not parse, a base it cannot find) are put back at their line too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from ...providers import ProviderError
from ...providers.ollama.modelfile import (
    CreateRequest,
    ModelfileError,
    create_request,
    starting_modelfile,
)
from ..dialogs import DIALOG_CSS
from ..text import visible_text

if TYPE_CHECKING:
    from ...providers.ollama.provider import OllamaProvider

STATUS_LINES = 3

SKELETON = 'FROM llama3.2\nSYSTEM """You are a helpful assistant."""\nPARAMETER temperature 0.7\n'
"""With no model chosen (none on the host yet): the server pulls the FROM model if it must."""


def new_name(base: str) -> str:
    """``llama3.2:latest`` -> ``llama3.2-custom``; ``qwen2.5:0.5b`` -> ``qwen2.5-0.5b-custom``."""
    stem = base.rsplit("/", 1)[-1].removesuffix(":latest").replace(":", "-")
    return f"{stem}-custom"


class ModelfileScreen(ModalScreen[str | None]):
    """Returns the created model's name (None when nothing was created)."""

    DEFAULT_CSS = """
    ModelfileScreen { align: center middle; }
    ModelfileScreen > Vertical {
        width: 100%; max-width: 110; height: 100%; max-height: 40;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ModelfileScreen .title { text-style: bold; width: 1fr; }
    ModelfileScreen .row { height: 1; margin-bottom: 1; }
    ModelfileScreen .row Label { width: auto; padding: 0 1 0 0; }
    ModelfileScreen #name { border: none; height: 1; padding: 0 1; width: 1fr; }
    ModelfileScreen TextArea { height: 1fr; }
    ModelfileScreen #problem { color: $error; height: auto; max-height: 3; }
    ModelfileScreen #status { color: $text-muted; height: 3; }
    ModelfileScreen .keys { color: $text-muted; height: 1; }
    """
    BINDINGS = [
        Binding("ctrl+s", "create", "Create", id="modelfile_create", priority=True),
        Binding("escape", "close", "Close", id="modelfile_close", priority=True),
    ]

    def __init__(self, provider: OllamaProvider, host: str, base: str) -> None:
        super().__init__()
        self.provider = provider
        self.host = host
        self.base = base
        self.created: str | None = None
        self.statuses: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            source = f"from {self.base}" if self.base else "(FROM a model in the library)"
            yield Label(
                Content(visible_text(f"New model {source} on {self.host}")), classes="title"
            )
            with Horizontal(classes="row"):
                yield Label("Name")
                yield Input(new_name(self.base) if self.base else "my-model", id="name")
            yield TextArea(
                f"# Reading the Modelfile of {self.base}…\n" if self.base else SKELETON,
                id="modelfile",
                show_line_numbers=True,
                tab_behavior="indent",
            )
            yield Static(id="problem")
            yield Static(id="status")
            yield Label(
                Content("Ctrl+S creates · Esc closes · FROM, PARAMETER, SYSTEM, TEMPLATE…"),
                classes="keys",
            )

    @property
    def editor(self) -> TextArea:
        return self.query_one("#modelfile", TextArea)

    def on_mount(self) -> None:
        self.query_one("#problem").display = False
        self.editor.focus()
        if self.base:
            self.read_base()
        else:
            self.editor.move_cursor((0, len("FROM ")))

    @work(exit_on_error=False, group="modelfile")
    async def read_base(self) -> None:
        try:
            info = await self.provider.model_info(self.base)  # kept if the panel asked
        except ProviderError as error:
            self.show_status(f"The base's Modelfile was not read: {error}")
            text = f"FROM {self.base}\n"
        else:
            text = starting_modelfile(self.base, info.modelfile)
        self.editor.load_text(visible_text(text))  # the server's text: no control codes
        self.editor.move_cursor(self.editor.document.end)  # new lines usually go last

    def show_status(self, line: str) -> None:
        self.statuses.append(line)
        shown = "\n".join(self.statuses[-STATUS_LINES:])
        self.query_one("#status", Static).update(Content(visible_text(shown)))

    def show_problem(self, message: str, line: int = 0) -> None:
        """The message, and the editor's cursor on the line it is about (selected)."""
        problem = self.query_one("#problem", Static)
        problem.update(Content(visible_text(message)))
        problem.display = True
        if line > 0:
            row = min(line - 1, self.editor.document.line_count - 1)
            self.editor.select_line(row)
            self.editor.scroll_cursor_visible(center=True)
            self.editor.focus()

    def action_create(self) -> None:
        if any(w.is_running for w in self.workers if w.group == "create"):
            return
        self.query_one("#problem").display = False
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.show_problem("Give the new model a name")
            self.query_one("#name", Input).focus()
            return
        try:
            request = create_request(name, self.editor.text)
        except ModelfileError as error:
            self.show_problem(str(error), error.line)
            return
        for warning in request.warnings:
            self.show_status(warning)
        self.create(name, request)

    @work(exit_on_error=False, group="create")
    async def create(self, name: str, request: CreateRequest) -> None:
        self.show_status(f"Creating {name} on {self.host}…")
        try:
            async for progress in self.provider.create_model(request.body):
                self.show_status(progress.status)
        except ProviderError as error:
            line = request.line_of(str(error))
            where = f"line {line}: " if line else ""
            self.show_problem(f"{where}{error.message}", line)
            return
        self.created = name
        self.show_status(f"✓ Created {name} · Esc closes")
        self.notify(visible_text(f"Created {name} on {self.host}"))

    def action_close(self) -> None:
        self.workers.cancel_group(self, "create")
        self.dismiss(self.created)


class DuplicateScreen(ModalScreen[tuple[str, str, str] | None]):
    """``s`` then Enter: the selected model again, under a new name, with a new system prompt.
    Returns (name, base, system)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="DuplicateScreen")
        + """
    DuplicateScreen > Vertical { width: 76; }
    DuplicateScreen .hint { color: $text-muted; }
    """
    )
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="cancel")]

    def __init__(self, provider: OllamaProvider, base: str) -> None:
        super().__init__()
        self.provider = provider
        self.base = base

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content(f"Duplicate {visible_text(self.base)} with a new system prompt"))
            yield Input(new_name(self.base), id="name")
            known = self.provider.known_info(self.base)
            system = visible_text(known.system) if known else ""
            yield Input(system, id="system", placeholder="System prompt")
            yield Label(Content("Enter creates it · Esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#system", Input).focus()
        if self.provider.known_info(self.base) is None:
            self.read_system()

    @work(exit_on_error=False)
    async def read_system(self) -> None:
        try:
            info = await self.provider.model_info(self.base)
        except ProviderError:
            return
        field = self.query_one("#system", Input)
        if not field.value:
            field.value = visible_text(info.system)

    @on(Input.Submitted, "#name")
    def name_given(self) -> None:
        self.query_one("#system", Input).focus()

    @on(Input.Submitted, "#system")
    def system_given(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#name", Input).focus()
            return
        self.dismiss((name, self.base, self.query_one("#system", Input).value))

    def action_cancel(self) -> None:
        self.dismiss(None)
