"""A chat as files: Markdown to read, JSON for programs. No Textual: the chat screen asks where."""

from __future__ import annotations

import time
from pathlib import Path

from ..store import ChatRecord, ChatStore, StoredMessage, chat_to_json, chat_to_markdown
from .chat_session import ChatSession

Exported = tuple[ChatRecord, list[StoredMessage], list[StoredMessage]]
"""The chat, its branch shown (first to last) and every message of every branch."""


def exportable(session: ChatSession, store: ChatStore | None) -> Exported | None:
    """The chat as saved, every message (older ones not on screen too); without a history
    (it could not be opened), the chat as it is in memory. None when there is nothing yet."""
    record = session.record
    if record is not None and store is not None:
        return record, store.messages(record.id), store.tree(record.id)
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
        StoredMessage(
            index + 1,
            0,
            t.role,
            t.content,
            t.status,
            t.provider,
            t.model,
            t.metrics,
            parent_id=index or None,
            attachments=t.attachments,
        )
        for index, t in enumerate(session.turns)
    ]
    return record, messages, messages


def write_export(
    markdown: Path,
    record: ChatRecord,
    branch: list[StoredMessage],
    tree: list[StoredMessage],
) -> str:
    """Write ``markdown`` (".md" added when it has no suffix) and its JSON twin beside it;
    what was written, to tell the user. Raises OSError."""
    markdown = markdown if markdown.suffix else markdown.with_suffix(".md")
    data = markdown.with_suffix(".json")
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(chat_to_markdown(record, branch), encoding="utf-8")
    data.write_text(chat_to_json(record, tree, [m.id for m in branch]), encoding="utf-8")
    return f"{markdown.name} and {data.name} in {markdown.parent}"
