"""Chats and their messages in SQLite (stdlib sqlite3, WAL).

An answer is saved while it streams (the UI updates its row about once a second), so a crash
loses at most the last second of it. Each message keeps its status: complete, streaming,
stopped or error, so a half answer is shown as what it is when the chat is reopened (one still
marked streaming when its chat is opened was cut by a crash: it reads as interrupted).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .schema import prepare
from .search import SearchHit, search_history


def default_history_path() -> Path:
    from ..config.paths import user_data_dir

    return user_data_dir() / "history.sqlite3"


def history_path(configured: str | None) -> Path:
    """Where the history is: ``[history] path`` when set, else the user data directory."""
    return Path(configured).expanduser() if configured else default_history_path()


@dataclass
class ChatRecord:
    id: int
    title: str
    provider: str
    model: str
    system_prompt: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    updated_at: float = 0.0


@dataclass
class StoredMessage:
    id: int
    chat_id: int
    role: str
    content: str
    status: str = "complete"
    provider: str = ""
    model: str = ""
    metrics: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


def private(path: Path) -> None:
    """The history readable by its owner only, as the config is: chats hold what users paste.
    SQLite gives its -wal and -shm files the database's mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.suppress(OSError):  # a file of someone else's, or a read-only disk
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


class ChatStore:
    """One SQLite file; every method is a short transaction, safe to call from the UI thread."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
            private(self.path)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        prepare(self._db, None if str(path) == ":memory:" else self.path)

    def close(self) -> None:
        self._db.close()

    # -- chats ------------------------------------------------------------------------------------

    def create_chat(
        self,
        title: str,
        provider: str,
        model: str,
        *,
        system_prompt: str = "",
        params: dict[str, Any] | None = None,
    ) -> ChatRecord:
        now = time.time()
        cursor = self._db.execute(
            "INSERT INTO chats (title, provider, model, system_prompt, params, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (title, provider, model, system_prompt, json.dumps(params or {}), now, now),
        )
        return self.get_chat(int(cursor.lastrowid or 0))

    def get_chat(self, chat_id: int) -> ChatRecord:
        row = self._db.execute("SELECT * FROM chats WHERE id = ?", (chat_id,)).fetchone()
        if row is None:
            raise KeyError(f"no chat {chat_id}")
        return _chat(row)

    def list_chats(self) -> list[ChatRecord]:
        rows = self._db.execute("SELECT * FROM chats ORDER BY updated_at DESC, id DESC")
        return [_chat(row) for row in rows]

    def update_chat(self, chat_id: int, **fields: Any) -> None:
        allowed = {"title", "provider", "model", "system_prompt", "params"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"unknown chat fields: {sorted(unknown)}")
        if "params" in fields:
            fields["params"] = json.dumps(fields["params"])
        fields["updated_at"] = time.time()
        assignments = ", ".join(f"{name} = ?" for name in fields)
        self._db.execute(
            f"UPDATE chats SET {assignments} WHERE id = ?", (*fields.values(), chat_id)
        )

    def delete_chat(self, chat_id: int) -> None:
        self._db.execute("DELETE FROM chats WHERE id = ?", (chat_id,))

    # -- messages ---------------------------------------------------------------------------------

    def add_message(
        self,
        chat_id: int,
        role: str,
        content: str,
        *,
        status: str = "complete",
        provider: str = "",
        model: str = "",
        metrics: dict[str, Any] | None = None,
    ) -> int:
        now = time.time()
        with self._db:
            cursor = self._db.execute(
                "INSERT INTO messages (chat_id, role, content, status, provider, model, metrics,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (chat_id, role, content, status, provider, model, json.dumps(metrics or {}), now),
            )
            self._db.execute("UPDATE chats SET updated_at = ? WHERE id = ?", (now, chat_id))
        return int(cursor.lastrowid or 0)

    def update_message(
        self,
        message_id: int,
        *,
        content: str | None = None,
        status: str | None = None,
        metrics: dict[str, Any] | None = None,
    ) -> None:
        fields: dict[str, Any] = {}
        if content is not None:
            fields["content"] = content
        if status is not None:
            fields["status"] = status
        if metrics is not None:
            fields["metrics"] = json.dumps(metrics)
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            self._db.execute(
                f"UPDATE messages SET {assignments} WHERE id = ?", (*fields.values(), message_id)
            )

    def delete_message(self, message_id: int) -> None:
        self._db.execute("DELETE FROM messages WHERE id = ?", (message_id,))

    def search(self, text: str, **filters: Any) -> list[SearchHit]:
        """Every message and chat title matching ``text`` (see ``store.search``)."""
        return search_history(self._db, text, **filters)

    def position(self, chat_id: int, message_id: int) -> int:
        """How many of the chat's messages come at or after ``message_id`` (to open it there)."""
        row = self._db.execute(
            "SELECT COUNT(*) FROM messages WHERE chat_id = ? AND id >= ?", (chat_id, message_id)
        )
        return int(row.fetchone()[0])

    def count_messages(self, chat_id: int) -> int:
        row = self._db.execute("SELECT COUNT(*) FROM messages WHERE chat_id = ?", (chat_id,))
        return int(row.fetchone()[0])

    def messages(
        self, chat_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[StoredMessage]:
        """Oldest first; with ``limit``, the newest ``limit`` (before ``before_id``)."""
        query = "SELECT * FROM messages WHERE chat_id = ?"
        args: list[Any] = [chat_id]
        if before_id is not None:
            query += " AND id < ?"
            args.append(before_id)
        query += " ORDER BY id DESC"
        if limit is not None:
            query += " LIMIT ?"
            args.append(limit)
        rows = self._db.execute(query, args).fetchall()
        return [_message(row) for row in reversed(rows)]


def _chat(row: sqlite3.Row) -> ChatRecord:
    return ChatRecord(
        id=row["id"],
        title=row["title"],
        provider=row["provider"],
        model=row["model"],
        system_prompt=row["system_prompt"],
        params=json.loads(row["params"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _message(row: sqlite3.Row) -> StoredMessage:
    return StoredMessage(
        id=row["id"],
        chat_id=row["chat_id"],
        role=row["role"],
        content=row["content"],
        status=row["status"],
        provider=row["provider"],
        model=row["model"],
        metrics=json.loads(row["metrics"]),
        created_at=row["created_at"],
    )
