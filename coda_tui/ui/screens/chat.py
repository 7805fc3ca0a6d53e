"""The chat screen: a conversation with one model, streamed, saved as it streams."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from ..commands import CHAT_COMMANDS
from ..intents import ChatWith
from ..widgets.attachment_bar import AttachmentBar
from ..widgets.footer import CodaFooter
from ..widgets.message import MessageScroll, MessageView
from ..widgets.mode_bar import ModeBar
from ..widgets.prompt import PromptInput
from ..widgets.status_line import StatusLine
from .base import CodaScreen
from .chat_attach import ChatAttachments
from .chat_branches import BRANCH_BINDINGS, ChatBranches
from .chat_navigation import NAVIGATION_BINDINGS, VISIBLE_TURNS, ChatNavigation
from .chat_tools import ChatTools

if TYPE_CHECKING:
    from ...config import LoadedConfig
    from ...providers import Model
    from ...services.chat_session import ChatParams, ChatSession, Turn
    from ...services.metrics import StreamMetrics
    from ..app import CodaApp
    from ..widgets.chat_list import ChatList
    from .model_picker import ModelChoice

# What needs pydantic (the providers, the services) is imported where it is used: this screen is
# drawn in the app's first frame, before the config is loaded (see CodaApp._boot).


class ChatScreen(ChatTools, ChatAttachments, ChatBranches, ChatNavigation, CodaScreen):
    CSS_PATH = "chat.tcss"
    AUTO_FOCUS = "#prompt"  # focused once as the screen opens (a focus() after costs a redraw)
    PALETTE = CHAT_COMMANDS
    BINDINGS = [
        Binding("escape", "stop", "Stop", id="stop", tooltip="Stop the answer, keep what came"),
        Binding("ctrl+o", "pick_model", "Model", id="pick_model", tooltip="Choose model"),
        Binding("ctrl+t", "chat_settings", "Params", id="chat_settings", tooltip="System prompt"),
        *BRANCH_BINDINGS,
        Binding("ctrl+n", "new_chat", "New", id="new_chat", tooltip="Start a new chat"),
        Binding("ctrl+b", "toggle_history", "History", id="toggle_history"),
        *NAVIGATION_BINDINGS,
        Binding(
            "ctrl+s",
            "export",
            "Export",
            id="export",
            show=False,
            tooltip="Save as Markdown and JSON",
        ),
        Binding(
            "ctrl+l",
            "copy_last",
            "Copy",
            id="copy_last",
            show=False,
            tooltip="Copy the last answer",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: ChatSession
        self.started = False
        """The session exists (the app had booted, or has since: ``booted``)."""
        if self.coda.booted:
            self._start()
        self.chosen = False
        """A model picked for this chat (or a chat reopened): Ctrl+N keeps it. Otherwise chats
        follow the configured default, also when a provider set up meanwhile becomes it."""
        self.models: dict[tuple[str, str], Model] = {}
        self.metrics: StreamMetrics | None = None

    def _start(self) -> None:
        self.session = self._new_session()
        self.started = True

    def booted(self) -> None:
        """Drawn before the config was read: now the chat gets its provider and model."""
        if self.started:
            return
        self._start()
        self._update_title()
        for welcome in self.query("#welcome"):
            cast(Static, welcome).update(self._welcome())
        self.discover_models()

    def _new_session(self) -> ChatSession:
        from ...services.chat_session import ChatParams, ChatSession

        app = cast("CodaApp", self.app)
        defaults = app.loaded.config.defaults
        provider = defaults.provider
        model = app.factory.default_model(provider) or ""
        params = ChatParams.from_defaults(defaults)
        return ChatSession(app.store, provider, model, params)

    # -- layout -----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ModeBar("chat")
        with Horizontal(id="body"), Vertical(id="main"):
            # A new chat starts with its welcome composed in: nothing to mount after.
            yield MessageScroll(Static(self._welcome(), id="welcome"), id="messages")
            yield StatusLine(id="status")
            yield AttachmentBar(id="attachments")
            yield PromptInput(id="prompt", placeholder="Ask anything — @ attaches a file")
        yield CodaFooter(compact=True)

    @property
    def messages(self) -> MessageScroll:
        return self.query_one("#messages", MessageScroll)

    @property
    def status_line(self) -> StatusLine:
        return self.query_one("#status", StatusLine)

    def on_mount(self) -> None:
        self.coda.config_changed.subscribe(self, self.config_changed)
        if self.started:
            self._update_title()
            self.call_after_refresh(self.discover_models)

    def _update_title(self) -> None:
        model = self.session.model or "no model"
        self.sub_title = f"{self.session.provider} · {model}"

    async def show_session(self) -> None:
        """Rebuild the message list from the session (new chat, or one reopened)."""
        self.allowed_tools.clear()  # "always" was for the chat it was said in
        self.tools_off = False
        self._update_title()
        self.metrics = None  # the figures shown were another answer's
        self.status_line.show(Content(""))
        await self.messages.remove_children()
        if not self.session.turns:
            await self.messages.mount(Static(self._welcome(), id="welcome"))
        if self.session.earlier:
            await self.messages.mount(self._earlier_button())
        await self.messages.mount_all([self._view(turn) for turn in self.session.turns])
        if self.session.later:
            await self.messages.mount(self._later_button())
        self.messages.scroll_end(animate=False)
        self.messages.anchor()

    def _welcome(self) -> Content:
        if self.started:
            model = self.session.model or "no model"
            first = f"Chatting with {self.session.provider} · {model}."
        else:
            first = "Starting…"
        lines = [
            first,
            "Enter sends · Ctrl+J new line · Ctrl+O model · Ctrl+T system prompt",
        ]
        if self.coda.first_run:
            lines.append("No config yet: this is the offline Mock provider. F5 sets up providers.")
        return Content("\n".join(lines))

    def _earlier_button(self) -> Button:
        return Button(f"▲ {self.session.earlier} earlier messages", id="earlier", variant="default")

    def _view(self, turn: Turn) -> MessageView:
        label = None
        steps = []
        if turn.role == "assistant":
            label = " · ".join(part for part in (turn.provider, turn.model) if part) or None
            if turn.metrics.get("tools"):
                from ...services.tool_rounds import rounds_of

                steps = [step for round_ in rounds_of(turn.metrics) for step in round_.steps]
        return MessageView(
            turn.role,
            turn.content,
            label=label,
            status=turn.status,
            message_id=turn.message_id,
            branch=(turn.sibling, turn.siblings),
            attachments=turn.attachments,
            tool_steps=steps,
        )

    def _later_button(self) -> Button:
        return Button(f"▼ {self.session.later} later messages", id="later", variant="default")

    @on(Button.Pressed, "#later")
    async def load_later(self) -> None:
        newer = self.session.load_later(VISIBLE_TURNS)
        button = self.query_one("#later", Button)
        await self.messages.mount_all([self._view(turn) for turn in newer], before=button)
        if self.session.later:
            button.label = f"▼ {self.session.later} later messages"
        else:
            await button.remove()

    async def to_the_end(self) -> None:
        """A chat opened in its middle goes on from its end: that end is shown first."""
        record, store = self.session.record, self.coda.store
        if not self.session.later or record is None or store is None:
            return
        from ...services.chat_session import ChatSession

        self.session = ChatSession.open(store, record.id, last=VISIBLE_TURNS)
        await self.show_session()

    @on(Button.Pressed, "#earlier")
    async def load_earlier(self) -> None:
        older = self.session.load_earlier(VISIBLE_TURNS)
        button = self.query_one("#earlier", Button)
        anchor = self.query(MessageView).first() if self.query(MessageView) else None
        views = [self._view(turn) for turn in older]
        if anchor is not None:
            await self.messages.mount_all(views, before=anchor)
        if self.session.earlier:
            button.label = f"▲ {self.session.earlier} earlier messages"
        else:
            await button.remove()

    # -- sending and streaming ----------------------------------------------------------------

    @on(PromptInput.Submitted, "#prompt")
    async def send(self, event: PromptInput.Submitted) -> None:
        if self.is_streaming:
            self.notify("Wait for the answer, or press Esc to stop it", severity="warning")
            return
        text = event.text.strip()
        if self.editing is None and (refusal := await self.attachment_refusal()):
            self.notify(refusal, severity="error", timeout=20)  # the prompt and chips stay
            return
        event.prompt.clear()
        if self.editing is not None:
            self.status_line.show(Content(""))
            await self.send_edit(text)
            return
        await self.to_the_end()
        self.query("#welcome").remove()  # not awaited: the request need not wait a frame
        turn = self.session.add_user(text, self.taken_attachments())
        self._report_save_error()
        # Mounts run in order, so the prompt still shows above its answer; not waiting for
        # this one lets the request leave a frame earlier.
        self.messages.mount(self._view(turn))
        self.stream_answer()
        self._update_title()
        for history in self.query("#history"):
            cast("ChatList", history).refresh_chats(self.session.record)

    @property
    def is_streaming(self) -> bool:
        return any(w.node is self and w.group == "chat" and w.is_running for w in self.workers)

    @work(exclusive=True, group="chat", exit_on_error=False)
    async def stream_answer(self) -> None:
        from ...services.answer_stream import AnswerStream

        session = self.session
        model = self.models.get((session.provider, session.model))
        tools = await self.tool_runner()
        answer = AnswerStream(session, self.coda.factory, model.pricing if model else None, tools)
        view = self._view(answer.turn)
        if tools is not None:
            tools.view = view
        self.metrics = answer.metrics

        async def mount() -> None:
            await self.messages.mount(view)
            self.messages.anchor()

        try:
            await answer.run(view, mount, progress=self._refresh_status)
        finally:
            self._refresh_status(final=answer.turn.status)
            self._report_save_error()
            for note in session.attachment_notes:
                self.notify(note, severity="warning", timeout=10)
            if answer.note:
                self.notify(f"Answer {answer.note} (max_rounds in [mcp])", severity="warning")
            if tools is not None and tools.cards:
                tools.ended()
                self.query_one("#prompt").focus()

    def _report_save_error(self) -> None:
        if self.session.save_error:
            self.notify(self.session.save_error, severity="error", timeout=20)
            self.session.save_error = ""

    def _refresh_status(self, final: str | None = None) -> None:
        if self.metrics is None:
            return
        from ...services.metrics import ENDED_EARLY

        if final is None and not self.is_streaming:
            return
        label = {"complete": "done", **ENDED_EARLY}.get(final or "", "streaming…")
        self.status_line.show(Content(f"{label} · {self.metrics.summary()}"))

    def action_stop(self) -> None:
        """Esc: stop the answer (what came is kept), else stop editing a sent prompt."""
        if not self.is_streaming and self.cancel_edit():
            return
        self.workers.cancel_group(self, "chat")

    # -- chats ------------------------------------------------------------------------------------

    async def action_new_chat(self) -> None:
        """An empty chat on the model chosen for this one (else the configured default)."""
        if self.is_streaming:
            self.action_stop()
            self.notify("The answer in progress was stopped; what came is saved with its chat")
        old = self.session
        self.session = self._new_session()
        if self.chosen:
            self.session.set_model(old.provider, old.model)
        await self.show_session()

    async def config_changed(self, loaded: LoadedConfig) -> None:
        """An empty chat on the default moves to the new default (a provider just set up)."""
        if self.chosen or self.session.turns or self.is_streaming:
            return
        fresh = self._new_session()
        if (fresh.provider, fresh.model) != (self.session.provider, self.session.model):
            self.session = fresh
            await self.show_session()
            self.discover_models()

    @on(ChatWith)
    def chat_with(self, intent: ChatWith) -> None:
        intent.stop()
        self.use_model(intent.choice)

    def action_export(self) -> None:
        """Ask where, then write the chat as Markdown and JSON."""
        from ..export_dialog import export_chat

        export_chat(self.app, self.session, self.coda.store)

    def _last_answer(self) -> MessageView | None:
        answers = [view for view in self.query(MessageView) if view.role == "assistant"]
        return answers[-1] if answers else None

    def action_copy_last(self) -> None:
        answer = self._last_answer()
        if answer is not None:
            answer.action_copy()

    def action_copy_last_plain(self) -> None:
        answer = self._last_answer()
        if answer is not None:
            answer.action_copy_plain()

    def action_copy_last_code(self) -> None:
        answer = self._last_answer()
        if answer is not None:
            answer.action_copy_code()

    def _code_source(self) -> MessageView | None:
        """The selected message, else the last answer: what the code-block commands act on."""
        focused = self.focused
        if isinstance(focused, MessageView):
            return focused
        answer = self._last_answer()
        if answer is None:
            self.notify("No answer yet", severity="warning")
        return answer

    def action_copy_code_block(self) -> None:
        """Ask for a code block's number (its label shows it), then copy that block."""
        from ..dialogs import TextPromptScreen

        source = self._code_source()
        if source is None:
            return

        def chosen(text: str | None) -> None:
            if text and text.strip().isdigit():
                source.action_copy_block(int(text.strip()))

        self.app.push_screen(TextPromptScreen("Copy code block number (1-9 on a message)"), chosen)

    def action_save_code_block(self) -> None:
        source = self._code_source()
        if source is not None:
            source.action_save_block()

    # -- model and parameters -----------------------------------------------------------------

    @work(group="discovery", exit_on_error=False)
    async def discover_models(self) -> None:
        """After the first paint: the current provider's models, for prices and the picker."""
        listing = await self.coda.catalog.listing(self.session.provider)
        self.models.update({(m.provider, m.id): m for m in listing.models})

    def action_pick_model(self) -> None:
        from .model_picker import ModelPickerScreen

        def chosen(choice: ModelChoice | None) -> None:
            if choice is not None:
                self.use_model(choice)

        self.app.push_screen(ModelPickerScreen(self.coda.catalog), chosen)

    def use_model(self, choice: ModelChoice) -> None:
        """The next answer comes from this model (the conversation so far is kept)."""
        self.models[(choice.provider, choice.model.id)] = choice.model
        self.session.set_model(choice.provider, choice.model.id)
        self.chosen = True
        self._update_title()
        for welcome in self.query("#welcome"):
            cast(Static, welcome).update(self._welcome())

    def action_chat_settings(self) -> None:
        from .chat_settings import ChatSettingsScreen

        def chosen(params: ChatParams | None) -> None:
            if params is not None:
                self.session.set_params(params)
                self.notify("Chat settings saved")

        self.app.push_screen(ChatSettingsScreen(self.session.params), chosen)
