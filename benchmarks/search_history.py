"""History search at scale: a history of N messages (100,000 by default) written by the schema
from before search, upgraded on open (backup + full-text index), then searched as one types.

Run from the repository root: python benchmarks/search_history.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from coda_tui.store import ChatStore
from coda_tui.store.schema import BASE

WORDS = (
    "model token stream answer prompt python rust sourdough lisbon borrow checker vector "
    "context window latency ollama server config provider search branch history chat table "
    "memory graph train deploy kernel cache thread socket parse render widget screen"
).split()


def old_history(path: Path, messages: int) -> None:
    """What coda-tui wrote before search: the base schema, user_version 0."""
    db = sqlite3.connect(path)
    db.executescript(BASE)
    rng = random.Random(7)
    chats = max(1, messages // 50)
    now = time.time()
    db.executemany(
        "INSERT INTO chats (id, title, provider, model, created_at, updated_at)"
        " VALUES (?, ?, 'mock', 'mock-1', ?, ?)",
        [(i + 1, " ".join(rng.choices(WORDS, k=3)), now, now) for i in range(chats)],
    )
    db.executemany(
        "INSERT INTO messages (chat_id, role, content, created_at) VALUES (?, ?, ?, ?)",
        [
            (
                i % chats + 1,
                "user" if i % 2 == 0 else "assistant",
                " ".join(rng.choices(WORDS, k=rng.randint(20, 120))),
                now,
            )
            for i in range(messages)
        ],
    )
    db.commit()
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "history.sqlite3"
        old_history(path, args.messages)
        start = time.perf_counter()
        store = ChatStore(path)
        upgrade = time.perf_counter() - start
        typed = []
        for query in (
            "s",
            "so",
            "sou",
            "sour",
            "sourd",
            "sourdough",
            "sourdough bro",
            "rust borrow",
        ):
            begin = time.perf_counter()
            store.search(query, limit=50)
            typed.append(time.perf_counter() - begin)
        print(
            json.dumps(
                {
                    "messages": args.messages,
                    "upgrade_on_open_s": round(upgrade, 2),
                    "search_as_you_type_median_s": round(statistics.median(typed), 4),
                    "search_as_you_type_max_s": round(max(typed), 4),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
