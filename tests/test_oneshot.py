"""``coda-tui ask`` and ``coda-tui models`` as a script would run them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .servers.ollama import OllamaServer


def coda(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return subprocess.run(
        [sys.executable, "-m", "coda_tui", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_ask_reads_stdin_and_answers_on_stdout() -> None:
    result = coda("ask", "--provider", "mock", stdin="hi\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Hello! I am the mock model: I answer offline, without any API key.\n"
    assert result.stderr == ""


def test_ask_streams_before_the_answer_is_complete(user_config: Path) -> None:
    user_config.write_text('[providers.mock]\ndelay = 0.2\nreply = "one two three four five"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "coda_tui", "ask", "--provider", "mock", "go"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.read(3)
    assert first == "one"
    assert process.poll() is None  # still streaming the rest
    rest = process.stdout.read()
    assert process.wait(timeout=30) == 0
    assert first + rest == "one two three four five\n"


def test_bad_provider_or_model_is_one_line_on_stderr_and_non_zero(
    ollama_server: OllamaServer,
) -> None:
    bad = coda("ask", "--provider", "nope", "hi")
    assert bad.returncode == 1
    assert bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1
    assert "unknown provider 'nope'" in bad.stderr
    env = {"OLLAMA_HOST": ollama_server.url}
    missing = coda("ask", "--provider", "ollama", "--model", "llama3", "hi", env=env)
    assert missing.returncode == 1
    assert "run `ollama pull llama3`" in missing.stderr
    good = coda("ask", "--provider", "ollama", "--model", "llama3.2", "hi", env=env)
    assert good.stdout == "You said: hi. Ollama fake answering.\n"


def test_empty_prompt_is_a_usage_error() -> None:
    result = coda("ask", "--provider", "mock", stdin="")
    assert result.returncode == 2
    assert "needs a prompt" in result.stderr


def test_models_as_text_and_json() -> None:
    text = coda("models", "--provider", "mock")
    assert text.returncode == 0
    assert "mock-priced" in text.stdout and "$1/$2" in text.stdout
    data = json.loads(coda("models", "--provider", "mock", "--json").stdout)
    assert [m["id"] for m in data] == ["mock-1", "mock-vision", "mock-priced"]


def test_models_of_every_provider_warns_about_the_unreachable_ones() -> None:
    result = coda("models", env={"OLLAMA_HOST": "127.0.0.1:1"})
    assert result.returncode == 0
    assert "mock-1" in result.stdout
    assert "warning: ollama: Ollama is not running" in result.stderr


def test_the_ask_path_never_imports_textual() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "coda_tui", "ask", "--provider", "mock", "hi"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    imported = {line.split("|")[-1].strip() for line in result.stderr.splitlines()}
    assert not {name for name in imported if name.split(".")[0] in ("textual", "litellm", "oci")}


def test_options_before_the_command_count(ollama_server: OllamaServer) -> None:
    """`coda-tui --provider mock ask hi` used the default provider: the command's own option
    defaults overwrote what came before it."""
    env = {"OLLAMA_HOST": ollama_server.url}
    config = "[defaults]\nprovider = 'ollama'\nmodel = 'llama3.2'\n"
    Path("coda.toml").write_text(config, encoding="utf-8")
    result = coda("--config", "coda.toml", "--provider", "mock", "ask", "hi", env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hello! I am the mock model")
    both = coda("--provider", "nope", "ask", "--provider", "mock", "hi")
    assert both.returncode == 0  # after the command wins, as it is nearer
    default = coda("--config", "coda.toml", "ask", "hi", env=env)
    assert default.stdout.startswith("You said: hi")  # the file's provider, none given


def test_an_answer_piped_into_head_ends_quietly(user_config: Path) -> None:
    user_config.write_text('[providers.mock]\ndelay = 0\nreply = "' + "word " * 20000 + '"\n')
    pipeline = subprocess.run(
        f"{sys.executable} -m coda_tui ask --provider mock go | head -c 10",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert pipeline.stdout == "word word "
    assert "Traceback" not in pipeline.stderr and "BrokenPipe" not in pipeline.stderr
