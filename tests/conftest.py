"""Every test runs with its own config, data and cache dirs and an empty project dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_tui.providers import ProviderRegistry

from .servers.ollama import OllamaServer


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path / "home"
    for variable, name in (
        ("CODA_CONFIG_DIR", "config"),
        ("CODA_DATA_DIR", "data"),
        ("CODA_CACHE_DIR", "cache"),
    ):
        (home / name).mkdir(parents=True)
        monkeypatch.setenv(variable, str(home / name))
    monkeypatch.setenv("CODA_SYSTEM_CONFIG", str(home / "system" / "config.toml"))
    monkeypatch.setenv("HOME", str(home))
    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.chdir(project)
    for variable in (
        *("OLLAMA_HOST", "OCI_COMPARTMENT_ID", "OPENAI_API_KEY"),
        *("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"),
    ):
        monkeypatch.delenv(variable, raising=False)
    ProviderRegistry.clear_instances()
    # What a test registers stays in that test: the registry is class-level state.
    ProviderRegistry.specs()
    specs, classes = dict(ProviderRegistry._specs), dict(ProviderRegistry._classes)
    yield home
    ProviderRegistry.clear_instances()
    ProviderRegistry._specs.clear()
    ProviderRegistry._specs.update(specs)
    ProviderRegistry._classes.clear()
    ProviderRegistry._classes.update(classes)


@pytest.fixture
def user_config(isolated_dirs: Path) -> Path:
    return isolated_dirs / "config" / "config.toml"


@pytest.fixture
def project_config() -> Path:
    path = Path.cwd() / ".coda" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def ollama_server() -> Iterator[OllamaServer]:
    """A fresh protocol-faithful Ollama on 127.0.0.1 with two local models."""
    with OllamaServer() as server:
        yield server
