"""Moving around saved chats and within one: the history sidebar, opening a chat (at a message,
for a search hit), and find in the open chat (Ctrl+G, then F7/F8 for older and newer matches).

The chat's own messages are searched in the history's full-text index, so a match outside the
turns on screen is found too: the chat then opens around it (the turns before and after it load
on demand, so a match in the middle of 10,000 messages shows as fast as one at the end). A match
on another branch shows that branch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.binding import Binding

from ..dialogs import TextPromptScreen
from ..intents import OpenChat
from ..widgets.message import MessageView
from ..widgets.prompt import PromptInput

if TYPE_CHECKING:
    from ..widgets.chat_list import ChatList
    from .chat import ChatScreen

    _Base = ChatScreen
else:
    _Base = object


VISIBLE_TURNS = 8
"""Turns built when a saved chat opens; older ones load on demand, so long chats open fast."""

NAVIGATION_BINDINGS = [
    Binding("ctrl+g", "find_in_chat", "Find", id="find_in_chat", show=False),
    Binding("f7", "find_next(-1)", "Previous match", id="find_previous", show=False),
    Binding("f8", "find_next(1)", "Next match", id="find_next", show=False),
]


class ChatNavigation(_Base):
    """Mixed into the chat screen (its handlers go by name: ``@on`` needs a Textual class)."""

    def __init__(self) -> None:
        super().__init__()
        self.finding = ""
        self.found: list[int] = []
        """Ids of this chat's messages holding the words found, oldest first."""
        self.found_at = 0
        """Which of them is shown."""

    async def action_toggle_history(self) -> None:
        """Show or hide saved chats (the sidebar is built the first time it is asked for)."""
        from ..widgets.chat_list import ChatList

        if not self.query("#history"):
            history = ChatList(self.coda.store, id="history")
            history.display = False
            await self.query_one("#body").mount(history, before="#main")
        history = self.query_one("#history", ChatList)
        history.display = not history.display
        if history.display:
            history.refresh_chats(self.session.record)
            history.focus()

    # Handlers by name, not @on(ChatList...): the history list's module loads on first Ctrl+B.
    async def on_chat_list_chat_chosen(self, event: ChatList.ChatChosen) -> None:
        await self.open_chat(event.chat_id)

    async def on_open_chat(self, intent: OpenChat) -> None:  # by name: this is a mixin
        intent.stop()
        await self.open_chat(intent.chat_id, intent.message_id)

    async def open_chat(self, chat_id: int, message_id: int | None = None) -> None:
        """Show a saved chat (from the history, a comparison, or a search hit: then with that
        message loaded, in view and marked)."""
        store = self.coda.store
        if store is None:
            return
        from ...services.chat_session import ChatSession

        self.action_stop()
        if message_id is not None and not store.on_branch(chat_id, message_id):
            store.choose(message_id)  # a hit on another branch: that branch is shown
        self.session = ChatSession.open(store, chat_id, last=VISIBLE_TURNS, around=message_id)
        self.chosen = True
        await self.show_session()
        for history in self.query("#history"):
            cast("ChatList", history).refresh_chats(self.session.record)
        self.query_one(PromptInput).focus()
        if message_id is not None:
            self._mark_found(message_id)

    def _mark_found(self, message_id: int) -> None:
        """That message marked (and no other), scrolled to the top once laid out."""
        for view in self.query(MessageView):
            view.set_class(view.message_id == message_id, "-found")
            if view.message_id == message_id:
                self.messages.release_anchor()
                self.call_after_refresh(view.scroll_visible, animate=False, top=True)

    async def on_chat_list_chat_deleted(self, event: ChatList.ChatDeleted) -> None:
        if self.session.record is not None and self.session.record.id == event.chat_id:
            await self.action_new_chat()

    def action_find_in_chat(self) -> None:
        def chosen(text: str | None) -> None:
            if text is not None and text.strip():
                self.call_later(self.find, text.strip())

        title = "Find in this chat (F7/F8: older/newer match)"
        self.app.push_screen(TextPromptScreen(title, self.finding), chosen)

    async def find(self, text: str) -> None:
        """Every message of this chat with ``text``; the newest shown first."""
        record, store = self.session.record, self.coda.store
        self.finding = text
        hits = store.search(text, chat_id=record.id, limit=1000) if record and store else []
        self.found = sorted(hit.message_id for hit in hits if hit.message_id is not None)
        if not self.found:
            self.notify(f"“{text}” is not in this chat", severity="warning")
            return
        self.found_at = len(self.found) - 1  # the newest first, as a chat is read back
        await self._show_found()

    async def action_find_next(self, step: int) -> None:
        if not self.found:
            self.notify("Nothing found yet: Ctrl+G finds words in this chat")
            return
        self.found_at = (self.found_at + step) % len(self.found)
        await self._show_found()

    async def _show_found(self) -> None:
        message_id = self.found[self.found_at]
        loaded = {view.message_id for view in self.query(MessageView)}
        record = self.session.record
        if message_id not in loaded and record is not None and not self.is_streaming:
            await self.open_chat(record.id, message_id)  # opens around the message
        else:
            self._mark_found(message_id)
        place = f"{self.found_at + 1} of {len(self.found)}"
        self.notify(f"“{self.finding}”: match {place}", timeout=2)
