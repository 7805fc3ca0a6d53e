from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from coda_tui import __version__
from coda_tui.cli import build_parser, flags_from
from coda_tui.config.validate import build_config
from coda_tui.providers import ProviderRegistry, load_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config.example.toml"


def test_version_flag() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coda_tui", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"coda-tui {__version__}"


def test_flags_become_the_flag_layer() -> None:
    args = build_parser().parse_args(["--provider", "ollama", "--model", "llama3"])
    loaded = load_config(flags=flags_from(args))
    assert loaded.config.defaults.provider == "ollama"
    assert loaded.source_of("defaults.model").name == "flag"
    assert flags_from(build_parser().parse_args([])) == {}


def test_example_config_loads_cleanly() -> None:
    loaded = load_config(config_file=EXAMPLE)
    assert loaded.problems == []
    assert loaded.config == build_config(tomllib.loads(EXAMPLE.read_text()), ProviderRegistry)


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize(
    "model", [spec.settings for spec in ProviderRegistry.specs()], ids=lambda m: m.__name__
)
def test_example_documents_every_provider_key(model: type[BaseModel]) -> None:
    text = EXAMPLE.read_text()
    documented = set(re.findall(r"^#?\s*([a-z_]+)\s*=", text, flags=re.MULTILINE))
    missing = _fields(model) - documented - {"type"}
    common = "type, model, temperature, max_tokens, top_p, timeout"
    assert common in text
    assert not (missing - set(common.split(", "))), missing


def test_example_documents_every_top_level_key() -> None:
    text = EXAMPLE.read_text()
    from coda_tui.config import CodaConfig

    for section, model in CodaConfig.model_fields.items():
        assert f"[{section}" in text, section
        annotation = model.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            for key in annotation.model_fields:
                # a key, a [section.key] table, or [section.key.NAME] tables (mcp.servers)
                pattern = rf"^#?\s*\[?{section}\.{key}[\].]|^#?\s*{key}\s*="
                assert re.search(pattern, text, re.M), key


def test_the_tui_updates_the_screen_up_to_120_times_a_second_unless_told_otherwise(
    isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coda_tui import cli
    from coda_tui.ui.app import CodaApp

    started: list[str] = []
    monkeypatch.setattr(CodaApp, "run", lambda self: started.append(os.environ["TEXTUAL_FPS"]))
    monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    assert cli.main([]) == 0
    monkeypatch.setenv("TEXTUAL_FPS", "30")
    assert cli.main([]) == 0
    assert started == ["120", "30"]
    result = subprocess.run(  # Textual reads it once, on import: it is set before that
        [sys.executable, "-c", "import coda_tui.cli, sys; print('textual' in sys.modules)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"
