"""Seconds from launch until the chat screen's footer is on screen, coda-tui vs a bare Textual app.

Both run in tmux at 120x40; the median of 5 launches each is printed with the ratio (goal <= 1.3).
coda-tui paints first and reads its config after; ``coda_tui_ready_s`` is when the chat names its
provider and model (config read, providers and history ready), the moment Enter sends.
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


def launch(command: str, markers: list[str], env: dict[str, str], cwd: Path) -> list[float]:
    """Seconds from launch until each marker is on screen, in order."""
    start = time.monotonic()
    with TmuxSession(command, env, cwd) as session:
        return [session.wait_for(m, timeout=30, interval=0.005) - start for m in markers]


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
        coda_times, ready_times, bare_times = [], [], []
        for _ in range(args.runs):
            painted, ready = launch(str(coda), ["^p palette", "Chatting with"], env, root)
            coda_times.append(painted)
            ready_times.append(ready)
            bare_times.append(launch(f"{python} {bare}", ["^p palette"], env, root)[0])
    coda_s, bare_s = statistics.median(coda_times), statistics.median(bare_times)
    print(
        json.dumps(
            {
                "runs": args.runs,
                "coda_tui_s": round(coda_s, 3),
                "coda_tui_ready_s": round(statistics.median(ready_times), 3),
                "bare_textual_s": round(bare_s, 3),
                "ratio": round(coda_s / bare_s, 2),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
