"""The Ollama panel's operations as screenshots: two hosts, a model partly in GPU memory, the
Modelfile editor (each reviewed as a PNG before it was accepted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens import ollama_memory

from .servers.ollama import OllamaServer, default_state
from .test_ollama_panel import settle
from .test_snapshots import SIZE, SMALL, steady, still_clock  # noqa: F401
from .test_snapshots_models import utc  # noqa: F401 - times in UTC, as in those snapshots

MODIFIED = "2026-11-20T09:30:00Z"


def servers(gpu_port: int, laptop_port: int) -> tuple[OllamaServer, OllamaServer]:
    gpu, laptop = default_state(), default_state()
    laptop.models.pop("qwen2.5:0.5b")
    for state in (gpu, laptop):
        for model in state.models.values():
            model.modified_at = MODIFIED
    return OllamaServer(gpu, port=gpu_port), OllamaServer(laptop, port=laptop_port)


def app_for(user_config: Path, gpu: OllamaServer, laptop: OllamaServer) -> CodaApp:
    user_config.write_text(
        "[providers.mock]\ndelay = 0\n"
        f'[providers.gpu-box]\ntype = "ollama"\nbase_url = "{gpu.url}"\n'
        f'[providers.laptop]\ntype = "ollama"\nbase_url = "{laptop.url}"\n'
        '[providers.gpu-box.model_keep_alive]\n"qwen2.5:0.5b" = -1\n',
        encoding="utf-8",
    )
    return CodaApp(load_config())


def panel(*keys: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f4")
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await steady(pilot)

    return run_before


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_two_hosts(snap_compare, user_config: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    gpu, laptop = servers(31401, 31402) if size == SIZE else servers(31403, 31404)
    with gpu, laptop:
        app = app_for(user_config, gpu, laptop)
        assert snap_compare(app, terminal_size=size, run_before=panel("h"))


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_memory_with_a_partly_offloaded_model(  # type: ignore[no-untyped-def]
    snap_compare, user_config: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """llama3.2 27% on the CPU with 4:32 to go; qwen2.5 pinned (keep_alive -1)."""
    gpu, laptop = servers(31405, 31406) if size == SIZE else servers(31407, 31408)
    expires = datetime.now(UTC) + timedelta(hours=1)
    monkeypatch.setattr(ollama_memory, "now", lambda: expires - timedelta(seconds=272))
    gpu.state.models["llama3.2:latest"].vram_fraction = 0.73
    gpu.state.running["llama3.2:latest"] = expires
    gpu.state.running["qwen2.5:0.5b"] = datetime.now(UTC) + timedelta(days=292 * 365)
    with gpu, laptop:
        app = app_for(user_config, gpu, laptop)
        assert snap_compare(app, terminal_size=size, run_before=panel())


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_modelfile_editor(snap_compare, user_config: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    gpu, laptop = servers(31409, 31410) if size == SIZE else servers(31411, 31412)
    with gpu, laptop:
        app = app_for(user_config, gpu, laptop)

        async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
            await panel("e")(pilot)
            await pilot.press(*"PARAMETER temprature 0.2", "ctrl+s")
            await steady(pilot)

        assert snap_compare(app, terminal_size=size, run_before=run_before)
