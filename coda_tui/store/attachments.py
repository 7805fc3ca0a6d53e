"""Files and images sent with a message, kept by reference: where the file was, its size, and
its SHA-256, never a copy (an attached log can be hundreds of megabytes). A chat sent again
reads the file again, and the digest says whether it is still what was sent.

Mixed into ``ChatStore`` (one database, one connection), beside the chats and messages.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Attachment:
    kind: str
    """``file`` (text sent as context) or ``image``."""
    path: str
    """Absolute, as it was when attached."""
    media_type: str
    size: int
    digest: str
    """SHA-256 of the bytes sent, in hex."""
    tokens: int = 0
    """An estimate, for text (about four characters a token); 0 for images."""

    @property
    def name(self) -> str:
        return Path(self.path).name


class _HasAttachments(Protocol):
    id: int
    attachments: list[Attachment]


class AttachmentRecords:
    _db: sqlite3.Connection

    def add_attachments(self, message_id: int, attachments: Iterable[Attachment]) -> None:
        self._db.executemany(
            "INSERT INTO attachments (message_id, position, kind, path, media_type, size, digest,"
            " tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (message_id, n, a.kind, a.path, a.media_type, a.size, a.digest, a.tokens)
                for n, a in enumerate(attachments)
            ],
        )

    def attachments(self, message_ids: Iterable[int]) -> dict[int, list[Attachment]]:
        """Each message's attachments, in the order attached; messages without are left out."""
        found: dict[int, list[Attachment]] = {}
        ids = list(message_ids)
        for start in range(0, len(ids), 500):  # SQLite's limit on parameters is 32,766
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT message_id, kind, path, media_type, size, digest, tokens FROM attachments"
                f" WHERE message_id IN ({marks}) ORDER BY message_id, position",
                chunk,
            )
            for message_id, *fields in rows:
                found.setdefault(message_id, []).append(Attachment(*fields))
        return found

    def _fill_attachments(self, messages: Sequence[_HasAttachments]) -> None:
        """Give each message its attachments: one query for the lot."""
        if not messages:
            return
        found = self.attachments(message.id for message in messages)
        for message in messages:
            message.attachments = found.get(message.id, [])
