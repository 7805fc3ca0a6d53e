"""``coda-tui eval SET --models P:M,P:M -o results.csv``: a prompt set run from the shell.

One row per prompt and model (latency, time to first token, tokens, cost, the answer or the
error), written as CSV, or JSON when the output ends in .json; a progress line per answer on
stderr. A model that fails costs its rows, never the run; the exit status is 1 when any did.
"""

from __future__ import annotations

import asyncio
import csv
import json
import sys
from pathlib import Path

from .config import LoadedConfig
from .providers import ProviderFactory
from .services.prompt_sets import (
    CaseResult,
    PromptSetError,
    Target,
    load_prompt_set,
    run_prompt_set,
)


def evaluate(
    loaded: LoadedConfig, set_path: Path, models: str, output: Path | None, concurrency: int
) -> int:
    try:
        cases = load_prompt_set(set_path)
        targets = [Target.parse(text) for text in models.split(",") if text.strip()]
    except (PromptSetError, ValueError) as exc:
        print(f"coda-tui: {exc}", file=sys.stderr)
        return 2
    if not targets:
        print("coda-tui: --models names no PROVIDER:MODEL", file=sys.stderr)
        return 2
    factory = ProviderFactory(loaded)
    total = len(cases) * len(targets)

    async def run() -> list[CaseResult]:
        results = []
        async for result in run_prompt_set(cases, targets, factory, concurrency=concurrency):
            results.append(result)
            state = f"error: {result.error}" if result.error else f"{result.latency_s:.2f} s"
            where = f"{result.target.provider}:{result.target.model}"
            print(f"[{len(results)}/{total}] {result.case.id} · {where} · {state}", file=sys.stderr)
        return results

    results = asyncio.run(run())
    order = {(c.id, t): i for i, (c, t) in enumerate((c, t) for c in cases for t in targets)}
    results.sort(key=lambda r: order[(r.case.id, r.target)])
    rows = [result.row() for result in results]
    if output is None:
        _write_csv(sys.stdout, rows)
    elif output.suffix == ".json":
        output.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        with output.open("w", newline="", encoding="utf-8") as file:
            _write_csv(file, rows)
    return 1 if any(result.error for result in results) else 0


def _write_csv(file: object, rows: list[dict[str, object]]) -> None:
    writer = csv.DictWriter(file, fieldnames=list(rows[0]))  # type: ignore[arg-type]
    writer.writeheader()
    writer.writerows(rows)
