"""One side of a comparison: its own model, conversation, stream and live figures."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

from ...providers import Model, ProviderFactory
from ...services.answer_stream import AnswerStream
from ...services.chat_session import ChatParams, ChatSession
from ...services.metrics import ENDED_EARLY, StreamMetrics, format_cost
from ..failures import ReportsFailures
from ..tool_runner import CardToolRunner
from .message import MessageScroll, MessageView
from .status_line import StatusLine

BEST_STYLE = "bold $success"


class ComparePane(ReportsFailures, Vertical, can_focus=True):
    DEFAULT_CSS = """
    ComparePane {
        border: round $panel; height: 1fr; width: 1fr;
        border-title-style: bold; border-title-color: $text;
    }
    ComparePane.-selected { border: round $accent; }
    ComparePane:focus-within { border: round $accent; }
    ComparePane .pane-bar { height: 1; }
    ComparePane .pane-bar Button {
        min-width: 0; width: auto; height: 1; border: none; margin: 0 1 0 0;
    }
    ComparePane .pane-metrics { height: 1; color: $text-muted; }
    ComparePane.-narrow .pane-metrics { height: 2; }
    ComparePane .pane-messages { height: 1fr; }
    """

    @dataclass
    class PromoteRequested(Message):
        pane: ComparePane

    @dataclass
    class ModelRequested(Message):
        pane: ComparePane

    @dataclass
    class ParamsRequested(Message):
        pane: ComparePane

    @dataclass
    class CloseRequested(Message):
        pane: ComparePane

    @dataclass
    class Finished(Message):
        pane: ComparePane

    @dataclass
    class Progressed(Message):
        """New figures while answering (the screen compares every pane's)."""

        pane: ComparePane

    def __init__(
        self,
        number: int,
        provider: str,
        model: str,
        params: ChatParams,
    ) -> None:
        super().__init__(id=f"pane-{number}")
        self.number = number
        # In memory until the pane is continued as a chat: each run added a chat per pane to
        # the history.
        self.session = ChatSession(None, provider, model, params)
        self.session.title_format = "⚖ {text} · {model}"
        self.metrics: StreamMetrics | None = None
        self.model_info: Model | None = None
        self.blind_label: str | None = None
        """The pane's name in a blind round (A, B…)."""
        self.hidden = False
        """Until the vote: the label is all that shows (no model, provider or price)."""

    def compose(self) -> ComposeResult:
        with Horizontal(classes="pane-bar"):
            yield Button("Model", id="model", tooltip="Choose this pane's model")
            yield Button("Params", id="params", tooltip="This pane's system prompt and sampling")
            yield Button("Stop", id="stop", tooltip="Stop this pane (F7/F8 select it, F9 stops)")
            yield Button("Chat", id="promote", tooltip="Continue this pane as a chat")
            yield Button("✕", id="close", tooltip="Close this pane")
        yield StatusLine(classes="pane-metrics")
        yield MessageScroll(classes="pane-messages")

    def on_mount(self) -> None:
        self._show_title()

    def _show_title(self) -> None:
        """In the border, where the whole width is the title's: three panes side by side left
        the model name a few columns beside the buttons."""
        if self.hidden:
            self.border_title = self.blind_label or "?"
            return
        name = self.blind_label or self.number
        self.border_title = f"{name} · {self.session.provider} · {self.session.model or '?'}"

    def set_blind(self, label: str | None, *, hidden: bool) -> None:
        """Name this pane ``label`` in a blind round (None: by its number again); ``hidden``:
        by that label only, the buttons that show or change the model hidden meanwhile."""
        self.blind_label, self.hidden = label, hidden
        for button in self.query("#model, #params, #promote"):
            button.display = not hidden
        self._show_title()

    async def restart(self, provider: str, model: str, info: Model | None) -> None:
        """An empty conversation on this model (a new blind round: one prompt each)."""
        self.stop()
        self.session = ChatSession(None, provider, model, self.session.params)
        self.session.title_format = "⚖ {text} · {model}"
        self.model_info = info
        self.metrics = None
        self.query_one(".pane-metrics", StatusLine).show(Content(""))
        await self.messages.remove_children()
        self._show_title()

    @property
    def answer(self) -> str:
        """The last answer's text (what a vote is about)."""
        turns = reversed(self.session.turns)
        return next((turn.content for turn in turns if turn.role == "assistant"), "")

    def on_resize(self) -> None:
        # A narrow pane gives its figures two lines rather than cutting them.
        self.set_class(self.size.width < 60, "-narrow")

    @property
    def messages(self) -> MessageScroll:
        return self.query_one(".pane-messages", MessageScroll)

    def set_model(self, provider: str, model: Model) -> None:
        self.session.set_model(provider, model.id)
        self.model_info = model
        self._show_title()

    @property
    def is_streaming(self) -> bool:
        # self.workers is the app's manager: keep only this pane's own workers
        return any(worker.node is self and worker.is_running for worker in self.workers)

    async def send(
        self, text: str, factory: ProviderFactory, tools: CardToolRunner | None = None
    ) -> None:
        turn = self.session.add_user(text)
        self.messages.mount(MessageView("user", turn.content))  # in order: no need to wait
        self.stream(factory, tools)

    @work(exclusive=True, exit_on_error=False)
    async def stream(self, factory: ProviderFactory, tools: CardToolRunner | None = None) -> None:
        pricing = self.model_info.pricing if self.model_info else None
        answer = AnswerStream(self.session, factory, pricing, tools)
        view = MessageView("assistant", status="streaming")
        if tools is not None:
            tools.view = view
        self.metrics = answer.metrics

        async def mount() -> None:
            await self.messages.mount(view)
            self.messages.anchor()

        try:
            await answer.run(view, mount, lambda: self.post_message(self.Progressed(self)))
        finally:
            if tools is not None:
                tools.ended()
            self.post_message(self.Finished(self))

    def stop(self) -> None:
        self.workers.cancel_node(self)

    @property
    def outcome(self) -> str:
        """How this pane's last answer went: "streaming", "complete", "stopped" or "error"."""
        turns = reversed(self.session.turns)
        return next((turn.status for turn in turns if turn.role == "assistant"), "")

    @property
    def ended_early(self) -> str | None:
        """ "failed" or "stopped" when the last answer did not complete: its figures say so."""
        return ENDED_EARLY.get(self.outcome)

    def show_metrics(self, best: dict[str, int]) -> None:
        """Live figures; the best value of each among all panes in bold green."""
        metrics = self.metrics
        if metrics is None:
            return
        parts: list[tuple[str, str] | str] = []
        if self.ended_early:
            parts.append((self.ended_early, "bold"))

        def add(key: str, text: str) -> None:
            if parts:
                parts.append(" · ")
            parts.append((text, BEST_STYLE if best.get(key) == self.number else ""))

        if metrics.ttft is not None:
            add("ttft", f"TTFT {metrics.ttft:.2f} s")
        speed = metrics.tokens_per_second
        if speed is not None:
            add("speed", f"{speed:.0f} tok/s")
        add("tokens", f"{'~' if metrics.estimated else ''}{metrics.output_tokens} tokens")
        add("total", f"{metrics.total_seconds:.2f} s")
        if metrics.cost is not None and not self.hidden:  # a price names a model
            add("cost", format_cost(metrics.cost))
        self.query_one(".pane-metrics", StatusLine).show(Content.assemble(*parts))

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self) -> None:
        self.stop()

    @on(Button.Pressed, "#model")
    def _model_pressed(self) -> None:
        self.post_message(self.ModelRequested(self))

    @on(Button.Pressed, "#params")
    def _params_pressed(self) -> None:
        self.post_message(self.ParamsRequested(self))

    @on(Button.Pressed, "#promote")
    def _promote_pressed(self) -> None:
        self.post_message(self.PromoteRequested(self))

    @on(Button.Pressed, "#close")
    def _close_pressed(self) -> None:
        self.post_message(self.CloseRequested(self))
