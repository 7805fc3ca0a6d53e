"""Opening a saved chat of 200 long messages: seconds until its last message is on screen, and
the app's peak RSS afterwards. Goals: <= 0.3 s and <= 120 MB.

The chat is written straight into a fresh history database; coda-tui runs in tmux at 120x40 and
the chat is opened from the history sidebar (Ctrl+B, Enter), as a user would.
Run from the repository root: python benchmarks/long_chat.py [--runs N]
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


def build_history(data_dir: Path, messages: int, marker: str) -> None:
    store = ChatStore(data_dir / "history.sqlite3")
    chat = store.create_chat("A very long chat", "mock", "mock-1")
    for index in range(messages):
        role = "user" if index % 2 == 0 else "assistant"
        text = f"Question {index}?" if role == "user" else BODY * 6 + f"Answer {index}."
        store.add_message(chat.id, role, text + (f" {marker}" if index == messages - 1 else ""))
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    coda = str(Path(sys.executable).parent / "coda-tui")
    marker = "LAST-MESSAGE-Z9"
    times, rss = [], []
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
                time.sleep(0.3)
                rss.append(session.peak_rss_mb())
    print(
        json.dumps(
            {
                "messages": args.messages,
                "open_s_median": round(statistics.median(times), 3),
                "peak_rss_mb": round(max(rss), 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
