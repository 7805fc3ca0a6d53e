"""Opening a saved chat of long messages (200 by default; the goal is set at 10,000): seconds
until its last message is on screen; then going to a message in its middle (a search hit),
seconds until it is on screen, and key echo in the prompt there; the app's peak RSS after.
Goals at 10,000 messages: open <= 0.3 s, key echo <= 50 ms, peak RSS <= 150 MB.

The chat is written straight into a fresh history database; coda-tui runs in tmux at 120x40 and
the chat is opened from the history sidebar (Ctrl+B, Enter), as a user would, then the middle
message is found with Ctrl+F and opened with Enter.
Run from the repository root: python benchmarks/long_chat.py [--runs N] [--messages N]
"""

from __future__ import annotations

import argparse
import json
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

BODY = (
    "A long answer about rendering text in terminals, with enough words to wrap over many "
    "lines, some `inline code`, and a list:\n\n- one point\n- another point\n\n"
    "```python\nfor line in lines:\n    print(line)\n```\n\n"
)


MIDDLE = "MIDDLEWORDQ7"


def build_history(data_dir: Path, messages: int, marker: str) -> None:
    store = ChatStore(data_dir / "history.sqlite3")
    chat = store.create_chat("A very long chat", "mock", "mock-1")
    store._db.execute("BEGIN")
    for index in range(messages):
        role = "user" if index % 2 == 0 else "assistant"
        text = f"Question {index}?" if role == "user" else BODY * 6 + f"Answer {index}."
        if index == messages // 2:
            text = f"Question {index} {MIDDLE}?"
        store.add_message(chat.id, role, text + (f" {marker}" if index == messages - 1 else ""))
    store._db.execute("COMMIT")
    store.close()


def in_chat(session: TmuxSession, text: str, timeout: float = 60.0) -> float:
    """When ``text`` shows with the search dialog gone (the hit's chat on screen)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        screen = session.capture()
        if text in screen and "Search every chat" not in screen:
            return time.monotonic()
        time.sleep(0.005)
    raise TimeoutError(f"{text!r} not in the chat after {timeout} s:\n{session.capture()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    coda = str(Path(sys.executable).parent / "coda-tui")
    marker = "LAST-MESSAGE-Z9"
    times, middles, echoes, rss = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = isolated_env(root)
        build_history(Path(env["CODA_DATA_DIR"]), args.messages, marker)
        for _ in range(args.runs):
            with TmuxSession(coda, env, root) as session:
                session.wait_for("palette", timeout=30)
                session.send("C-b")
                session.wait_for("A very long chat", timeout=10)
                start = time.monotonic()
                session.send("Enter")
                shown = session.wait_for(marker, timeout=30, interval=0.005)
                times.append(shown - start)
                session.send("C-f")
                session.wait_for("Search every chat", timeout=10)
                session.send(MIDDLE, literal=True)
                session.wait_for(f"{MIDDLE}?", timeout=10)  # the hit listed
                time.sleep(0.3)
                start = time.monotonic()
                session.send("Enter")
                middles.append(in_chat(session, MIDDLE) - start)
                time.sleep(0.3)
                echoes += session.echo_latencies()
                rss.append(session.peak_rss_mb())
    print(
        json.dumps(
            {
                "messages": args.messages,
                "open_s_median": round(statistics.median(times), 3),
                "middle_s_median": round(statistics.median(middles), 3),
                "key_echo_ms_median": round(statistics.median(echoes) * 1000, 1),
                "key_echo_ms_max": round(max(echoes) * 1000, 1),
                "peak_rss_mb": round(max(rss), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
