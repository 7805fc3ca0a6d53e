"""What one mode asks of another, as messages: screens never call each other.

A screen posts an intent; it bubbles to the app, which opens the mode that handles it and hands
it over (a copy: a message is handled once). The handling screen stops it there.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual.message import Message

if TYPE_CHECKING:
    from .screens.model_picker import ModelChoice


@dataclass
class Intent(Message):
    mode: ClassVar[str]
    """The mode whose screen handles it."""

    def again(self) -> Intent:
        """The same intent, to be posted once more (to the screen that handles it)."""
        return dataclasses.replace(self)


@dataclass
class OpenChat(Intent):
    """Show this saved chat in the chat mode (a comparison pane continued as a chat)."""

    mode: ClassVar[str] = "chat"
    chat_id: int


@dataclass
class ChatWith(Intent):
    """The chat's next answer comes from this model."""

    mode: ClassVar[str] = "chat"
    choice: ModelChoice


@dataclass
class CompareWith(Intent):
    """A compare pane on this model."""

    mode: ClassVar[str] = "compare"
    choice: ModelChoice
