"""``coda-tui eval SET --models P:M,P:M -o results.csv``: a prompt set run from the shell.

One row per prompt and model (latency, time to first token, tokens, cost, the answer or the
error), written by the output's extension: CSV, JSON (.json) or Markdown (.md: a table of
figures, then the answers); a progress line per answer on stderr. A model that fails costs its
rows, never the run; the exit status is 1 when any did.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from .config import LoadedConfig
from .providers import ProviderFactory
from .services.prompt_sets import (
    CaseResult,
    PromptSetError,
    Target,
    load_prompt_set,
    ordered,
    results_csv,
    results_json,
    results_markdown,
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

    results = ordered(asyncio.run(run()), cases, targets)
    if output is None:
        sys.stdout.write(results_csv(results))
    elif output.suffix == ".json":
        output.write_text(results_json(results), encoding="utf-8")
    elif output.suffix == ".md":
        output.write_text(results_markdown(results, targets), encoding="utf-8")
    else:
        output.write_text(results_csv(results), encoding="utf-8", newline="")
    return 1 if any(result.error for result in results) else 0
