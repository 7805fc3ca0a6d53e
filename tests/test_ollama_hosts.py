"""Which Ollama hosts the panel lists, how a probe reports one, and where keep_alive is saved."""

from __future__ import annotations

import socket
import tomllib
from pathlib import Path

import pytest

from coda_tui.providers import ProviderFactory, load_config
from coda_tui.services.ollama_hosts import hosts, probe, save_keep_alive

from .servers.ollama import OllamaServer


def factory() -> ProviderFactory:
    return ProviderFactory(load_config().config)


def test_configured_hosts_then_the_default_address(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "box:8080")
    user_config.write_text(
        '[providers.gpu]\ntype = "ollama"\nbase_url = "http://10.0.0.5:11434"\n'
        "[providers.mock]\ndelay = 0\n",
        encoding="utf-8",
    )
    assert [(h.name, h.base_url) for h in hosts(factory())] == [
        ("gpu", "http://10.0.0.5:11434"),
        ("ollama", "http://box:8080"),  # OLLAMA_HOST, by Ollama's own rules
    ]


def test_the_default_address_is_not_listed_twice(user_config: Path) -> None:
    user_config.write_text(
        '[providers.local]\ntype = "ollama"\nbase_url = "localhost"\n', encoding="utf-8"
    )
    assert [h.name for h in hosts(factory())] == ["local"]  # it is the default address


async def test_a_probe_reports_a_host_down_and_one_up(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    user_config.write_text(
        f'[providers.up]\ntype = "ollama"\nbase_url = "{ollama_server.url}"\n'
        f'[providers.down]\ntype = "ollama"\nbase_url = "http://127.0.0.1:{port}"\n',
        encoding="utf-8",
    )
    up, down, _default = hosts(factory())
    await probe(factory(), up)
    await probe(factory(), down)
    assert up.summary() == "Ollama 0.12.6 · 2 models" and up.reachable
    assert down.summary() == "not reachable" and not down.reachable


async def test_a_web_page_at_a_hosts_address_is_said_to_be_one(user_config: Path) -> None:
    from .servers.web_page import WebPageServer

    with WebPageServer() as page:
        user_config.write_text(
            f'[providers.proxy]\ntype = "ollama"\nbase_url = "{page.url}"\n', encoding="utf-8"
        )
        host = hosts(factory())[0]
        await probe(factory(), host)
    assert "not Ollama's JSON" in host.summary() and not host.reachable


def test_keep_alive_goes_to_the_file_that_set_the_host_up(
    user_config: Path, project_config: Path
) -> None:
    user_config.write_text("[providers.mock]\ndelay = 0\n", encoding="utf-8")
    project_config.write_text(
        '[providers.team]\ntype = "ollama"\nbase_url = "http://10.0.0.9:11434"\n',
        encoding="utf-8",
    )
    loaded = load_config()
    assert save_keep_alive(loaded, "team", "llama3.2", -1) == project_config
    saved = tomllib.loads(project_config.read_text(encoding="utf-8"))
    assert saved["providers"]["team"]["model_keep_alive"] == {"llama3.2:latest": -1}
    assert "team" not in user_config.read_text(encoding="utf-8")  # no phantom host elsewhere
    assert save_keep_alive(load_config(), "ollama", "qwen2.5:0.5b", "30m") == user_config
    assert tomllib.loads(user_config.read_text(encoding="utf-8"))["providers"]["ollama"] == {
        "model_keep_alive": {"qwen2.5:0.5b": "30m"}
    }
    save_keep_alive(load_config(), "team", "llama3.2:latest", None)
    assert "model_keep_alive" not in project_config.read_text(encoding="utf-8")


def test_a_keep_alive_ollama_would_refuse_is_a_config_problem(user_config: Path) -> None:
    """ "-1" as text (or "forever") would make Ollama answer every chat with a 400."""
    user_config.write_text(
        '[providers.gpu]\ntype = "ollama"\nkeep_alive = "1h30m"\n'
        '[providers.gpu.model_keep_alive]\n"a:latest" = "-1"\n'
        '[providers.box]\ntype = "ollama"\nkeep_alive = "forever"\n',
        encoding="utf-8",
    )
    loaded = load_config()
    problems = [str(problem) for problem in loaded.problems]
    assert len(problems) == 2
    assert "config.toml:4: providers.gpu.model_keep_alive" in problems[0]  # its table
    assert "'-1' is not a duration Ollama reads" in problems[0]
    assert "config.toml:8: providers.box.keep_alive" in problems[1]
    gpu = ProviderFactory(loaded.config).create("gpu")
    assert gpu.settings.keep_alive == "1h30m"  # type: ignore[attr-defined]
