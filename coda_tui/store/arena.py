"""What the arena keeps in the history: blind votes, prompt-set runs and a judge's verdicts.

Mixed into ``ChatStore`` (one database, one connection); apart from the chats and messages
so each file is one concept.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Contestant:
    """One answer in an arena round, named (the names are hidden on screen until the vote)."""

    label: str
    provider: str
    model: str
    answer: str = ""
    status: str = "complete"
    metrics: dict[str, Any] = field(default_factory=dict)


@dataclass
class StoredVote:
    id: int
    created_at: float
    prompt: str
    tag: str
    outcome: str
    """win, tie, bad or void."""
    winner: int | None
    void_reason: str
    contestants: list[Contestant]
    params: dict[str, Any] = field(default_factory=dict)


class ArenaRecords:
    _db: sqlite3.Connection

    def add_vote(
        self,
        prompt: str,
        contestants: list[Contestant],
        outcome: str,
        *,
        winner: int | None = None,
        tag: str = "",
        void_reason: str = "",
        params: dict[str, Any] | None = None,
    ) -> int:
        if outcome not in ("win", "tie", "bad", "void"):
            raise ValueError(f"unknown outcome {outcome!r}")
        if (outcome == "win") != (winner is not None):
            raise ValueError("a win names its winner, and only a win does")
        cursor = self._db.execute(
            "INSERT INTO votes (created_at, prompt, tag, outcome, winner, void_reason,"
            " contestants, params) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                time.time(),
                prompt,
                tag.strip(),
                outcome,
                winner,
                void_reason,
                json.dumps([vars(c) for c in contestants], ensure_ascii=False),
                json.dumps(params or {}),
            ),
        )
        return int(cursor.lastrowid or 0)

    def votes(self, *, tag: str | None = None, since: float | None = None) -> list[StoredVote]:
        """Oldest first; ``tag``: that tag only; ``since``: from that time on."""
        query, args = "SELECT * FROM votes WHERE 1", list[Any]()
        if tag:
            query += " AND tag = ?"
            args.append(tag)
        if since is not None:
            query += " AND created_at >= ?"
            args.append(since)
        rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            StoredVote(
                id=row["id"],
                created_at=row["created_at"],
                prompt=row["prompt"],
                tag=row["tag"],
                outcome=row["outcome"],
                winner=row["winner"],
                void_reason=row["void_reason"],
                contestants=[Contestant(**c) for c in json.loads(row["contestants"])],
                params=json.loads(row["params"]),
            )
            for row in rows
        ]

    def save_run(self, name: str, targets: list[str], results: list[dict[str, Any]]) -> int:
        """A prompt-set run: its name, ``PROVIDER:MODEL`` targets and result rows."""
        cursor = self._db.execute(
            "INSERT INTO eval_runs (created_at, name, targets, results) VALUES (?, ?, ?, ?)",
            (time.time(), name, json.dumps(targets), json.dumps(results, ensure_ascii=False)),
        )
        return int(cursor.lastrowid or 0)

    def runs(self) -> list[tuple[int, float, str, list[str]]]:
        """(id, created_at, name, targets) of every saved run, newest first."""
        rows = self._db.execute(
            "SELECT id, created_at, name, targets FROM eval_runs ORDER BY id DESC"
        )
        return [(r[0], r[1], r[2], json.loads(r[3])) for r in rows]

    def run(self, run_id: int) -> tuple[str, list[str], list[dict[str, Any]]]:
        row = self._db.execute(
            "SELECT name, targets, results FROM eval_runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no run {run_id}")
        return row[0], json.loads(row[1]), json.loads(row[2])

    def add_verdict(
        self,
        run_id: int | None,
        prompt_id: str,
        judge: str,
        a: str,
        b: str,
        outcome: str,
        reason: str,
        rubric: str,
    ) -> int:
        """A judge model's verdict (a, b, tie or unclear) on two ``PROVIDER:MODEL`` answers."""
        cursor = self._db.execute(
            "INSERT INTO judge_verdicts (created_at, run_id, prompt_id, judge, a, b, outcome,"
            " reason, rubric) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (time.time(), run_id, prompt_id, judge, a, b, outcome, reason, rubric),
        )
        return int(cursor.lastrowid or 0)

    def verdicts(self, *, since: float | None = None) -> list[dict[str, Any]]:
        query, args = "SELECT * FROM judge_verdicts WHERE 1", list[Any]()
        if since is not None:
            query += " AND created_at >= ?"
            args.append(since)
        return [dict(row) for row in self._db.execute(query + " ORDER BY id", args)]

    def last_rubric(self) -> str | None:
        row = self._db.execute("SELECT rubric FROM judge_verdicts ORDER BY id DESC LIMIT 1")
        found = row.fetchone()
        return None if found is None else str(found[0])

    def vote_tags(self) -> list[str]:
        rows = self._db.execute("SELECT DISTINCT tag FROM votes WHERE tag != '' ORDER BY tag")
        return [row[0] for row in rows]
