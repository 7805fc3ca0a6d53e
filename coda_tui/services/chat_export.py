"""A chat as files: Markdown to read, JSON for programs. No Textual: the chat screen asks where."""

from __future__ import annotations

import time
from pathlib import Path

from ..store import ChatRecord, ChatStore, StoredMessage, chat_to_json, chat_to_markdown
from .chat_session import ChatSession


def exportable(
    session: ChatSession, store: ChatStore | None
) -> tuple[ChatRecord, list[StoredMessage]] | None:
    """The chat as saved, every message (older ones not on screen too); without a history
    (it could not be opened), the chat as it is in memory. None when there is nothing yet."""
    record = session.record
    if record is not None and store is not None:
        return record, store.messages(record.id)
    if not session.turns:
        return None
    first = next((t.content for t in session.turns if t.role == "user"), "chat")
    params = session.params
    record = ChatRecord(
        0,
        first[:60],
        session.provider,
        session.model,
        params.system_prompt,
        params.as_dict(),
        time.time(),
    )
    messages = [
        StoredMessage(0, 0, t.role, t.content, t.status, t.provider, t.model, t.metrics)
        for t in session.turns
    ]
    return record, messages


def write_export(markdown: Path, record: ChatRecord, messages: list[StoredMessage]) -> str:
    """Write ``markdown`` (".md" added when it has no suffix) and its JSON twin beside it;
    what was written, to tell the user. Raises OSError."""
    markdown = markdown if markdown.suffix else markdown.with_suffix(".md")
    data = markdown.with_suffix(".json")
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(chat_to_markdown(record, messages), encoding="utf-8")
    data.write_text(chat_to_json(record, messages), encoding="utf-8")
    return f"{markdown.name} and {data.name} in {markdown.parent}"
