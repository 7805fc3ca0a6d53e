"""Chats and their messages in SQLite (stdlib sqlite3, WAL).

A chat is a tree: each message has a parent, an edited prompt or an answer asked again is a
sibling of the one it replaces, and nothing is deleted to branch. The chat remembers the last
message of the branch it shows (``leaf_id``); reading a chat reads that branch, from its last
message up, so a chat of 10,000 messages opens as fast as a short one.

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .arena import ArenaRecords
from .attachments import Attachment, AttachmentRecords
from .schema import index_progress, index_step, prepare
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
    leaf_id: int | None = None
    """The last message of the branch shown (None: no message yet)."""


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
    parent_id: int | None = None
    depth: int = 1
    """1 for a chat's first message, its parent's depth plus one after."""
    sibling: int = 1
    """Which of its parent's answers (or of the chat's first messages) this is, from 1."""
    siblings: int = 1
    attachments: list[Attachment] = field(default_factory=list)


LEAF: Any = object()
"""``add_message``'s default parent: the last message of the branch the chat shows."""

_WITH_SIBLINGS = """SELECT messages.*,
    (SELECT COUNT(*) FROM messages AS s WHERE s.chat_id = messages.chat_id
        AND s.parent_id IS messages.parent_id AND s.id <= messages.id) AS sibling,
    (SELECT COUNT(*) FROM messages AS s WHERE s.chat_id = messages.chat_id
        AND s.parent_id IS messages.parent_id) AS siblings"""
"""Each message with its place among its siblings (the answers to the same message)."""

_UP = f"""
WITH RECURSIVE up(id, n) AS (
    SELECT ?, 1
    UNION ALL
    SELECT messages.parent_id, up.n + 1 FROM up JOIN messages ON messages.id = up.id
    WHERE messages.parent_id IS NOT NULL LIMIT ?
)
{_WITH_SIBLINGS}
FROM up JOIN messages ON messages.id = up.id ORDER BY messages.depth
"""
"""A branch read upward from a message, ``LIMIT`` messages at most; each with its place among
its siblings. Oldest first."""


