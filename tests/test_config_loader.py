from __future__ import annotations

import os
from pathlib import Path

from coda_tui.config import DEFAULT_LAYER
from coda_tui.config.refs import resolve
from coda_tui.providers import load_config
from coda_tui.providers.litellm.settings import LiteLLMSettings
from coda_tui.providers.ollama.settings import OllamaSettings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_files_gives_the_embedded_defaults() -> None:
    loaded = load_config()
    assert loaded.config.defaults.provider == "mock"
    assert loaded.problems == []
    assert loaded.layers == []
    assert loaded.source_of("defaults.provider") == DEFAULT_LAYER


def test_layers_merge_in_order_with_provenance(user_config: Path, project_config: Path) -> None:
    system = Path(os.environ["CODA_SYSTEM_CONFIG"])
    write(system, '[defaults]\nprovider = "ollama"\ntemperature = 0.1\n[ui]\ntheme = "nord"\n')
    write(user_config, "[defaults]\ntemperature = 0.2\nmax_tokens = 100\n")
    write(project_config, "[defaults]\ntemperature = 0.3\n")
    extra = write(Path.cwd() / "extra.toml", "[defaults]\nmax_tokens = 200\n")

    loaded = load_config(config_file=extra, flags={"defaults": {"provider": "mock"}})

    config = loaded.config
    assert config.defaults.temperature == 0.3
    assert config.defaults.max_tokens == 200
    assert config.defaults.provider == "mock"
    assert config.ui.theme == "nord"
    assert [layer.name for layer in loaded.layers] == ["system", "user", "project", "file", "flag"]
    assert loaded.source_of("defaults.temperature").name == "project"
    assert loaded.source_of("defaults.temperature").path == project_config
    assert loaded.source_of("defaults.max_tokens").name == "file"
    assert loaded.source_of("defaults.provider").name == "flag"
    assert loaded.source_of("ui.theme").name == "system"
    assert loaded.source_of("history.path") == DEFAULT_LAYER


def test_provider_sections_merge_key_by_key(user_config: Path, project_config: Path) -> None:
    write(user_config, '[providers.ollama]\nbase_url = "http://box:11434"\n')
    write(project_config, '[providers.ollama]\nmodel = "llama3"\n')
    loaded = load_config()
    section = loaded.config.providers["ollama"]
    assert isinstance(section, OllamaSettings)
    assert (section.base_url, section.model) == ("http://box:11434", "llama3")
    assert loaded.source_of("providers.ollama.base_url").name == "user"
    assert loaded.source_of("providers.ollama.model").name == "project"


def test_broken_toml_is_reported_with_path_and_line_and_other_layers_load(
    user_config: Path, project_config: Path
) -> None:
    write(user_config, '[defaults]\nprovider = "ollama"\ntemperature = = 3\n')
    write(project_config, "[defaults]\nmax_tokens = 50\n")
    before = user_config.read_bytes()

    loaded = load_config()

    assert loaded.config.defaults.max_tokens == 50
    assert loaded.config.defaults.provider == "mock"  # the broken file is ignored whole
    [problem] = loaded.problems
    assert problem.path == user_config
    assert problem.line == 3
    assert str(problem).startswith(f"{user_config}:3: invalid TOML")
    assert user_config.read_bytes() == before  # never touched


def test_invalid_value_drops_only_that_key(user_config: Path) -> None:
    write(
        user_config,
        '[defaults]\nprovider = "ollama"\n\n[defaults.extra]\n\n[ui]\ntheme = "nord"\n'
        '[providers.ollama]\nmodel = "llama3"\ntimeout = -5\n',
    )
    loaded = load_config()
    assert loaded.config.defaults.provider == "ollama"
    assert loaded.config.ui.theme == "nord"
    assert loaded.config.providers["ollama"].model == "llama3"
    assert loaded.config.providers["ollama"].timeout == 60.0
    messages = {(p.line, p.message.split(":")[0]) for p in loaded.problems}
    assert (4, "unknown key 'defaults.extra', ignored") in messages
    assert (10, "providers.ollama.timeout") in messages


def test_unknown_provider_type_drops_the_section(user_config: Path) -> None:
    write(user_config, '[providers.groq]\nmodel = "llama3-70b"\n\n[providers.mock]\nreply = "x"\n')
    loaded = load_config()
    assert "groq" not in loaded.config.providers
    assert loaded.config.providers["mock"].reply == "x"  # type: ignore[union-attr]
    [problem] = loaded.problems
    assert problem.line == 1
    assert "set type to one of litellm, mock, oci_genai, ollama" in problem.message


def test_named_section_with_type(user_config: Path) -> None:
    write(
        user_config,
        '[providers.groq]\ntype = "litellm"\nmodel = "groq/llama3"\napi_key = "${GROQ_API_KEY}"\n',
    )
    section = load_config().config.providers["groq"]
    assert isinstance(section, LiteLLMSettings)
    assert section.api_key is not None
    assert section.api_key.get_secret_value() == "${GROQ_API_KEY}"
    assert "GROQ" not in repr(section)


def test_missing_explicit_config_file_is_a_problem() -> None:
    loaded = load_config(config_file=Path("nowhere.toml"))
    [problem] = loaded.problems
    assert "file not found" in problem.message


def test_invalid_flag_is_reported_without_path() -> None:
    loaded = load_config(flags={"defaults": {"temperature": 9}})
    assert loaded.config.defaults.temperature is None
    assert str(loaded.problems[0]).startswith("command line: defaults.temperature")


def test_unreadable_file_is_reported(user_config: Path) -> None:
    user_config.write_bytes(b"\xff\xfe not utf-8")
    loaded = load_config()
    assert "cannot read" in loaded.problems[0].message


def test_reference_resolution() -> None:
    env = {"A": "1", "EMPTY": ""}
    assert resolve("x${A}y", env) == "x1y"
    assert resolve("${B:-fallback}", env) == "fallback"
    assert resolve("${EMPTY:-fallback}", env) == "fallback"
    assert resolve("no refs $A {A}", env) == "no refs $A {A}"
