"""Median cost of importing coda's domain layer in a fresh interpreter (goal: <= 0.3 s).

Each target is imported in its own subprocess, timed inside it around the import statement, so
interpreter start-up is not counted; the heavy SDKs each import pulls in are listed beside it.
Run: python benchmarks/import_time.py [--runs N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

TARGETS = {
    "coda_tui.providers + coda_tui.config": "import coda_tui.providers, coda_tui.config",
    "coda_tui.cli": "import coda_tui.cli",
    # litellm itself must not load until a LiteLLM provider is first used
    "coda_tui.providers.litellm.provider": "import coda_tui.providers.litellm.provider",
}
PROBE = """
import sys, time
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
heavy = [m for m in ("textual", "litellm", "oci", "httpx") if m in sys.modules]
print(elapsed, ",".join(heavy))
"""


def measure(statement: str, runs: int) -> dict[str, object]:
    times: list[float] = []
    heavy = ""
    for _ in range(runs):
        output = subprocess.run(
            [sys.executable, "-c", PROBE.format(statement=statement)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times.append(float(output[0]))
        heavy = output[1] if len(output) > 1 else ""
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "runs": runs,
        "heavy_modules": heavy.split(",") if heavy else [],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = {name: measure(statement, args.runs) for name, statement in TARGETS.items()}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
