"""History search at scale: a history of N messages (100,000 by default) written by the schema
from before search, upgraded on open (backup, full-text index, branches), then searched as one
types: each query's time in the store, then in coda-tui in tmux (Ctrl+F), seconds from a key to
its results on screen. Goals at 100,000 messages: median query <= 30 ms, results on screen
<= 100 ms after a key.

Run from the repository root: python benchmarks/search.py [--messages N]
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from tmux_harness import TmuxSession, isolated_env  # noqa: E402

from coda_tui.store import ChatStore  # noqa: E402
from coda_tui.store.schema import BASE  # noqa: E402

PLANTED = [f"zebra{index}" for index in range(10)]
"""Words in one message each, so a probe's results differ from the last probe's on screen."""

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
    for index, word in enumerate(PLANTED):
        db.execute(
            "UPDATE messages SET content = content || ' ' || ? WHERE id = ?",
            (word, (index + 1) * messages // (len(PLANTED) + 1)),
        )
    db.commit()
    db.close()


def on_screen(session: TmuxSession, word: str, timeout: float = 10.0) -> float:
    """When ``word`` shows twice: in the search box and in a result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if session.capture().count(word) >= 2:
            return time.monotonic()
        time.sleep(0.002)
    raise TimeoutError(f"{word!r} found nothing on screen:\n{session.capture()}")


COMMON = ["so", "mo", "co", "pa", "re", "st", "ch", "wi"]
"""Prefixes of the words most messages hold: the slowest searches, typed into an empty box."""


def in_the_app(root: Path) -> list[float]:
    """Seconds from each probe's last key to its results on screen: a rare word completed,
    then common prefixes typed into an empty box."""
    env = isolated_env(root)
    coda = str(Path(sys.executable).parent / "coda-tui")
    delays = []
    with TmuxSession(coda, env, root) as session:
        session.wait_for("palette", timeout=60)
        session.send("C-f")
        session.wait_for("Search every chat", timeout=10)
        for word in PLANTED:
            session.send("C-u")
            time.sleep(0.2)
            session.send(word[:-1], literal=True)
            time.sleep(0.2)
            sent = time.monotonic()
            session.send(word[-1], literal=True)
            delays.append(on_screen(session, word) - sent)
        for prefix in COMMON:
            session.send("C-u")
            session.wait_for("Words to find", timeout=10)
            time.sleep(0.2)
            sent = time.monotonic()
            session.send(prefix, literal=True)
            delays.append(session.wait_for(" found", timeout=10, interval=0.002) - sent)
    return delays


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "data").mkdir()
        path = Path(tmp) / "data" / "history.sqlite3"
        old_history(path, args.messages)
        start = time.perf_counter()
        store = ChatStore(path)
        upgrade = time.perf_counter() - start
        start = time.perf_counter()
        store.index_rest()  # what the app does in a thread after the upgrade
        indexing = time.perf_counter() - start
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
        store.close()
        shown = in_the_app(Path(tmp))
        print(
            json.dumps(
                {
                    "messages": args.messages,
                    "upgrade_on_open_s": round(upgrade, 2),
                    "index_in_the_background_s": round(indexing, 2),
                    "search_as_you_type_median_s": round(statistics.median(typed), 4),
                    "search_as_you_type_max_s": round(max(typed), 4),
                    "key_to_results_on_screen_median_s": round(statistics.median(shown), 3),
                    "key_to_results_on_screen_max_s": round(max(shown), 3),
                    "key_to_results_on_screen_each_ms": [round(x * 1000) for x in shown],
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
