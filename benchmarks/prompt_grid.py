"""A prompt set in the app: 20 prompts x 3 models, each model on its own local Ollama server
(its own process) streaming 200-token answers at 200 tokens/s, 3 answers at once per model.
Seconds from Enter until the grid says every cell is done, against the same run with one model
alone, in the same sitting; and key echo meanwhile (typed into the command palette, opened over
the running grid). Goals: the grid within 1.2x one column alone; key echo at most 50 ms.

coda-tui runs in tmux at 120x40 and the run starts from the palette ("Arena: run a prompt
set"), as a user would. Run from the repository root: python benchmarks/prompt_grid.py
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chat_stream import Server, answer  # noqa: E402
from tmux_harness import TmuxSession, isolated_env  # noqa: E402

PROMPTS, MODELS, TOKENS, RATE = 20, 3, 200, 200.0


def run_in_app(urls: list[str], probe: bool) -> tuple[float, list[float]]:
    """Seconds from Enter to "N/N done", and key echo latencies if ``probe``."""
    config = "".join(
        f'[providers.m{i}]\ntype = "ollama"\nbase_url = "{url}"\n' for i, url in enumerate(urls)
    )
    models = ",".join(f"m{i}:llama3.2" for i in range(len(urls)))
    total = PROMPTS * len(urls)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lines = [json.dumps({"id": f"q{n}", "prompt": f"Question {n}?"}) for n in range(PROMPTS)]
        (root / "set.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = isolated_env(root, config)
        coda = str(Path(sys.executable).parent / "coda-tui")
        with TmuxSession(coda, env, root) as session:
            session.wait_for("palette", timeout=60)
            session.send("C-p")
            time.sleep(0.3)
            session.send("run a prompt set", literal=True)
            session.wait_for("Arena: run a prompt set", timeout=10)
            session.send("Enter")
            session.wait_for("Prompt set to run", timeout=10)
            time.sleep(0.3)
            session.send("End")
            session.send("set.jsonl", literal=True)
            session.send("Enter")
            session.wait_for("Models, comma-separated", timeout=10)
            time.sleep(0.3)  # the dialog takes the keys once it is up
            session.send("C-u")
            time.sleep(0.2)
            session.send(models, literal=True)
            session.wait_for(models[-14:], timeout=10)  # the box scrolls: its end shows
            start = time.monotonic()
            session.send("Enter")
            echoes: list[float] = []
            if probe:
                session.wait_for("running", timeout=30)
                time.sleep(0.5)
                session.send("C-p")
                time.sleep(0.3)
                echoes = session.echo_latencies(count=8, gap=0.3)
                session.send("Escape")
            end = session.wait_for(f"{total}/{total} done", timeout=300, interval=0.01)
    return end - start, echoes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    text = answer(TOKENS, "END")
    with ExitStack() as stack:
        urls = [stack.enter_context(Server(text, 1 / RATE)).url for _ in range(MODELS)]
        alone, grid, echoes = [], [], []
        for _ in range(args.runs):
            alone.append(run_in_app(urls[:1], probe=False)[0])
            seconds, probed = run_in_app(urls, probe=True)
            grid.append(seconds)
            echoes += probed
    print(
        json.dumps(
            {
                "prompts": PROMPTS,
                "models": MODELS,
                "tokens_per_answer": TOKENS,
                "tokens_per_second": RATE,
                "one_column_alone_s": [round(x, 2) for x in alone],
                "whole_grid_s": [round(x, 2) for x in grid],
                "grid_over_column": round(statistics.median(grid) / statistics.median(alone), 2),
                "key_echo_ms_median": round(statistics.median(echoes) * 1000, 1),
                "key_echo_ms_max": round(max(echoes) * 1000, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
