"""Seconds for ``coda-tui ask --provider mock hi`` from launch to exit (goal < 0.5 s), median
of several runs, with the Mock provider's default pacing and with no pacing at all.
Run from the repository root: python benchmarks/ask_time.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def measure(env: dict[str, str], runs: int) -> float:
    command = [str(Path(sys.executable).parent / "coda-tui"), "ask", "--provider", "mock", "hi"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config_dir = Path(tmp) / "config"
        config_dir.mkdir()
        env = {**os.environ, "CODA_CONFIG_DIR": str(config_dir), "CODA_DATA_DIR": tmp}
        paced = measure(env, args.runs)
        (config_dir / "config.toml").write_text("[providers.mock]\ndelay = 0\n")
        unpaced = measure(env, args.runs)
    print(
        json.dumps(
            {"runs": args.runs, "mock_default_pacing_s": paced, "mock_no_pacing_s": unpaced},
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
