"""Providers and settings modes at 120x40, compared with their reviewed SVGs."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.providers.litellm.provider import KEY_VARIABLES
from coda_tui.ui.app import CodaApp

from .test_ollama_panel import settle
from .test_snapshots import SIZE, SMALL, steady


@pytest.fixture(autouse=True)
def bare_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """No keys, no OCI config, no Ollama: what the screens detect must not depend on the host."""
    for variable in (*KEY_VARIABLES.values(), "OCI_CLI_CONFIG_FILE"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:1")


def mode(key: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(key)
        await settle(pilot)
        await steady(pilot)

    return run_before


def test_providers_mode(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    user_config.write_text(
        '[providers.mock]\ndelay = 0\n[providers.openai]\ntype = "litellm"\n'
        'model = "openai/gpt-4o-mini"\napi_key = "${OPENAI_API_KEY}"\n',
        encoding="utf-8",
    )
    assert snap_compare(CodaApp(load_config()), terminal_size=SIZE, run_before=mode("f5"))


def test_settings_mode(snap_compare, user_config: Path, project_config: Path) -> None:  # type: ignore[no-untyped-def]
    user_config.write_text(
        '[defaults]\ntemperature = 0.3\nsystem_prompt = "Be brief."\n[providers.mock]\ndelay = 0\n',
        encoding="utf-8",
    )
    project_config.write_text("[defaults]\ntemperature = 0.9\n", encoding="utf-8")
    assert snap_compare(CodaApp(load_config()), terminal_size=SIZE, run_before=mode("f6"))


def test_provider_form_at_80x24(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    """The main setup path on the smallest screen: every field label, the key-safety text, a
    test result and the four buttons in view."""
    user_config.write_text("[providers.mock]\ndelay = 0\n", encoding="utf-8")

    async def open_form(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f5")
        await settle(pilot)
        pilot.app.screen.query_one("#card-local").focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.click("#test")
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(CodaApp(load_config()), terminal_size=SMALL, run_before=open_form)
