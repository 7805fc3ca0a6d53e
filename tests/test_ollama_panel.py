"""The Ollama panel driven with Pilot against the local Ollama server, as a user would."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.dialogs import ConfirmScreen, TextPromptScreen
from coda_tui.ui.screens.model_details import ModelDetailsScreen
from coda_tui.ui.screens.ollama import OllamaScreen
from coda_tui.ui.widgets.pull_progress import PullProgressBar, PullStats, human_duration

from .servers.ollama import FakeModel, OllamaServer
from .test_app import SIZE, screen_text


def ollama_app(user_config: Path, url: str) -> CodaApp:
    user_config.write_text(f'[providers.ollama]\nbase_url = "{url}"\n', encoding="utf-8")
    return CodaApp(load_config())


async def open_panel(pilot) -> OllamaScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f4")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, OllamaScreen)
    return screen


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    """Until no worker runs: a finished action starts a refresh of its own."""
    for _ in range(20):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in pilot.app.workers):
            return


async def answer_prompt(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(pilot.app.screen, TextPromptScreen)
    await pilot.press(*text, "enter")  # the dialog selects its value: typing replaces it


def notified(app: CodaApp, text: str) -> bool:
    return any(text in str(note.message) for note in app._notifications)


async def test_lists_local_models_and_marks_loaded_ones(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    expires = datetime.now(UTC) + timedelta(minutes=4)
    ollama_server.state.running["llama3.2:latest"] = expires
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        text = screen_text(app)
        assert f"Ollama 0.12.6 at {ollama_server.url} · 2 models · 1 loaded" in text
        assert [m.id for m in panel.models] == ["llama3.2:latest", "qwen2.5:0.5b"]
        row = [cell.plain for cell in panel.table.get_row("llama3.2:latest")]
        assert [*row[1:3], *row[4:7]] == ["4.7 GB", "8K", "8.0B", "Q4_0", "llama"]
        assert row[3] == "● 5.7 GB"
        memory = [cell.plain for cell in panel.memory_table.get_row("llama3.2:latest")]
        assert memory[:4] == ["llama3.2:latest", "5.7 GB", "5.7 GB", "—"]
        assert memory[4] in ("4:00", "3:59", "3:58")  # a live countdown to the expiry
        assert panel.table.get_row("qwen2.5:0.5b")[3].plain == ""


async def test_names_are_shown_as_they_are_never_as_markup(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.state.add(FakeModel("[reverse]evil\x1b[2J"))
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        text = screen_text(app)
        assert "[reverse]evil␛[2J:latest" in text
        assert "\x1b" not in text


async def test_pull_shows_progress_and_adds_the_model(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_steps = 3000  # thousands of progress lines, no pause
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("p")
        await answer_prompt(pilot, "mistral")
        await pilot.pause()
        bar = panel.query_one(PullProgressBar)
        await settle(pilot)
        assert bar.stats.updates >= 3000
        # Coalesced: the bar repaints on a 0.1 s tick, not per line.
        assert bar.repaints < bar.stats.updates / 20
        assert bar.stats.done_bytes == bar.stats.total_bytes == 4_113_301_824
        assert "✓ pulled" in screen_text(app)
        assert "mistral:latest" in [m.id for m in panel.models]
        assert "mistral:latest" in ollama_server.state.models


async def test_two_pulls_at_once_each_with_its_bar(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_delay = 0.02
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        panel.start_pull("mistral")
        panel.start_pull("tinyllama")
        await pilot.pause(0.06)
        bars = list(panel.query(PullProgressBar))
        assert [bar.model for bar in bars] == ["mistral", "tinyllama"]
        assert all(not bar.finished for bar in bars)
        await settle(pilot)
        assert {"mistral:latest", "tinyllama:latest"} <= {m.id for m in panel.models}


@pytest.mark.parametrize("how", ["click", "escape"])
async def test_cancel_a_pull_closes_its_stream(
    user_config: Path, ollama_server: OllamaServer, how: str
) -> None:
    faults = ollama_server.state.faults
    faults.pull_delay, faults.pull_steps = 0.05, 200
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        bar = panel.start_pull("mistral")
        for _ in range(100):
            await pilot.pause(0.02)
            if bar.stats.done_bytes:
                break
        assert bar.stats.done_bytes, "the pull never started"
        if how == "click":
            await pilot.click(".pull-cancel")
        else:
            await pilot.press("escape")
        await settle(pilot)
        assert not panel.query(PullProgressBar)
        assert notified(app, "Pull of mistral cancelled")
        assert "mistral:latest" not in ollama_server.state.models
        await pilot.pause(0.2)
        assert ollama_server.state.disconnects >= 1


async def test_pull_failure_is_shown_in_its_bar(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        bar = panel.start_pull("no-such-model")
        await settle(pilot)
        assert bar.finished and bar.has_class("-failed")
        assert "failed: ollama: pull model manifest: file does not exist" in screen_text(app)
        await pilot.click(".pull-cancel")  # the same button dismisses a finished bar
        await pilot.pause()
        assert not panel.query(PullProgressBar)


async def test_a_pull_cut_by_the_network_fails_in_its_bar(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_cut_after = 2
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        bar = panel.start_pull("mistral")
        await settle(pilot)
        assert bar.finished and bar.has_class("-failed")
        assert bar.stats.done_bytes > 0  # it got somewhere before the cut
        assert "cut off at 1.6 GB / 4.1 GB · ↻ or R resumes" in screen_text(app)
        assert "mistral:latest" not in [m.id for m in panel.models]


async def test_delete_asks_first_and_cancel_keeps_the_model(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Delete llama3.2:latest (4.7 GB) from disk?" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert "llama3.2:latest" in ollama_server.state.models
        await pilot.press("d")
        await pilot.click("#confirm")
        await settle(pilot)
        assert "llama3.2:latest" not in ollama_server.state.models
        assert [m.id for m in panel.models] == ["qwen2.5:0.5b"]
        assert notified(app, "Deleted llama3.2:latest")


async def test_copy_adds_the_copy_and_keeps_the_selection(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("down")
        assert panel.selected_name == "qwen2.5:0.5b"
        await pilot.press("c")
        await answer_prompt(pilot, "aaa-first")
        await settle(pilot)
        assert [m.id for m in panel.models] == [
            "aaa-first:latest",
            "llama3.2:latest",
            "qwen2.5:0.5b",
        ]
        assert panel.selected_name == "qwen2.5:0.5b"  # moved down a row, still selected


async def test_unload_frees_a_loaded_model(user_config: Path, ollama_server: OllamaServer) -> None:
    ollama_server.state.running["llama3.2:latest"] = datetime.now(UTC) + timedelta(minutes=4)
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        assert "llama3.2:latest" in panel.running
        await pilot.press("u")
        await settle(pilot)
        assert ollama_server.state.running == {}
        assert panel.running == {}
        assert notified(app, "Unloaded llama3.2:latest")
        await pilot.press("u")  # not loaded any more: says so, sends nothing
        await pilot.pause()
        assert notified(app, "llama3.2:latest is not loaded")


async def test_details_show_modelfile_template_and_license(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ModelDetailsScreen)
        text = screen_text(app)
        for expected in ("Context length  8,192", "num_keep", "{{ .Prompt }}", "LLAMA 3"):
            assert expected in text
        assert "FROM llama3.2:latest" in text
        await pilot.press("escape")
        assert isinstance(app.screen, OllamaScreen)


async def test_server_down_then_retry(user_config: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = ollama_app(user_config, f"http://127.0.0.1:{port}")
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        text = screen_text(app)
        assert f"Ollama is not running at http://127.0.0.1:{port}" in text
        assert "ollama serve" in text and "Press r to try again" in text
        assert not panel.table.display
        with OllamaServer(port=port):
            await pilot.press("r")
            await settle(pilot)
            assert panel.table.display and len(panel.models) == 2
            assert "Ollama is not running" not in screen_text(app)


def test_pull_stats_speed_and_eta_over_layers() -> None:
    from coda_tui.providers.ollama.types import PullProgress

    stats = PullStats()
    stats.add(PullProgress(status="pulling manifest"), now=0.0)
    assert stats.summary() == "pulling manifest"
    for second, done in enumerate((0, 100_000_000, 200_000_000)):
        stats.add(
            PullProgress(status="pulling a", digest="a", total=1_000_000_000, completed=done),
            now=float(second),
        )
    stats.add(PullProgress(status="pulling b", digest="b", total=500_000_000), now=2.0)
    assert stats.total_bytes == 1_500_000_000 and stats.done_bytes == 200_000_000
    assert stats.speed == 100_000_000
    assert stats.summary() == "200.0 MB / 1.5 GB · 100.0 MB/s · ETA 0:13"
    assert human_duration(3_725) == "1:02:05"


async def test_a_web_page_at_the_address_is_reported_not_waited_on(user_config: Path) -> None:
    from .servers.web_page import WebPageServer

    with WebPageServer() as page:
        app = ollama_app(user_config, page.url)
        async with app.run_test(size=SIZE) as pilot:
            await open_panel(pilot)
            await settle(pilot)
            text = screen_text(app)
            assert "Asking Ollama" not in text
            assert "not Ollama's JSON" in text and "Press r to try again" in text
            await pilot.press("f3")
            await settle(pilot)
            assert "not Ollama's JSON" in screen_text(app)  # the models browser says it too


async def test_a_pulled_model_shows_in_the_picker_at_once(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    """The model list is shared by every screen; a pull makes it ask again."""
    from coda_tui.ui.screens.model_picker import ModelPickerScreen

    app = ollama_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        assert "mistral:latest" not in {m.id for m in (await app.catalog.listing("ollama")).models}
        panel = await open_panel(pilot)
        panel.start_pull("mistral")
        await settle(pilot)
        await pilot.press("f1", "ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, ModelPickerScreen)
        assert any(c.model.id == "mistral:latest" for c in app.screen.choices)
