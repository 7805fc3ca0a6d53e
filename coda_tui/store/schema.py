"""The history database's schema, its version (``PRAGMA user_version``) and the upgrades to it.

A database written by an earlier release is upgraded in place when it is opened, after a copy
of it is kept beside it (``history.sqlite3.v1.bak``, named by the version it had); one written
by a newer release is refused and left untouched, as is a file that is not a database.
"""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

BASE = """
CREATE TABLE IF NOT EXISTS chats (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    system_prompt TEXT NOT NULL DEFAULT '',
    params TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    chat_id INTEGER NOT NULL REFERENCES chats(id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'complete',
    provider TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    metrics TEXT NOT NULL DEFAULT '{}',
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_by_chat ON messages(chat_id, id);
"""
"""Version 0: what every release before search wrote (no user_version set)."""

FULL_TEXT = """
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE chats_fts USING fts5(
    title, content='chats', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
CREATE TRIGGER chats_fts_insert AFTER INSERT ON chats BEGIN
    INSERT INTO chats_fts(rowid, title) VALUES (new.id, new.title);
END;
CREATE TRIGGER chats_fts_delete AFTER DELETE ON chats BEGIN
    INSERT INTO chats_fts(chats_fts, rowid, title) VALUES ('delete', old.id, old.title);
END;
CREATE TRIGGER chats_fts_update AFTER UPDATE OF title ON chats BEGIN
    INSERT INTO chats_fts(chats_fts, rowid, title) VALUES ('delete', old.id, old.title);
    INSERT INTO chats_fts(rowid, title) VALUES (new.id, new.title);
END;
INSERT INTO chats_fts(chats_fts) VALUES ('rebuild');
"""
"""Version 1: full-text search over every message and chat title (kept in step by triggers).
Version 1 as released also indexed every message written before it, in the upgrade; it is never
the end of an upgrade now, and version 2 has that done in the background (``index_step``)."""

BRANCHES = """
ALTER TABLE messages ADD COLUMN parent_id INTEGER;
ALTER TABLE messages ADD COLUMN depth INTEGER NOT NULL DEFAULT 1;
ALTER TABLE chats ADD COLUMN leaf_id INTEGER;
UPDATE messages SET parent_id = line.parent_id, depth = line.depth FROM (
    SELECT id,
        MAX(CASE WHEN status != 'replaced' THEN id END) OVER earlier AS parent_id,
        COALESCE(SUM(status != 'replaced') OVER earlier, 0) + 1 AS depth
    FROM messages
    WINDOW earlier AS (
        PARTITION BY chat_id ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    )
) AS line WHERE messages.id = line.id;
UPDATE chats SET leaf_id = (SELECT MAX(id) FROM messages WHERE chat_id = chats.id);
CREATE INDEX messages_by_parent ON messages(chat_id, parent_id);
DROP TABLE messages_fts;
CREATE VIRTUAL TABLE messages_fts USING fts5(
    content, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2',
    prefix='2'
);
CREATE TABLE fts_build (todo INTEGER NOT NULL, total INTEGER NOT NULL);
INSERT INTO fts_build SELECT COALESCE(MAX(id), 0), COALESCE(MAX(id), 0) FROM messages;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.id > (SELECT todo FROM fts_build) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages
WHEN old.id > (SELECT todo FROM fts_build) BEGIN
    INSERT INTO messages_fts(messages_fts, rowid, content) VALUES ('delete', old.id, old.content);
    INSERT INTO messages_fts(rowid, content) VALUES (new.id, new.content);
END;
"""
"""Version 2: branches. Each message has a parent (the message it answers or follows; none for
a chat's first) and a depth (1 for the first), and each chat the last message of the branch it
shows. A chat written before is one line, except that an answer asked again was kept in it,
marked replaced: it becomes a sibling of the answer that replaced it, under the same prompt.
No foreign key on parent_id: a chain of 10,000 cascading deletes would pass SQLite's limit.

The message index is made again with an index of two-letter prefixes: typing the first two
letters of a common word matched most of a history, 20-60 ms a key at 100,000 messages; with
it, a few. It is filled in the background, newest first (``index_step``; in the upgrade this
took 1-2 s for 100,000 messages): messages with an id up to ``fts_build.todo`` are not in the
index yet, so the triggers leave them alone; new messages (higher ids) are indexed as they are
written."""

