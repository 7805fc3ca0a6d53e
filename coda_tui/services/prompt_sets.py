"""Prompt sets: one file of prompts run against several models, each answer measured.

A set is JSONL (one ``{"prompt": ..., "id"?: ..., "vars"?: {...}}`` object a line) or TOML
(``[[prompt]]`` tables with ``text`` and an optional ``id``, and ``[[values]]`` rows that fill
``{{name}}`` in every prompt that uses them). Each prompt goes to each model, a few at a time;
a model that fails costs its cell, never the run.
"""

from __future__ import annotations

import asyncio
import csv
import difflib
import io
import json
import re
import tomllib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..providers import ProviderError, ProviderFactory
from .answer_stream import collection_paused
from .catalog import ModelCatalog
from .metrics import StreamMetrics, format_cost

VARIABLE = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class PromptSetError(ValueError):
    """A set that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class PromptCase:
    id: str
    text: str


@dataclass(frozen=True)
class Target:
    provider: str
    model: str

    @classmethod
    def parse(cls, text: str) -> Target:
        provider, sep, model = text.strip().partition(":")
        if not sep or not provider or not model:
            raise ValueError(f"{text!r}: write PROVIDER:MODEL, e.g. ollama:llama3.2")
        return cls(provider, model)


@dataclass
class CaseResult:
    case: PromptCase
    target: Target
    answer: str = ""
    error: str = ""
    latency_s: float | None = None
    ttft_s: float | None = None
    output_tokens: int | None = None
    cost: float | None = None

    FIELDS = (
        "prompt_id",
        "provider",
        "model",
        "latency_s",
        "ttft_s",
        "output_tokens",
        "cost",
        "error",
        "prompt",
        "answer",
    )

    def row(self) -> dict[str, Any]:
        return {
            "prompt_id": self.case.id,
            "provider": self.target.provider,
            "model": self.target.model,
            "latency_s": _round(self.latency_s),
            "ttft_s": _round(self.ttft_s),
            "output_tokens": self.output_tokens,
            "cost": self.cost,
            "error": self.error,
            "prompt": self.case.text,
            "answer": self.answer,
        }


def from_row(row: dict[str, Any]) -> CaseResult:
    """A result saved with ``row`` (a run reopened)."""
    return CaseResult(
        PromptCase(str(row["prompt_id"]), str(row["prompt"])),
        Target(str(row["provider"]), str(row["model"])),
        answer=str(row.get("answer") or ""),
        error=str(row.get("error") or ""),
        latency_s=row.get("latency_s"),
        ttft_s=row.get("ttft_s"),
        output_tokens=row.get("output_tokens"),
        cost=row.get("cost"),
    )


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def load_prompt_set(path: Path) -> list[PromptCase]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PromptSetError(f"{path}: cannot read: {exc}") from None
    cases = _from_toml(path, text) if path.suffix == ".toml" else _from_jsonl(path, text)
    if not cases:
        raise PromptSetError(f"{path}: no prompts in it")
    return cases


def _from_jsonl(path: Path, text: str) -> list[PromptCase]:
    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            raise PromptSetError(f"{path}:{number}: not JSON: {exc.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("prompt"), str):
            raise PromptSetError(f'{path}:{number}: write {{"prompt": "..."}}')
        values = item.get("vars") or {}
        case_id = str(item.get("id") or f"p{number}")
        cases.append(PromptCase(case_id, _fill(path, number, item["prompt"], values)))
    return cases


def _from_toml(path: Path, text: str) -> list[PromptCase]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromptSetError(f"{path}: invalid TOML: {exc}") from None
    rows = data.get("values") or [{}]
    cases = []
    for index, prompt in enumerate(data.get("prompt") or [], start=1):
        if not isinstance(prompt, dict) or not isinstance(prompt.get("text"), str):
            raise PromptSetError(f'{path}: [[prompt]] number {index} needs text = "..."')
        base = str(prompt.get("id") or f"p{index}")
        uses = set(VARIABLE.findall(prompt["text"]))
        for row_number, row in enumerate(rows if uses else [{}], start=1):
            case_id = f"{base}.{row_number}" if uses else base
            cases.append(PromptCase(case_id, _fill(path, index, prompt["text"], row)))
    return cases


def _fill(path: Path, where: int, template: str, values: dict[str, Any]) -> str:
    missing = sorted(set(VARIABLE.findall(template)) - set(values))
    if missing:
        raise PromptSetError(f"{path}:{where}: no value for {', '.join(missing)}")
    return VARIABLE.sub(lambda match: str(values[match.group(1)]), template)


async def run_prompt_set(
    cases: list[PromptCase],
    targets: list[Target],
    factory: ProviderFactory,
    *,
    concurrency: int = 4,
    catalog: ModelCatalog | None = None,
) -> AsyncIterator[CaseResult]:
    """Every case on every target, ``concurrency`` at a time per target (each model's server
    sets its own pace: a slow one must not hold a fast one's column back); results as they
    finish."""
    catalog = catalog or ModelCatalog(factory)  # the app's knows the prices already
    limits = {target: asyncio.Semaphore(max(1, concurrency)) for target in targets}

    async def one(case: PromptCase, target: Target) -> CaseResult:
        async with limits[target], collection_paused():  # as for every answer: no stalls
            return await _answer(case, target, factory, catalog)

    tasks = [asyncio.create_task(one(case, target)) for case in cases for target in targets]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()


async def _answer(
    case: PromptCase, target: Target, factory: ProviderFactory, catalog: ModelCatalog
) -> CaseResult:
    result = CaseResult(case, target)
    listing = await catalog.listing(target.provider)
    known = next((m for m in listing.models if m.id == target.model), None)
    metrics = StreamMetrics(pricing=known.pricing if known else None)
    parts: list[str] = []
    try:
        provider = factory.create(target.provider)
        stream = provider.achat_stream([{"role": "user", "content": case.text}], model=target.model)
        async for chunk in stream:
            metrics.on_chunk(chunk)
            if chunk.content:
                parts.append(chunk.content)
    except ProviderError as error:
        result.error = f"{error.message}" + (f" ({error.hint})" if error.hint else "")
    metrics.finish()
    result.answer = "".join(parts)
    result.latency_s = metrics.total_seconds
    result.ttft_s = metrics.ttft
    result.output_tokens = metrics.output_tokens if parts else None
    result.cost = metrics.cost
    return result


# -- writing results ---------------------------------------------------------------------------


def ordered(
    results: list[CaseResult], cases: list[PromptCase], targets: list[Target]
) -> list[CaseResult]:
    """Prompt by prompt, each prompt's models in the order given (results come as they end)."""
    place = {(c.id, t): i for i, (c, t) in enumerate((c, t) for c in cases for t in targets)}
    return sorted(results, key=lambda r: place.get((r.case.id, r.target), len(place)))


def results_csv(results: list[CaseResult]) -> str:
    out = io.StringIO()
    rows = [result.row() for result in results]
    writer = csv.DictWriter(out, fieldnames=list(CaseResult.FIELDS))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def results_json(results: list[CaseResult]) -> str:
    return json.dumps([r.row() for r in results], indent=2, ensure_ascii=False) + "\n"


def results_markdown(results: list[CaseResult], targets: list[Target]) -> str:
    """A table of figures (prompts x models), then each prompt with every model's answer."""
    names = [f"{t.provider}:{t.model}" for t in targets]
    by_case: dict[str, dict[Target, CaseResult]] = {}
    prompts: dict[str, str] = {}
    for result in results:
        by_case.setdefault(result.case.id, {})[result.target] = result
        prompts[result.case.id] = result.case.text
    lines = ["# Prompt set results", "", "| prompt | " + " | ".join(names) + " |"]
    lines.append("| --- |" + " --- |" * len(names))
    for case_id, row in by_case.items():
        cells = [cell_summary(row[t]) if t in row else "" for t in targets]
        lines.append(f"| {case_id} | " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    for case_id, row in by_case.items():
        lines += ["", f"## {case_id}", "", prompts[case_id]]
        for target, name in zip(targets, names, strict=True):
            cell = row.get(target)
            if cell is None:
                continue
            lines += ["", f"### {name}", ""]
            lines.append(f"*{cell.error}*" if cell.error else cell.answer.rstrip())
    return "\n".join(lines) + "\n"


def cell_summary(result: CaseResult) -> str:
    """What a grid cell shows: the figures, or that it failed."""
    if result.error:
        first = result.error.splitlines()[0]
        return "✗ " + (first if len(first) <= 28 else first[:27] + "…")
    parts = [f"{result.latency_s:.2f} s" if result.latency_s is not None else ""]
    if result.output_tokens is not None:
        parts.append(f"{result.output_tokens} tok")
    if result.cost is not None:
        parts.append(format_cost(result.cost))
    return " · ".join(part for part in parts if part)


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` word by word: ("same" | "removed" | "added", text) pieces, the
    whitespace kept, for two answers side by side."""
    a, b = re.findall(r"\S+|\s+", old), re.findall(r"\S+|\s+", new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(b[j1:j2])))
    return pieces
