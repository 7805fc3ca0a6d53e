"""Ollama operations driven with Pilot against two local Ollama test servers at once: hosts,
pulls and copies per host, memory and keep-alive, models from a Modelfile, details per row."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.dialogs import ChoiceScreen
from coda_tui.ui.screens.modelfile_editor import DuplicateScreen, ModelfileScreen
from coda_tui.ui.screens.ollama import OllamaScreen

from .servers.ollama import FakeModel, OllamaServer, OllamaState, default_state
from .test_app import SIZE, screen_text
from .test_ollama_panel import answer_prompt, notified, open_panel, settle


@pytest.fixture
def gpu() -> Iterator[OllamaServer]:
    """The GPU box: llama3.2 and qwen2.5, the library to pull from."""
    with OllamaServer() as server:
        yield server


@pytest.fixture
def laptop() -> Iterator[OllamaServer]:
    """The laptop: llama3.2 only; it can pull qwen2.5 and the usual library."""
    state = default_state()
    qwen = state.models.pop("qwen2.5:0.5b")
    state.library[qwen.name] = qwen
    with OllamaServer(state) as server:
        yield server


def two_hosts(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer, extra: str = ""
) -> CodaApp:
    user_config.write_text(
        f'[providers.gpu]\ntype = "ollama"\nbase_url = "{gpu.url}"\n'
        f'[providers.laptop]\ntype = "ollama"\nbase_url = "{laptop.url}"\n' + extra,
        encoding="utf-8",
    )
    return CodaApp(load_config())


def bodies(server: OllamaServer, path: str) -> list[Any]:
    return [body for _, p, body in server.state.requests if p == path]


def host_rows(panel: OllamaScreen) -> dict[str, str]:
    table = panel.host_table
    return {
        str(row.value): " ".join(cell.plain for cell in table.get_row(row.value))
        for row in table.rows
    }


async def wait_until(pilot, condition, tries: int = 100) -> None:  # type: ignore[no-untyped-def]
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held")


async def choose(pilot, index: int) -> None:  # type: ignore[no-untyped-def]
    assert isinstance(pilot.app.screen, ChoiceScreen)
    await pilot.press("home", *["down"] * index, "enter")


async def test_hosts_listed_and_switched(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await settle(pilot)
        rows = host_rows(panel)
        assert list(rows) == ["gpu", "laptop", "ollama"]  # plus the default address
        assert rows["gpu"].startswith(f"▶ gpu {gpu.url} Ollama 0.12.6 · 2 models")
        assert rows["laptop"] == f"  laptop {laptop.url} Ollama 0.12.6 · 1 model"
        assert rows["ollama"].endswith("http://localhost:11434 not reachable")
        assert [m.id for m in panel.models] == ["llama3.2:latest", "qwen2.5:0.5b"]
        await pilot.press("h")
        await settle(pilot)
        assert panel.provider_name == "laptop"
        assert [m.id for m in panel.models] == ["llama3.2:latest"]
        assert f"Ollama 0.12.6 at {laptop.url} · 1 model" in screen_text(app)
        assert host_rows(panel)["laptop"].startswith("▶ laptop")
        await pilot.press("shift+tab")  # to the hosts; Enter on one switches to it
        assert panel.host_table.has_focus
        await pilot.press("up", "enter")
        await settle(pilot)
        assert panel.provider_name == "gpu" and len(panel.models) == 2


async def test_pull_on_the_second_host_only(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("p")
        await answer_prompt(pilot, "tinyllama")
        await settle(pilot)
        assert "tinyllama:latest" in laptop.state.models
        assert "tinyllama:latest" not in gpu.state.models
        assert bodies(gpu, "/api/pull") == []
        assert notified(app, "Pulled tinyllama on laptop")
        assert "tinyllama:latest" in [m.id for m in panel.models]


async def test_copy_to_host_pulls_the_same_name_there(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await settle(pilot)
        await pilot.press("down", "t")  # qwen2.5:0.5b, to...
        await choose(pilot, 0)  # ...laptop
        await settle(pilot)
        assert [body["model"] for body in bodies(laptop, "/api/pull")] == ["qwen2.5:0.5b"]
        assert "qwen2.5:0.5b" in laptop.state.models and bodies(gpu, "/api/pull") == []
        assert panel.provider_name == "gpu"  # the panel stays where it was
        await wait_until(pilot, lambda: "2 models" in host_rows(panel)["laptop"])
        gpu.state.add(FakeModel("mine"))  # made here with create: not in any registry
        await pilot.press("r")
        await settle(pilot)
        assert panel.selected_name == "qwen2.5:0.5b"  # kept across the refresh
        await pilot.press("up", "t")  # llama3.2, mine, qwen2.5: mine
        await choose(pilot, 0)
        await settle(pilot)
        assert "mine:latest is not in the registry, so laptop cannot pull it" in screen_text(app)


async def test_a_pull_cut_by_the_network_resumes_where_it_stopped(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    laptop.state.faults.pull_cut_after = 2
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        panel = await open_panel(pilot)
        bar = panel.start_pull("mistral", "laptop")
        await settle(pilot)
        assert bar.resumable and "↻ or R resumes" in screen_text(app)
        digest = next(iter(laptop.state.partial))
        kept = laptop.state.partial[digest]
        assert kept > 0
        laptop.state.faults.pull_cut_after = None
        await pilot.press("R")
        await settle(pilot)
        assert notified(app, "Pulled mistral on laptop")
        assert "mistral:latest" in laptop.state.models and not laptop.state.partial


async def test_memory_view_unload_all(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    gpu.state.models["llama3.2:latest"].vram_fraction = 0.73
    soon = datetime.now(UTC) + timedelta(minutes=10)
    gpu.state.running.update({"llama3.2:latest": soon, "qwen2.5:0.5b": soon})
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        text = screen_text(app)
        assert "In memory on gpu: 7.1 GB · 5.5 GB GPU · 1.5 GB CPU" in text
        row = [cell.plain for cell in panel.memory_table.get_row("llama3.2:latest")]
        assert row[:4] == ["llama3.2:latest", "5.7 GB", "4.1 GB", "1.5 GB (27%)"]
        assert panel.table.get_row("llama3.2:latest")[3].plain == "● 5.7 GB · 27% CPU"
        await pilot.press("tab", "down")  # in the memory view, qwen2.5's row
        assert panel.memory_table.has_focus
        await pilot.press("u")  # unloads the memory view's row, not the models table's
        await settle(pilot)
        assert [b["model"] for b in bodies(gpu, "/api/chat")] == ["qwen2.5:0.5b"]
        assert list(gpu.state.running) == ["llama3.2:latest"]
        gpu.state.running["qwen2.5:0.5b"] = soon
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        unloads = bodies(gpu, "/api/chat")[1:]
        assert sorted(b["model"] for b in unloads) == ["llama3.2:latest", "qwen2.5:0.5b"]
        assert {b["keep_alive"] for b in unloads} == {0}
        assert gpu.state.running == {} and bodies(laptop, "/api/chat") == []  # this host only
        assert "Nothing in memory on gpu" in screen_text(app)


async def test_the_countdown_runs_and_an_expired_model_leaves(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    gpu.state.running["qwen2.5:0.5b"] = datetime.now(UTC) + timedelta(seconds=2.5)
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        first = panel.memory_table.get_row("qwen2.5:0.5b")[4].plain
        assert first in ("0:02", "0:01")
        await wait_until(pilot, lambda: not panel.running, tries=120)
        assert "Nothing in memory on gpu" in screen_text(app)


async def test_pin_sends_minus_one_and_the_next_chat_uses_the_chosen_keep_alive(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    app = two_hosts(user_config, gpu, laptop, '[defaults]\nprovider = "gpu"\nmodel = "llama3.2"\n')
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("P")  # llama3.2
        await settle(pilot)
        assert bodies(gpu, "/api/chat")[-1] == {
            "model": "llama3.2:latest",
            "messages": [],
            "keep_alive": -1,
            "stream": False,
        }
        saved = tomllib.loads(user_config.read_text(encoding="utf-8"))
        assert saved["providers"]["gpu"]["model_keep_alive"] == {"llama3.2:latest": -1}
        assert saved["providers"]["gpu"]["base_url"] == gpu.url  # the rest of the file kept
        row = [cell.plain for cell in panel.memory_table.get_row("llama3.2:latest")]
        assert row[4:] == ["forever", "forever"]
        await pilot.press("down", "k")  # qwen2.5: 30 minutes
        await choose(pilot, 1)
        await settle(pilot)
        await pilot.press("f1")
        await pilot.press(*"hi", "enter")
        await settle(pilot)
        chat = bodies(gpu, "/api/chat")[-1]
        assert chat["messages"][-1]["content"] == "hi" and chat["keep_alive"] == -1
        provider = app.factory.create("gpu")
        await provider.achat([{"role": "user", "content": "x"}], model="qwen2.5:0.5b")
        assert bodies(gpu, "/api/chat")[-1]["keep_alive"] == "30m"
        await pilot.press("f4")
        await settle(pilot)
        await pilot.press(
            "up", "P"
        )  # llama3.2 again: unpinned, and Ollama's own default from now on
        await settle(pilot)
        assert bodies(gpu, "/api/chat")[-1]["keep_alive"] == "5m"
        saved = tomllib.loads(user_config.read_text(encoding="utf-8"))
        assert saved["providers"]["gpu"]["model_keep_alive"] == {"qwen2.5:0.5b": "30m"}


async def test_create_from_a_modelfile_streams_status_and_reports_bad_lines(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    gpu.state.faults.create_delay = 0.05
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, ModelfileScreen)
        text = editor.editor.text
        assert "FROM llama3.2:latest\n" in text and "blobs" not in text  # the base's own
        lines = text.count("\n")
        await pilot.press(*"PARAMETER temprature 0.2", "ctrl+s")
        await pilot.pause()
        assert f"line {lines + 1}: unknown parameter 'temprature'" in screen_text(app)
        assert editor.editor.selection.start[0] == lines  # on that line
        assert bodies(gpu, "/api/create") == []  # refused before anything was sent
        editor.editor.replace("temperature", (lines, 10), (lines, 20))
        template = text.index("TEMPLATE")
        editor.editor.load_text(
            text[:template] + 'TEMPLATE """{{ .System }}\n{{ .Prompt"""\n'
            "PARAMETER temperature 0.2\nSYSTEM Be brief.\n"
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        template_line = text[:template].count("\n") + 2  # the template's second line
        assert f"line {template_line}: template error" in screen_text(app)
        assert editor.editor.selection.start[0] == template_line - 1
        editor.editor.load_text(text[:template] + "PARAMETER temperature 0.2\nSYSTEM Be brief.\n")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "creating system layer" in " ".join(editor.statuses))
        assert editor.created is None  # still streaming: status shows as it comes
        await settle(pilot)
        assert editor.statuses[-3:] == [
            "writing manifest",
            "success",
            "✓ Created llama3.2-custom · Esc closes",
        ]
        created = gpu.state.models["llama3.2-custom:latest"]
        assert (created.system, created.parameters["temperature"]) == ("Be brief.", 0.2)
        await pilot.press("escape")
        await settle(pilot)
        panel = app.screen
        assert isinstance(panel, OllamaScreen)
        assert "llama3.2-custom:latest" in [m.id for m in panel.models]


async def test_duplicate_with_a_new_system_prompt_in_two_keys(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, DuplicateScreen)
        await pilot.press(*"Answer in French.", "enter")
        await settle(pilot)
        [body] = bodies(gpu, "/api/create")
        assert body == {
            "model": "llama3.2-custom",
            "from": "llama3.2:latest",
            "system": "Answer in French.",
            "stream": True,
        }
        assert gpu.state.models["llama3.2-custom:latest"].system == "Answer in French."
        assert "llama3.2-custom:latest" in [m.id for m in panel.models]


async def test_details_for_every_row_asked_as_they_scroll_in(
    user_config: Path, laptop: OllamaServer
) -> None:
    state = OllamaState()
    for index in range(40):
        state.add(FakeModel(f"m{index:02d}", context_length=2048 * (1 + index * 7 % 40)))
    with OllamaServer(state) as many:
        app = two_hosts(user_config, many, laptop)
        async with app.run_test(size=(80, 24)) as pilot:
            panel = await open_panel(pilot)
            await settle(pilot)
            asked = {body["model"] for body in bodies(many, "/api/show")}
            visible = set(panel.visible_names())
            # the rows on screen (one more when asked before the layout settled), not all 40
            assert visible <= asked and len(asked - visible) <= 1 and len(asked) < 20
            assert all(panel.context_cell(name) for name in visible)
            assert {panel.abilities_cell(name) for name in visible} == {"tools"}
            await pilot.press("pagedown", "ctrl+end")
            await settle(pilot)
            assert "m39:latest" in {body["model"] for body in bodies(many, "/api/show")}
            await pilot.press("o")
            await choose(pilot, 2)  # Context
            await settle(pilot)
            shows = [body["model"] for body in bodies(many, "/api/show")]
            assert sorted(shows) == sorted(m.id for m in panel.models)  # each once, every row
            contexts = [panel.info(m.id).context_length for m in panel.models]  # type: ignore[union-attr]
            assert contexts == sorted(contexts, reverse=True)
            assert panel.table.get_row(panel.models[0].id)[2].plain == "80K"  # 81,920
            headers = [column.label.plain for column in panel.table.columns.values()]
            assert headers[:3] == ["Name", "Size", "Context ▼"]  # largest first
            assert bodies(laptop, "/api/show") == []  # the other host is not asked


async def test_the_servers_modelfile_reaches_the_editor_without_control_codes(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer
) -> None:
    gpu.state.models["llama3.2:latest"].system = "Be \x1b[2Jterse."
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        await open_panel(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ModelfileScreen)
        assert 'SYSTEM """Be ␛[2Jterse."""' in app.screen.editor.text
        assert "\x1b" not in screen_text(app)


async def test_a_host_whose_clock_is_behind_is_not_asked_every_second(
    user_config: Path, gpu: OllamaServer, laptop: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our clock says the model is due; the host (its clock behind) still lists it."""
    from coda_tui.ui.screens import ollama_memory

    gpu.state.running["qwen2.5:0.5b"] = datetime.now(UTC) + timedelta(minutes=5)
    monkeypatch.setattr(ollama_memory, "now", lambda: datetime.now(UTC) + timedelta(minutes=6))
    app = two_hosts(user_config, gpu, laptop)
    async with app.run_test(size=SIZE) as pilot:
        panel = await open_panel(pilot)
        asked = gpu.state.count("/api/ps")
        await pilot.pause(3.2)
        assert panel.memory_table.get_row("qwen2.5:0.5b")[4].plain == "now"
        assert gpu.state.count("/api/ps") == asked + 1  # once, not once a second


async def test_a_model_from_a_modelfile_on_a_host_with_none_yet(
    user_config: Path, laptop: OllamaServer
) -> None:
    """Nothing to start from: a Modelfile to fill in, whose FROM the server pulls first."""
    empty = OllamaState()
    empty.library["llama3.2:latest"] = FakeModel("llama3.2")
    with OllamaServer(empty) as bare:
        app = two_hosts(user_config, bare, laptop)
        async with app.run_test(size=SIZE) as pilot:
            await open_panel(pilot)
            await pilot.press("e")
            await settle(pilot)
            editor = app.screen
            assert isinstance(editor, ModelfileScreen)
            assert editor.editor.text.startswith("FROM llama3.2\n")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert editor.statuses[1] == "pulling manifest"  # the server fetched the base
            assert editor.created == "my-model"
            assert {"llama3.2:latest", "my-model:latest"} <= set(bare.state.models)


async def test_the_chosen_host_says_what_answers_there_as_the_others_do(
    user_config: Path, laptop: OllamaServer
) -> None:
    """Its row is filled by the panel's own refresh, in the words a probe uses."""
    from .servers.web_page import WebPageServer

    with WebPageServer() as page:
        user_config.write_text(
            f'[providers.proxy]\ntype = "ollama"\nbase_url = "{page.url}"\n'
            f'[providers.laptop]\ntype = "ollama"\nbase_url = "{laptop.url}"\n',
            encoding="utf-8",
        )
        app = CodaApp(load_config())
        async with app.run_test(size=SIZE) as pilot:
            panel = await open_panel(pilot)
            await settle(pilot)
            assert panel.provider_name == "proxy"
            assert "answered with text/html, not Ollama's JSON" in host_rows(panel)["proxy"]