VOTES = """
CREATE TABLE votes (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    prompt TEXT NOT NULL,
    tag TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL,
    winner INTEGER,
    void_reason TEXT NOT NULL DEFAULT '',
    contestants TEXT NOT NULL,
    params TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX votes_by_time ON votes(created_at);
CREATE TABLE eval_runs (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    name TEXT NOT NULL,
    targets TEXT NOT NULL,
    results TEXT NOT NULL
);
CREATE TABLE judge_verdicts (
    id INTEGER PRIMARY KEY,
    created_at REAL NOT NULL,
    run_id INTEGER,
    prompt_id TEXT NOT NULL,
    judge TEXT NOT NULL,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    outcome TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    rubric TEXT NOT NULL
);
"""
"""Version 3: arena votes; prompt-set runs (``eval_runs``: the set's name, its
``PROVIDER:MODEL`` targets and every result row as JSON, to reopen and export); and a judge
model's verdicts on them (``judge_verdicts``, apart from your votes by design). A vote's
``outcome`` is win (``winner``: the contestant's place, from 0), tie, bad (every answer bad) or
void (an answer named its own model: ``void_reason``); ``contestants`` is a JSON list of
{label, provider, model, answer, status, metrics}."""

ATTACHMENTS = """
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL,
    position INTEGER NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    digest TEXT NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX attachments_by_message ON attachments(message_id, position);
CREATE TRIGGER attachments_delete AFTER DELETE ON messages BEGIN
    DELETE FROM attachments WHERE message_id = old.id;
END;
"""
"""Version 4: files and images sent with a message, by reference and SHA-256 (no copies)."""

UPGRADES = {1: FULL_TEXT, 2: BRANCHES, 3: VOTES, 4: ATTACHMENTS}
VERSION = max(UPGRADES)


class HistoryVersionError(sqlite3.DatabaseError):
    """The database was written by a newer coda-tui: it is not touched."""


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")


def statements(script: str) -> list[str]:
    """The script's statements one by one (a trigger's body holds semicolons of its own)."""
    found, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    return [statement for statement in found if statement]


def prepare(db: sqlite3.Connection, path: Path | None) -> None:
    """Create the schema in a new database, or upgrade an older one (after a backup).

    The upgrade is one transaction that first reads the version again: a second coda-tui
    opening the same old file at the same moment waits, then finds it done."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    _refuse_newer(version, path)
    if version == VERSION:
        return
    fresh = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
    if not fresh and path is not None:  # before the write lock: a backup waits on it forever
        with contextlib.closing(sqlite3.connect(str(backup_path(path, version)))) as copy:
            db.backup(copy)
    db.execute("BEGIN IMMEDIATE")
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        _refuse_newer(version, path)
        if version < VERSION:
            script = BASE + "".join(UPGRADES[step] for step in range(version + 1, VERSION + 1))
            for statement in statements(script):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _refuse_newer(version: int, path: Path | None) -> None:
    if version > VERSION:
        raise HistoryVersionError(
            f"{path or 'the history'} was written by a newer coda-tui (schema {version}; this "
            f"one knows up to {VERSION}): left as it is. Upgrade coda-tui, or set [history] "
            "path to another file."
        )


INDEX_BATCH = 5000


def index_progress(db: sqlite3.Connection) -> tuple[int, int]:
    """(messages still to index, messages there were to index) after an upgrade; (0, n) done."""
    row = db.execute("SELECT todo, total FROM fts_build").fetchone()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def index_step(db: sqlite3.Connection, batch: int = INDEX_BATCH) -> int:
    """Index up to ``batch`` more of the messages written before search, newest first, in one
    short write transaction; returns how many ids are left (0: done)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        todo = int(db.execute("SELECT todo FROM fts_build").fetchone()[0])
        low = max(todo - batch, 0)
        if todo:
            db.execute(
                "INSERT INTO messages_fts(rowid, content) SELECT id, content FROM messages"
                " WHERE id > ? AND id <= ?",
                (low, todo),
            )
            db.execute("UPDATE fts_build SET todo = ?", (low,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return low
