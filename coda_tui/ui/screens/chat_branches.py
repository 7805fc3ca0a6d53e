"""Branches in the chat: edit an earlier prompt and send it again, ask again for any answer
(with the same model or another), move between the answers to one message (``< 2/3 >``), and
fork the chat from any message. Nothing is lost: the old continuation stays, a sibling.

The keys are the selected message's (Shift+Tab from the prompt, then Up/Down): e edits, r asks
again, m asks again with another model, f forks, Left/Right move between siblings. From the
palette, with no message selected, they act on the last prompt or answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.content import Content

from ..widgets.message import MessageView
from ..widgets.prompt import PromptInput

if TYPE_CHECKING:
    from ...services.chat_session import Turn
    from .chat import ChatScreen
    from .model_picker import ModelChoice

    _Base = ChatScreen
else:
    _Base = object

BRANCH_BINDINGS = [
    Binding(
        "ctrl+r",
        "retry",
        "Again",
        id="retry",
        show=False,
        tooltip="Answer the last prompt again (the old answer stays, a sibling)",
    ),
]


class ChatBranches(_Base):
    """Mixed into the chat screen."""

    def __init__(self) -> None:
        super().__init__()
        self.editing: Turn | None = None
        """The sent prompt being edited in the prompt box (Enter sends it as a new branch)."""

    # -- which message ------------------------------------------------------------------------

    def _selected(self) -> MessageView | None:
        focused = self.focused
        return focused if isinstance(focused, MessageView) else None

    def _index_of(self, view: MessageView) -> int | None:
        """The view's turn: views and turns are in the same order, one for one."""
        views = list(self.query(MessageView))
        if len(views) != len(self.session.turns) or view not in views:
            return None
        return views.index(view)

    def _target(self, role: str | None) -> int | None:
        """The selected message's turn, else the last one with ``role`` (any role: None)."""
        view = self._selected()
        if view is not None:
            return self._index_of(view)
        for index in range(len(self.session.turns) - 1, -1, -1):
            if role is None or self.session.turns[index].role == role:
                return index
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A selected answer has no Edit, a selected prompt no Edit for others; siblings keys
        show only on a message that has siblings."""
        view = self._selected()
        if view is not None and action == "edit_message":
            return view.role == "user"
        if view is not None and action == "branch":
            return view.branch[1] > 1
        return super().check_action(action, parameters)

    def _busy(self) -> bool:
        if self.is_streaming:
            self.notify("Wait for the answer, or press Esc to stop it", severity="warning")
            return True
        if self.session.store is None or self.session.record is None:
            self.notify(
                "Branches live in the history, and this chat is not saved "
                "(send a message first, or see why the history is off)",
                severity="warning",
            )
            return True
        return False

    async def _show_from(self, index: int) -> None:
        """Rebuild the views from ``index`` down from the session's turns."""
        views = list(self.query(MessageView))
        for view in views[index:]:
            await view.remove()
        turns = self.session.turns[index:]
        await self.messages.mount_all([self._view(turn) for turn in turns])

    # -- edit -------------------------------------------------------------------------------------

    def action_edit_message(self) -> None:
        """Put a sent prompt back in the prompt box; Enter sends it as a new branch."""
        index = self._target("user")
        if index is None or self.session.turns[index].role != "user":
            self.notify("No prompt to edit yet", severity="warning")
            return
        if self._busy():
            return
        self.editing = self.session.turns[index]
        prompt = self.query_one("#prompt", PromptInput)
        prompt.text = self.editing.content
        prompt.move_cursor(prompt.document.end)  # to go on typing where it ends
        prompt.focus()
        self.status_line.show(
            Content("Editing: Enter sends it as a new branch, the old one stays · Esc cancels")
        )

    def cancel_edit(self) -> bool:
        """Esc while editing: the prompt box is emptied, nothing is sent."""
        if self.editing is None:
            return False
        self.editing = None
        self.query_one("#prompt", PromptInput).clear()
        self.status_line.show(Content(""))
        return True

    async def send_edit(self, text: str) -> None:
        """The edited prompt goes out as a sibling of the one it replaces, then its answer."""
        turn, self.editing = self.editing, None
        if turn is None or turn not in self.session.turns:
            return
        index = self.session.turns.index(turn)
        self.session.edit(index, text)
        self._report_save_error()
        await self._show_from(len(self.session.turns) - 1)
        self.messages.scroll_end(animate=False)
        self.messages.anchor()
        self.stream_answer()

    # -- answer again -------------------------------------------------------------------------

    async def action_retry(self) -> None:
        """Ctrl+R: the last prompt answered again."""
        if self.is_streaming:
            return
        await self.to_the_end()
        index = self.session.last_answer_index()
        if index is None:
            if self.session.turns and self.session.turns[-1].role == "user":
                self.stream_answer()  # its answer failed and was not kept
            else:
                self.notify("Nothing to answer again yet", severity="warning")
            return
        await self._regenerate(index)

    async def action_regenerate(self) -> None:
        index = self._answer_index()
        if index is not None:
            await self._regenerate(index)

    def action_regenerate_with(self) -> None:
        """Answer again with another model: the chat goes on with it."""
        index = self._answer_index()
        if index is None:
            return
        from .model_picker import ModelPickerScreen

        async def chosen(choice: ModelChoice | None) -> None:
            if choice is not None:
                self.use_model(choice)
                await self._regenerate(index)

        self.app.push_screen(ModelPickerScreen(self.coda.catalog), chosen)

    def _answer_index(self) -> int | None:
        """The answer to ask again for: the selected one, the one after a selected prompt, or
        the last. None (and said why) when there is none."""
        index = self._target("assistant")
        turns = self.session.turns
        if index is not None and turns[index].role == "user":
            following = index + 1
            index = following if following < len(turns) else None
            if index is None and not self.is_streaming:
                self.stream_answer()  # a prompt with no answer yet: answer it
                return None
        if index is None or turns[index].role != "assistant":
            self.notify("No answer to ask again for yet", severity="warning")
            return None
        if self._busy():
            return None
        return index

    async def _regenerate(self, index: int) -> None:
        self.session.regenerate_at(index)
        self._report_save_error()
        await self._show_from(len(self.session.turns))
        self.query_one("#prompt").focus()  # where the next question is typed
        self.messages.scroll_end(animate=False)
        self.messages.anchor()
        self.stream_answer()

    # -- siblings and forks -------------------------------------------------------------------

    async def action_branch(self, step: int) -> None:
        """The sibling before (-1) or after (+1) the selected message; the rest of the chat
        follows the branch shown."""
        view = self._selected()
        index = self._index_of(view) if view else None
        if index is None:  # from the palette: the last message that has siblings
            found = [i for i, t in enumerate(self.session.turns) if t.siblings > 1]
            index = found[-1] if found else None
        if index is None:
            self.notify("No other branch here: e or r on a message makes one", severity="warning")
            return
        if self._busy():
            return
        shown = self.session.switch(index, step)
        self._report_save_error()
        if not shown:
            return
        self.metrics = None  # the figures shown were another answer's
        self.status_line.show(Content(""))
        await self._show_from(index)
        views = list(self.query(MessageView))
        views[index].focus()
        self.call_after_refresh(views[index].scroll_visible, animate=False, top=True)

    async def action_fork(self) -> None:
        """A new chat holding this chat up to the selected message; it opens, the original
        stays in the history."""
        index = self._target(None)
        if index is None:
            self.notify("Nothing to fork yet", severity="warning")
            return
        if self._busy():
            return
        record = self.session.fork(index)
        self._report_save_error()
        if record is None:
            return
        await self.open_chat(record.id)
        self.notify(f"Forked into “{record.title}”; the original is in the history (Ctrl+B)")
