"""Prompt sets from the shell (`coda-tui eval`) and the service that runs them."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from coda_tui.providers import ChatCompletionChunk, ProviderFactory, ProviderRegistry
from coda_tui.providers.base import ChatRequest
from coda_tui.providers.mock.provider import MockProvider
from coda_tui.services.prompt_sets import PromptCase, Target, run_prompt_set

from .servers.ollama import OllamaServer

COMMAND = Path(sys.executable).parent / "coda-tui"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COMMAND), "eval", *args], capture_output=True, text=True, cwd=cwd, env=os.environ
    )


def test_a_jsonl_set_runs_on_every_model_and_a_failing_model_costs_only_its_cells(
    tmp_path: Path, user_config: Path, ollama_server: OllamaServer
) -> None:
    user_config.write_text(
        f'[providers.mock]\ndelay = 0\n[providers.ollama]\nbase_url = "{ollama_server.url}"\n'
    )
    (tmp_path / "set.jsonl").write_text(
        '{"id": "greet", "prompt": "Hi, my name is {{name}}", "vars": {"name": "Ada"}}\n'
        "\n"
        '{"prompt": "Say something short"}\n'
    )
    done = run(
        "set.jsonl",
        "--models",
        "mock:mock-priced,ollama:no-such-model",
        "-o",
        "out.csv",
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stderr  # a model failed
    rows = list(csv.DictReader((tmp_path / "out.csv").open()))
    assert [(r["prompt_id"], r["provider"]) for r in rows] == [
        ("greet", "mock"),
        ("greet", "ollama"),
        ("p3", "mock"),
        ("p3", "ollama"),
    ]
    mock = rows[0]
    assert mock["prompt"] == "Hi, my name is Ada" and mock["answer"].startswith("Hello, Ada!")
    assert float(mock["cost"]) > 0 and int(mock["output_tokens"]) > 0 and mock["error"] == ""
    failed = rows[1]
    assert "no-such-model" in failed["error"] and failed["answer"] == ""
    assert "[4/4]" in done.stderr


def test_a_toml_set_fills_its_variables_and_writes_json(tmp_path: Path, user_config: Path) -> None:
    user_config.write_text('[providers.mock]\ndelay = 0\nmode = "echo"\n')
    (tmp_path / "set.toml").write_text(
        '[[prompt]]\nid = "tr"\ntext = "Translate {{word}} to {{lang}}"\n'
        '[[prompt]]\ntext = "No variables here"\n'
        '[[values]]\nword = "cat"\nlang = "French"\n'
        '[[values]]\nword = "dog"\nlang = "German"\n'
    )
    done = run("set.toml", "--models", "mock:mock-1", "-o", "out.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = json.loads((tmp_path / "out.json").read_text())
    assert [(r["prompt_id"], r["answer"]) for r in rows] == [
        ("tr.1", "Translate cat to French"),
        ("tr.2", "Translate dog to German"),
        ("p2", "No variables here"),
    ]


def test_a_broken_set_is_refused_with_its_line(tmp_path: Path, user_config: Path) -> None:
    user_config.write_text("[providers.mock]\ndelay = 0\n")
    (tmp_path / "bad.jsonl").write_text('{"prompt": "fine"}\n{"prompt": oops}\n')
    done = run("bad.jsonl", "--models", "mock:mock-1", cwd=tmp_path)
    assert done.returncode == 2 and "bad.jsonl:2: not JSON" in done.stderr
    (tmp_path / "vars.jsonl").write_text('{"prompt": "Hi {{name}}"}\n')
    done = run("vars.jsonl", "--models", "mock:mock-1", cwd=tmp_path)
    assert done.returncode == 2 and "vars.jsonl:1: no value for name" in done.stderr
    (tmp_path / "good.jsonl").write_text('{"prompt": "fine"}\n')
    done = run("good.jsonl", "--models", "mock", cwd=tmp_path)
    assert done.returncode == 2 and "PROVIDER:MODEL" in done.stderr
    (tmp_path / "empty.jsonl").write_text("\n")
    done = run("empty.jsonl", "--models", "mock:mock-1", cwd=tmp_path)
    assert done.returncode == 2 and "no prompts" in done.stderr


class CountingMock(MockProvider):
    """A Mock that counts how many of its answers run at once."""

    provider_type = "counting"
    now = 0
    most = 0

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        CountingMock.now += 1
        CountingMock.most = max(CountingMock.most, CountingMock.now)
        try:
            await asyncio.sleep(0.05)
            async for chunk in super()._stream(request):
                yield chunk
        finally:
            CountingMock.now -= 1


async def test_no_more_answers_at_once_than_the_limit() -> None:
    ProviderRegistry.register("counting", CountingMock)  # conftest puts the registry back
    factory = ProviderFactory({"providers": {"counting": {"delay": 0}}})
    cases = [PromptCase(f"p{n}", f"prompt {n}") for n in range(6)]
    targets = [Target("counting", "mock-1")]
    results = [r async for r in run_prompt_set(cases, targets, factory, concurrency=2)]
    assert len(results) == 6 and not any(r.error for r in results)
    assert CountingMock.most == 2
