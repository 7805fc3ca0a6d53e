"""The history sidebar: saved chats, newest first, to reopen, rename or delete."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...store import ChatRecord, ChatStore
from ..dialogs import ConfirmScreen, TextPromptScreen


def when(stamp: float, now: float | None = None) -> str:
    """When a chat last changed, as short as tells two chats of one title apart."""
    moment = datetime.fromtimestamp(stamp)
    today = datetime.fromtimestamp(time.time() if now is None else now)
    if moment.date() == today.date():
        return moment.strftime("%H:%M")
    if moment.year == today.year:
        return moment.strftime("%b %d %H:%M")
    return moment.strftime("%Y-%m-%d")


class ChatList(OptionList):
    DEFAULT_CSS = """
    ChatList { width: 32; height: 1fr; border-right: solid $panel; }
    """
    BINDINGS = [
        Binding("r", "rename", "Rename", id="rename_chat", tooltip="Rename this chat"),
        Binding("delete,d", "delete", "Delete", id="delete_chat", tooltip="Delete this chat"),
    ]

    @dataclass
    class ChatChosen(Message):
        chat_id: int

    @dataclass
    class ChatDeleted(Message):
        chat_id: int

    def __init__(self, store: ChatStore | None, **kwargs: str) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.store = store

    def refresh_chats(self, current: ChatRecord | None = None) -> None:
        chats = self.store.list_chats() if self.store is not None else []
        self.clear_options()
        self.add_options(
            Option(
                Content.assemble(chat.title, (f"  {when(chat.updated_at)}", "dim")),
                id=str(chat.id),
            )
            for chat in chats
        )
        ids = [chat.id for chat in chats]
        if current is not None and current.id in ids:
            self.highlighted = ids.index(current.id)
        elif ids:
            self.highlighted = 0

    def _chosen_id(self) -> int | None:
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return int(option.id) if option.id else None

    @on(OptionList.OptionSelected)
    def choose(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.ChatChosen(int(event.option.id)))

    def action_rename(self) -> None:
        chat_id = self._chosen_id()
        if chat_id is None or self.store is None:
            return
        store = self.store
        current = store.get_chat(chat_id)

        def renamed(title: str | None) -> None:
            if title and title.strip():
                store.update_chat(chat_id, title=title.strip())
                self.refresh_chats(current)

        self.app.push_screen(TextPromptScreen("Rename chat", current.title), renamed)

    def action_delete(self) -> None:
        chat_id = self._chosen_id()
        if chat_id is None or self.store is None:
            return
        store = self.store
        title = store.get_chat(chat_id).title

        def confirmed(yes: bool | None) -> None:
            if yes:
                store.delete_chat(chat_id)
                self.refresh_chats()
                self.post_message(self.ChatDeleted(chat_id))

        self.app.push_screen(ConfirmScreen(f"Delete the chat “{title}”?"), confirmed)
