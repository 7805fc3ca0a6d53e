"""The rows the settings screen lists: values, the layer of each key, descriptions, parsing."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from coda_tui.config.keys import parse_value, setting_rows, show_value
from coda_tui.providers import load_config


def rows_by_key(user_config: Path, text: str) -> dict[str, tuple[str, str, str]]:
    user_config.write_text(text, encoding="utf-8")
    return {r.key: (r.shown, r.layer.name, r.description) for r in setting_rows(load_config())}


def test_values_layers_and_descriptions(user_config: Path, project_config: Path) -> None:
    project_config.write_text('[ui.keymap]\nsend = "ctrl+s"\n', encoding="utf-8")
    rows = rows_by_key(
        user_config,
        '[providers.work]\ntype = "oci_genai"\nprofile = "WORK"\n'
        '[providers.openai]\ntype = "litellm"\napi_key = "${OPENAI_API_KEY}"\n',
    )
    assert rows["providers.work.profile"] == ("WORK", "user", "Else OCI_CLI_PROFILE.")
    # set by nobody: the section's table came from the user file, this key did not
    assert rows["providers.work.region"][:2] == ("", "default")
    assert rows["providers.work.model"][2] == "The model used when a request names none."
    assert rows["providers.openai.api_key"][0] == "${OPENAI_API_KEY}"
    assert rows["ui.keymap"][:2] == ('{"send": "ctrl+s"}', "project")
    assert rows["defaults.provider"] == (
        "mock",
        "default",
        "The provider a new chat uses: a [providers.NAME] section or a type.",
    )


def test_a_secret_is_only_ever_shown_as_its_reference() -> None:
    assert show_value(SecretStr("${KEY}")) == "${KEY}"
    assert "sk-live" not in show_value(SecretStr("sk-live-123"))


def test_parse_value_reads_toml_else_keeps_the_text() -> None:
    assert parse_value("0.7") == 0.7
    assert parse_value("true") is True
    assert parse_value('["a", "b"]') == ["a", "b"]
    assert parse_value('{ provider = "mock" }') == {"provider": "mock"}
    assert parse_value("llama3.2:3b") == "llama3.2:3b"
    assert parse_value("  ") is None
