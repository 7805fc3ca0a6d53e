"""What one mode asks of another, as messages: screens never call each other.

A screen posts an intent; it bubbles to the app, which opens the mode that handles it and hands
it over (a copy: a message is handled once). The handling screen stops it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:
    from .screens.model_picker import ModelChoice


class Intent(Message):
    # Plain classes, not dataclasses: this module loads before the first frame, and making
    # dataclasses costs a few milliseconds there.
    mode: ClassVar[str]
    """The mode whose screen handles it."""

    def again(self) -> Intent:
        """The same intent, to be posted once more (to the screen that handles it)."""
        raise NotImplementedError


class OpenChat(Intent):
    """Show this saved chat in the chat mode (a comparison pane continued as a chat, a search
    hit: then at that message)."""

    mode = "chat"

    def __init__(self, chat_id: int, message_id: int | None = None) -> None:
        super().__init__()
        self.chat_id = chat_id
        self.message_id = message_id

    def again(self) -> OpenChat:
        return OpenChat(self.chat_id, self.message_id)


class ChatWith(Intent):
    """The chat's next answer comes from this model."""

    mode = "chat"

    def __init__(self, choice: ModelChoice) -> None:
        super().__init__()
        self.choice = choice

    def again(self) -> ChatWith:
        return ChatWith(self.choice)


class CompareWith(Intent):
    """A compare pane on this model."""

    mode = "compare"

    def __init__(self, choice: ModelChoice) -> None:
        super().__init__()
        self.choice = choice

    def again(self) -> CompareWith:
        return CompareWith(self.choice)
