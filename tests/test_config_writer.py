from __future__ import annotations

import os
import stat
import string
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coda_tui.config import (
    ConfigWriteError,
    RawSecretError,
    load_config,
    restore_backup,
    set_value,
    write_layer,
)
from coda_tui.config.writer import backup_path


def test_write_is_private_and_keeps_a_backup(user_config: Path) -> None:
    write_layer(user_config, {"defaults": {"provider": "ollama"}})
    assert stat.S_IMODE(user_config.stat().st_mode) == 0o600
    write_layer(user_config, {"defaults": {"provider": "mock"}})
    assert tomllib.loads(user_config.read_text())["defaults"]["provider"] == "mock"
    backup = backup_path(user_config)
    assert tomllib.loads(backup.read_text())["defaults"]["provider"] == "ollama"
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert load_config().config.defaults.provider == "mock"


def test_set_value_and_restore_backup(user_config: Path) -> None:
    set_value(user_config, "providers.ollama.base_url", "http://box:11434")
    set_value(user_config, "defaults.temperature", 0.4)
    assert load_config().config.defaults.temperature == 0.4
    restore_backup(user_config)
    assert load_config().config.defaults.temperature is None
    assert load_config().config.providers["ollama"].base_url == "http://box:11434"  # type: ignore[union-attr]
    set_value(user_config, "providers.ollama.base_url", None)
    assert "base_url" not in tomllib.loads(user_config.read_text())["providers"]["ollama"]


def test_invalid_value_is_refused_and_file_untouched(user_config: Path) -> None:
    write_layer(user_config, {"defaults": {"temperature": 0.5}})
    before = user_config.read_bytes()
    with pytest.raises(ConfigWriteError, match="temperature"):
        set_value(user_config, "defaults.temperature", 7)
    assert user_config.read_bytes() == before


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_crash_mid_write_leaves_the_old_file_intact(
    user_config: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    write_layer(user_config, {"defaults": {"provider": "ollama"}})
    before = user_config.read_bytes()

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("simulated power cut")

    real_replace = os.replace
    calls = {"n": 0}

    def crash_on_main_file(src: str, dst: object) -> None:
        calls["n"] += 1
        if Path(str(dst)) == user_config:
            raise OSError("simulated power cut")
        real_replace(src, dst)

    if failing == "fsync":
        monkeypatch.setattr(os, "fsync", crash)
    else:
        monkeypatch.setattr(os, "replace", crash_on_main_file)
    with pytest.raises(OSError, match="simulated power cut"):
        write_layer(user_config, {"defaults": {"provider": "mock"}})
    monkeypatch.undo()

    assert user_config.read_bytes() == before
    leftovers = [p.name for p in user_config.parent.iterdir() if p.suffix == ".tmp"]
    assert leftovers == []


def _refusal_text() -> str:
    """The refusal message's own words: a "key" made of them cannot show whether a key leaked."""
    from coda_tui.config.writer import raw_secret_fields

    fields = ", ".join(f"providers.openai.{f}" for f in ("api_key", "token", "client_secret"))
    names = list(raw_secret_fields({"providers": {"openai": {"password": "x", "key": "x"}}}))
    return (
        f"refusing to write a literal secret in {fields}, {', '.join(names)}; save an environment"
        ' variable reference such as "${OPENAI_API_KEY}" instead'
    )


secret_text = st.text(
    alphabet=string.ascii_letters + string.digits + "-_.:/+=", min_size=8, max_size=64
).filter(lambda s: "${" not in s and s not in _refusal_text())


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    key=secret_text,
    field=st.sampled_from(["api_key", "token", "client_secret", "password", "key"]),
)
def test_no_raw_secret_is_ever_written(user_config: Path, key: str, field: str) -> None:
    write_layer(user_config, {"defaults": {"provider": "mock"}})
    before = user_config.read_bytes()
    data = {"providers": {"openai": {"type": "litellm", field: key}}}
    with pytest.raises(RawSecretError) as caught:
        write_layer(user_config, data)
    assert key not in str(caught.value)
    assert f"providers.openai.{field}" in str(caught.value)
    assert user_config.read_bytes() == before
    for path in user_config.parent.iterdir():
        assert key.encode() not in path.read_bytes()


def test_references_in_secret_fields_are_written(user_config: Path) -> None:
    set_value(user_config, "providers.openai", {"type": "litellm", "api_key": "${OPENAI_API_KEY}"})
    assert "${OPENAI_API_KEY}" in user_config.read_text()


def test_restore_without_backup_is_an_error(user_config: Path) -> None:
    with pytest.raises(ConfigWriteError, match="no backup"):
        restore_backup(user_config)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Authorization", "Bearer sk-live-abcdef123456"),
        ("authorization", "sk-live-abcdef123456"),
        ("Proxy-Authorization", "Basic dXNlcjpwYXNz"),
        ("x-api-key", "sk-ant-abcdef123456"),
        ("api-key", "0123456789abcdef"),
        ("X-Auth-Token", "tok-abcdef123456"),
        ("Cookie", "session=abcdef123456"),
        ("Authorization", "Bearer ${TOKEN} sk-live-abcdef123456"),
    ],
)
def test_a_literal_secret_in_a_header_is_refused(
    user_config: Path, header: str, value: str
) -> None:
    write_layer(user_config, {"defaults": {"provider": "mock"}})
    before = user_config.read_bytes()
    data = {"providers": {"openai": {"type": "litellm", "headers": {header: value}}}}
    with pytest.raises(RawSecretError, match=f"providers.openai.headers.{header}") as caught:
        write_layer(user_config, data)
    assert value not in str(caught.value) and "abcdef" not in str(caught.value)
    assert "${OPENAI_API_KEY}" in str(caught.value)
    assert user_config.read_bytes() == before


def test_headers_with_references_or_no_credential_are_written(user_config: Path) -> None:
    headers = {
        "Authorization": "Bearer ${PROXY_TOKEN}",
        "x-api-key": "${ANTHROPIC_API_KEY}",
        "X-Title": "coda-tui",
        "OpenAI-Organization": "org-public",
    }
    set_value(user_config, "providers.openai", {"type": "litellm", "headers": headers})
    written = tomllib.loads(user_config.read_text())["providers"]["openai"]["headers"]
    assert written == headers


def test_literal_secrets_become_references_keeping_a_header_scheme() -> None:
    from coda_tui.config.writer import raw_secret_fields, reference_raw_secrets

    data = {
        "providers": {
            "openai": {"type": "litellm", "api_key": "sk-live-1"},
            "proxy": {"type": "litellm", "headers": {"Authorization": "Bearer tok-2", "X": "y"}},
        }
    }
    moved = reference_raw_secrets(data, lambda dotted: dotted.split(".")[1].upper() + "_KEY")
    assert moved == {
        "providers.openai.api_key": ("OPENAI_KEY", "sk-live-1"),
        "providers.proxy.headers.Authorization": ("PROXY_KEY", "tok-2"),
    }
    assert data["providers"]["openai"]["api_key"] == "${OPENAI_KEY}"
    assert data["providers"]["proxy"]["headers"] == {
        "Authorization": "Bearer ${PROXY_KEY}",
        "X": "y",
    }
    assert list(raw_secret_fields(data)) == []
