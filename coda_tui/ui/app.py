"""The coda-tui application: a chat on the configured provider (Mock with no config at all)."""

from __future__ import annotations

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Input, Markdown, Static

from ..config import LoadedConfig, load_config
from ..providers import Message, ProviderError, ProviderFactory
from .text import visible_text


class MessageView(Markdown):
    """One turn of the conversation; assistant turns grow as the answer streams."""

    DEFAULT_CSS = """
    MessageView { margin: 0 1 1 1; padding: 0 1; }
    MessageView.user { border-left: thick $primary; }
    MessageView.assistant { border-left: thick $secondary; }
    MessageView.error { border-left: thick $error; color: $text-error; }
    """


class CodaApp(App[None]):
    TITLE = "coda-tui"
    CSS = """
    #messages { height: 1fr; }
    #status { height: 1; padding: 0 1; color: $text-muted; }
    #prompt { dock: bottom; margin: 0 1; }
    """
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="stop", tooltip="Stop the answer, keep what arrived"),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(self, loaded: LoadedConfig | None = None) -> None:
        super().__init__()
        self.loaded = loaded or load_config()
        self.factory = ProviderFactory(self.loaded)
        self.history: list[Message] = []

    @property
    def provider_name(self) -> str:
        return self.loaded.config.defaults.provider

    def compose(self) -> ComposeResult:
        yield Header()
        yield VerticalScroll(id="messages")
        yield Static("", id="status")
        yield Input(placeholder="Ask anything — Enter sends", id="prompt")
        yield Footer()

    def on_mount(self) -> None:
        self.theme = self.loaded.config.ui.theme
        self.sub_title = self.provider_name
        for problem in self.loaded.problems:
            self.notify(str(problem), title="Config problem", severity="warning", timeout=10)
        self.query_one("#prompt", Input).focus()

    @on(Input.Submitted, "#prompt")
    async def send(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        event.input.clear()
        self.history.append(Message(role="user", content=text))
        messages = self.query_one("#messages", VerticalScroll)
        await messages.mount(MessageView(visible_text(text), classes="user"))
        answer = MessageView(classes="assistant")
        await messages.mount(answer)
        messages.anchor()
        self.stream_answer(answer)

    @work(exclusive=True, group="chat", exit_on_error=False)
    async def stream_answer(self, view: MessageView) -> None:
        status = self.query_one("#status", Static)
        stream = Markdown.get_stream(view)
        parts: list[str] = []
        outcome = "stopped"
        try:
            provider = self.factory.create()
            status.update(f"{provider.name} · {provider.settings.model} · streaming…")
            async for chunk in provider.achat_stream(self.history):
                if chunk.content:
                    parts.append(chunk.content)
                    await stream.write(visible_text(chunk.content))
            outcome = "done"
        except ProviderError as error:
            outcome = "error"
            parts.append(getattr(error, "partial_text", "") if not parts else "")
            error_view = MessageView(visible_text(str(error)), classes="error")
            await self.query_one("#messages").mount(error_view)
        finally:
            await stream.stop()
            if parts:
                self.history.append(Message(role="assistant", content="".join(parts)))
            status.update(outcome)

    def action_stop(self) -> None:
        self.workers.cancel_group(self, "chat")
