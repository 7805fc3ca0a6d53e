"""Seconds from launch until the chat screen's footer is on screen, coda-tui vs a bare Textual app.

Both run in tmux at 120x40; the median of 5 launches each is printed with the ratio (goal <= 1.3).
Run from the repository root: python benchmarks/startup.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tmux_harness import TmuxSession, isolated_env

BARE_APP = """
from textual.app import App
from textual.widgets import Footer, Header, Static

class Bare(App):
    BINDINGS = [("ctrl+q", "quit", "Quit")]
    def compose(self):
        yield Header()
        yield Static("hello")
        yield Footer()

Bare().run()
"""


def launch(command: str, marker: str, env: dict[str, str], cwd: Path) -> float:
    start = time.monotonic()
    with TmuxSession(command, env, cwd) as session:
        shown = session.wait_for(marker, timeout=30, interval=0.005)
    return shown - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    python = Path(sys.executable)
    coda = python.parent / "coda-tui"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = isolated_env(root)
        bare = root / "bare_app.py"
        bare.write_text(BARE_APP)
        coda_times, bare_times = [], []
        for _ in range(args.runs):
            coda_times.append(launch(str(coda), "^p palette", env, root))
            bare_times.append(launch(f"{python} {bare}", "^p palette", env, root))
    coda_s, bare_s = statistics.median(coda_times), statistics.median(bare_times)
    print(
        json.dumps(
            {
                "runs": args.runs,
                "coda_tui_s": round(coda_s, 3),
                "bare_textual_s": round(bare_s, 3),
                "ratio": round(coda_s / bare_s, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
