"""The models browser and the Ollama panel at 120x40, compared with their reviewed SVGs.

Each test runs its own Ollama server on a fixed port (the address is on screen), below Linux's
ephemeral range (32768-60999) so that no port the OS hands out elsewhere can take it; times UTC.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.providers.ollama.types import PullProgress
from coda_tui.ui.app import CodaApp
from coda_tui.ui.widgets import pull_progress
from coda_tui.ui.widgets.pull_progress import PullProgressBar

from .servers.ollama import OllamaServer, OllamaState
from .test_ollama_panel import settle
from .test_snapshots import SIZE, SMALL, steady

MODIFIED = "2026-11-20T09:30:00Z"
DOWN_PORT = 31390


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def serve(port: int, state: OllamaState | None = None) -> OllamaServer:
    server = OllamaServer(state, port=port)
    for model in server.state.models.values():
        model.modified_at = MODIFIED
    return server


def app_for(user_config: Path, port: int, extra: str = "") -> CodaApp:
    user_config.write_text(
        f'[providers.mock]\ndelay = 0\n[providers.ollama]\nbase_url = "http://127.0.0.1:{port}"\n'
        + extra,
        encoding="utf-8",
    )
    return CodaApp(load_config())


def mode(key: str, *then: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(key)
        await settle(pilot)
        await pilot.press(*then)
        await settle(pilot)
        await steady(pilot)

    return run_before


def test_models_with_one_provider_down(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    extra = f'[providers.gone]\ntype = "ollama"\nbase_url = "http://127.0.0.1:{DOWN_PORT}"\n'
    with serve(31381):
        app = app_for(user_config, 31381, extra)
        assert snap_compare(app, terminal_size=SIZE, run_before=mode("f3", "down", "down"))


def test_models_filtered_to_nothing(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(31382):
        app = app_for(user_config, 31382)
        assert snap_compare(app, terminal_size=SIZE, run_before=mode("f3", *"no such model"))


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_models_at_both_sizes(snap_compare, user_config: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    port = 31385 if size == SIZE else 31386
    with serve(port):
        app = app_for(user_config, port)
        assert snap_compare(app, terminal_size=size, run_before=mode("f3"))


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_ollama_panel_with_a_loaded_model(
    snap_compare, user_config: Path, size: tuple[int, int]
) -> None:  # type: ignore[no-untyped-def]
    port = 31383 if size == SIZE else 31387
    server = serve(port)
    server.state.running["llama3.2:latest"] = datetime(2318, 11, 25, 14, 5, tzinfo=UTC)  # pinned
    with server:
        app = app_for(user_config, port)
        assert snap_compare(app, terminal_size=size, run_before=mode("f4"))


def test_ollama_panel_without_models(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    with serve(31384, OllamaState()):
        app = app_for(user_config, 31384)
        assert snap_compare(app, terminal_size=SIZE, run_before=mode("f4"))


def test_ollama_panel_server_down(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    app = app_for(user_config, DOWN_PORT)
    assert snap_compare(app, terminal_size=SIZE, run_before=mode("f4"))


def test_ollama_panel_pulls(  # type: ignore[no-untyped-def]
    snap_compare, user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One pull two seconds in at 100 MB/s, one that failed."""
    clock = itertools.chain([0.0, 1.0, 2.0], itertools.repeat(2.0))
    monkeypatch.setattr(pull_progress, "monotonic", lambda: next(clock))

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await mode("f4")(pilot)
        panel = pilot.app.screen
        bar = PullProgressBar("mistral")
        await panel.query_one("#pulls").mount(bar)
        for done in (0, 100_000_000, 200_000_000):
            bar.add(
                PullProgress(status="pulling ff82", digest="a", total=4_113_301_824, completed=done)
            )
        panel.start_pull("no-such-model")
        await settle(pilot)
        await pilot.pause(0.15)  # one repaint tick
        await steady(pilot)

    with serve(31388):  # its own port: 31385 is test_models_at_both_sizes's, maybe at once
        app = app_for(user_config, 31388)
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
