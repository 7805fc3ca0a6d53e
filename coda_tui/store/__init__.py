"""Chat history in SQLite, and its export. UI-free: the store is given its database path."""

from .arena import Contestant, StoredVote
from .attachments import Attachment
from .export import chat_to_json, chat_to_markdown
from .history import (
    ChatRecord,
    ChatStore,
    StoredMessage,
    default_history_path,
    history_path,
)
from .schema import HistoryVersionError
from .search import SearchHit

__all__ = [
    "Attachment",
    "ChatRecord",
    "ChatStore",
    "Contestant",
    "HistoryVersionError",
    "SearchHit",
    "StoredMessage",
    "StoredVote",
    "chat_to_json",
    "chat_to_markdown",
    "default_history_path",
    "history_path",
]