def private(path: Path) -> None:
    """The history readable by its owner only, as the config is: chats hold what users paste.
    SQLite gives its -wal and -shm files the database's mode."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    with contextlib.suppress(OSError):  # a file of someone else's, or a read-only disk
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)


class ChatStore(ArenaRecords, AttachmentRecords):
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

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Statements that stand or fall together (the connection autocommits otherwise);
        one inside another joins it."""
        if self._db.in_transaction:
            yield
            return
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

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
        parent_id: int | None = LEAF,
        attachments: list[Attachment] | None = None,
    ) -> int:
        """A message after ``parent_id`` (by default the end of the branch shown; None: a
        first message), which becomes the end of the branch shown."""
        now = time.time()
        with self._transaction():
            if parent_id is LEAF:
                parent_id = self._leaf(chat_id)
            depth = 1
            if parent_id is not None:
                row = self._db.execute(
                    "SELECT depth FROM messages WHERE id = ? AND chat_id = ?", (parent_id, chat_id)
                ).fetchone()
                if row is None:
                    raise KeyError(f"no message {parent_id} in chat {chat_id}")
                depth = row[0] + 1
            cursor = self._db.execute(
                "INSERT INTO messages (chat_id, role, content, status, provider, model, metrics,"
                " created_at, parent_id, depth) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    chat_id,
                    role,
                    content,
                    status,
                    provider,
                    model,
                    json.dumps(metrics or {}),
                    now,
                    parent_id,
                    depth,
                ),
            )
            message_id = int(cursor.lastrowid or 0)
            self._db.execute(
                "UPDATE chats SET updated_at = ?, leaf_id = ? WHERE id = ?",
                (now, message_id, chat_id),
            )
            if attachments:
                self.add_attachments(message_id, attachments)
        return message_id

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
        """Delete a message that nothing follows (an empty answer); the chat then shows the
        newest branch left at that place."""
        with self._transaction():
            row = self._db.execute(
                "SELECT chat_id, parent_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                return
            if self._db.execute(
                "SELECT 1 FROM messages WHERE parent_id = ? LIMIT 1", (message_id,)
            ).fetchone():
                raise ValueError(f"message {message_id} has replies: it is kept")
            self._db.execute("DELETE FROM messages WHERE id = ?", (message_id,))
            chat_id, parent_id = row
            siblings = self.sibling_ids(chat_id, parent_id)
            leaf = self._newest_below(siblings[-1]) if siblings else parent_id
            self._db.execute("UPDATE chats SET leaf_id = ? WHERE id = ?", (leaf, chat_id))

    # -- branches ---------------------------------------------------------------------------------

    def sibling_ids(self, chat_id: int, parent_id: int | None) -> list[int]:
        """The messages after ``parent_id`` (None: the chat's first messages), oldest first."""
        rows = self._db.execute(
            "SELECT id FROM messages WHERE chat_id = ? AND parent_id IS ? ORDER BY id",
            (chat_id, parent_id),
        )
        return [row[0] for row in rows]

    def _newest_below(self, message_id: int) -> int:
        """The newest message at or below ``message_id``: the end of the branch written last
        (a message's replies are newer than it, so the newest is always a branch's end)."""
        row = self._db.execute(
            "WITH RECURSIVE below(id) AS (SELECT ? UNION ALL"
            " SELECT messages.id FROM messages JOIN below ON messages.parent_id = below.id)"
            " SELECT MAX(id) FROM below",
            (message_id,),
        ).fetchone()
        return int(row[0])

    def choose(self, message_id: int) -> int:
        """Show the branch through ``message_id``: the newest one below it (the branch last
        written there). Returns the new end of the branch shown."""
        with self._transaction():
            row = self._db.execute(
                "SELECT chat_id FROM messages WHERE id = ?", (message_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no message {message_id}")
            leaf = self._newest_below(message_id)
            self._db.execute("UPDATE chats SET leaf_id = ? WHERE id = ?", (leaf, row[0]))
        return leaf

    def on_branch(self, chat_id: int, message_id: int) -> bool:
        """Whether ``message_id`` is on the branch the chat shows."""
        leaf, depth = self._leaf(chat_id), self._depth(message_id)
        if leaf is None or depth is None:
            return False
        steps = (self._depth(leaf) or 0) - depth
        return steps >= 0 and self._ancestor(leaf, steps) == message_id

    def _leaf(self, chat_id: int) -> int | None:
        """The end of the branch the chat shows; None for an empty chat or no chat."""
        row = self._db.execute("SELECT leaf_id FROM chats WHERE id = ?", (chat_id,)).fetchone()
        return None if row is None else row[0]

    def _depth(self, message_id: int) -> int | None:
        row = self._db.execute("SELECT depth FROM messages WHERE id = ?", (message_id,)).fetchone()
        return None if row is None else int(row[0])

    def _up(self, message_id: int, limit: int) -> list[StoredMessage]:
        if limit <= 0:
            return []
        messages = [_message(row) for row in self._db.execute(_UP, (message_id, limit))]
        self._fill_attachments(messages)
        return messages

    def tree(self, chat_id: int) -> list[StoredMessage]:
        """Every message of the chat, every branch, in the order written (for the JSON export)."""
        rows = self._db.execute(
            f"{_WITH_SIBLINGS} FROM messages WHERE chat_id = ? ORDER BY id", (chat_id,)
        )
        messages = [_message(row) for row in rows]
        self._fill_attachments(messages)
        return messages

    def fork(self, chat_id: int, message_id: int, title: str) -> ChatRecord:
        """A new chat holding the branch from the first message to ``message_id`` (copied: the
        two chats then go their own ways)."""
        chat = self.get_chat(chat_id)
        depth = self._depth(message_id)
        if depth is None:
            raise KeyError(f"no message {message_id}")
        path = self._up(message_id, depth)
        with self._transaction():
            fork = self.create_chat(
                title,
                chat.provider,
                chat.model,
                system_prompt=chat.system_prompt,
                params=chat.params,
            )
            parent: int | None = None
            for message in path:
                parent = self.add_message(
                    fork.id,
                    message.role,
                    message.content,
                    status=message.status,
                    provider=message.provider,
                    model=message.model,
                    metrics=message.metrics,
                    parent_id=parent,
                    attachments=message.attachments,
                )
        return self.get_chat(fork.id)

    def index_progress(self) -> tuple[int, int]:
        """(messages still to index for search, how many there were): see ``index_rest``."""
        return index_progress(self._db)

    def index_rest(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Index for search what a release before search wrote, newest first, a batch at a
        time on a connection of its own (this runs in a thread while the app is used; each
        batch holds the write lock for some milliseconds). ``progress(left, total)`` after
        each batch."""
        db = self._db if str(self.path) == ":memory:" else sqlite3.connect(self.path)
        try:
            db.isolation_level = None
            db.execute("PRAGMA busy_timeout = 10000")
            left, total = index_progress(db)
            while left:
                left = index_step(db)
                if progress is not None:
                    progress(left, total)
        finally:
            if db is not self._db:
                db.close()

    def search(self, text: str, **filters: Any) -> list[SearchHit]:
        """Every message and chat title matching ``text`` (see ``store.search``)."""
        return search_history(self._db, text, **filters)

    def window(
        self, chat_id: int, message_id: int, *, before: int, after: int
    ) -> tuple[list[StoredMessage], int]:
        """The branch shown around ``message_id`` (a message on it): up to ``before`` messages
        above it, it, up to ``after`` below; and how many more come after those. A message
        in the middle of a chat of 10,000 opens as fast as its end."""
        leaf, depth = self._leaf(chat_id), self._depth(message_id)
        if leaf is None or depth is None:
            return [], 0
        last = self._depth(leaf) or 0
        end = min(last, depth + after)
        end_id = self._ancestor(leaf, last - end)
        first = max(1, depth - before)
        return self._up(end_id, end - first + 1), last - end

    def _ancestor(self, message_id: int, steps: int) -> int:
        """The message ``steps`` above ``message_id`` on its branch."""
        if steps <= 0:
            return message_id
        row = self._db.execute(
            "WITH RECURSIVE up(id, n) AS (SELECT ?, 0 UNION ALL SELECT messages.parent_id,"
            " up.n + 1 FROM up JOIN messages ON messages.id = up.id WHERE up.n < ?)"
            " SELECT id FROM up WHERE n = ?",
            (message_id, steps, steps),
        ).fetchone()
        if row is None or row[0] is None:
            raise KeyError(f"message {message_id} has no ancestor {steps} up")
        return int(row[0])

    def count_messages(self, chat_id: int) -> int:
        """Messages on the branch shown."""
        leaf = self._leaf(chat_id)
        return 0 if leaf is None else self._depth(leaf) or 0

    def messages(
        self, chat_id: int, *, limit: int | None = None, before_id: int | None = None
    ) -> list[StoredMessage]:
        """The branch shown, oldest first; with ``limit``, its newest ``limit`` (before
        ``before_id``, a message on it)."""
        start = self._leaf(chat_id)
        if before_id is not None:
            row = self._db.execute(
                "SELECT parent_id FROM messages WHERE id = ? AND chat_id = ?", (before_id, chat_id)
            ).fetchone()
            start = None if row is None else row[0]
        if start is None:
            return []
        depth = self._depth(start) or 0
        return self._up(start, depth if limit is None else min(limit, depth))


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
        leaf_id=row["leaf_id"],
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
        parent_id=row["parent_id"],
        depth=row["depth"],
        sibling=row["sibling"],
        siblings=row["siblings"],
    )
