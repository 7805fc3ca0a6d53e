"""Full-text search over every saved message and chat title (SQLite FTS5, ranked by bm25).

What a person types becomes an FTS5 query of prefix terms that must all match ("sour star"
finds "sourdough starter"); FTS5's own syntax is never exposed, so no input is an error.
Snippets mark each hit between ``MARK_START`` and ``MARK_END``.

Messages are ranked among the newest ``CANDIDATES`` that match (after the filters): ranking
every match of a common word in 100,000 messages took 0.1-0.25 s a key; FTS5 reads matches
newest first without ranking them, so this takes 3-30 ms (benchmarks/search.py), and
a search as one types favours recent chats, as people look for them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

MARK_START, MARK_END = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)
CANDIDATES = 500


@dataclass(frozen=True)
class SearchHit:
    chat_id: int
    chat_title: str
    message_id: int | None
    """None when the chat's title matched."""
    role: str
    provider: str
    model: str
    snippet: str
    created_at: float

    def parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, is_a_hit) pieces, for whoever draws it."""
        pieces: list[tuple[str, bool]] = []
        for index, chunk in enumerate(re.split(f"[{MARK_START}{MARK_END}]", self.snippet)):
            if chunk:
                pieces.append((chunk, index % 2 == 1))
        return pieces

    def marked(self, start: str = "[", end: str = "]") -> str:
        return self.snippet.replace(MARK_START, start).replace(MARK_END, end)


def fts_query(text: str) -> str | None:
    """Each word of ``text`` as a quoted term, all required; None when there is none. A word
    of two characters or more is a prefix ("sour" finds "sourdough"); a single character is a
    word of its own ("C", "R"): as a prefix it would match most of a history, slowly."""
    words = WORD.findall(text)
    terms = (f'"{word}"*' if len(word) > 1 else f'"{word}"' for word in words)
    return " ".join(terms) if words else None


def search_history(
    db: sqlite3.Connection,
    text: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    role: str | None = None,
    since: float | None = None,
    chat_id: int | None = None,
    limit: int = 50,
) -> list[SearchHit]:
    """Best first: chats whose title matches, then messages by bm25 rank among the newest
    ``CANDIDATES`` matches (``chat_id``: the messages of that chat only)."""
    query = fts_query(text)
    if query is None:
        return []
    filters: list[str] = []
    args: list[Any] = [query]
    # A prompt is saved without a provider: it belongs to its chat's.
    columns = {
        "provider": "COALESCE(NULLIF(m.provider, ''), c.provider)",
        "model": "COALESCE(NULLIF(m.model, ''), c.model)",
        "role": "m.role",
    }
    for column, value in (("provider", provider), ("model", model), ("role", role)):
        if value:
            filters.append(f"{columns[column]} = ?")
            args.append(value)
    if since is not None:
        filters.append("m.created_at >= ?")
        args.append(since)
    if chat_id is not None:
        filters.append("m.chat_id = ?")
        args.append(chat_id)
    where = "".join(f" AND {condition}" for condition in filters)
    rows = db.execute(
        "SELECT * FROM ("
        f"SELECT m.id, m.chat_id, m.role, {columns['provider']} AS provider,"
        f" {columns['model']} AS model, m.created_at, c.title,"
        " snippet(messages_fts, 0, char(2), char(3), '…', 16) AS snip,"
        " bm25(messages_fts) AS score"
        " FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid"
        " JOIN chats c ON c.id = m.chat_id"
        f" WHERE messages_fts MATCH ?{where} ORDER BY messages_fts.rowid DESC LIMIT ?"
        ") ORDER BY score LIMIT ?",
        (*args, CANDIDATES, limit),
    ).fetchall()
    hits = [_message_hit(row) for row in rows]
    if role in (None, "title") and not (provider or model or since is not None or chat_id):
        titles = db.execute(
            "SELECT c.id, c.title, c.provider, c.model, c.updated_at,"
            " highlight(chats_fts, 0, char(2), char(3)) AS snip"
            " FROM chats_fts JOIN chats c ON c.id = chats_fts.rowid"
            " WHERE chats_fts MATCH ? ORDER BY bm25(chats_fts) LIMIT ?",
            (query, limit),
        ).fetchall()
        hits = [_title_hit(row) for row in titles] + hits
    return hits[:limit]


def _message_hit(row: Any) -> SearchHit:
    return SearchHit(
        chat_id=row["chat_id"],
        chat_title=row["title"],
        message_id=row["id"],
        role=row["role"],
        provider=row["provider"],
        model=row["model"],
        snippet=row["snip"],
        created_at=row["created_at"],
    )


def _title_hit(row: Any) -> SearchHit:
    return SearchHit(
        chat_id=row["id"],
        chat_title=row["title"],
        message_id=None,
        role="title",
        provider=row["provider"],
        model=row["model"],
        snippet=row["snip"],
        created_at=row["updated_at"],
    )
