"""The models browser driven with Pilot: Mock providers, the local Ollama server, one broken."""

from __future__ import annotations

import socket
from pathlib import Path

from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import ChatScreen
from coda_tui.ui.screens.compare import CompareScreen
from coda_tui.ui.screens.models import ModelsScreen

from .servers.ollama import FakeModel, OllamaServer
from .test_app import SIZE, screen_text
from .test_ollama_panel import settle


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def browser_app(user_config: Path, ollama_url: str) -> CodaApp:
    user_config.write_text(
        "[providers.mock]\ndelay = 0\n"
        f'[providers.ollama]\nbase_url = "{ollama_url}"\n'
        f'[providers.gone]\ntype = "ollama"\nbase_url = "http://127.0.0.1:{closed_port()}"\n',
        encoding="utf-8",
    )
    return CodaApp(load_config())


async def open_browser(pilot) -> ModelsScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f3")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ModelsScreen)
    return screen


def rows(browser: ModelsScreen) -> list[tuple[str, str]]:
    return [(m.provider, m.id) for m in browser.shown]


async def test_every_provider_lists_and_a_failing_one_shows_its_error(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        assert rows(browser) == [
            ("mock", "mock-1"),
            ("mock", "mock-priced"),
            ("mock", "mock-vision"),
            ("ollama", "llama3.2:latest"),
            ("ollama", "qwen2.5:0.5b"),
        ]
        text = screen_text(app)
        assert "⚠ gone: Ollama is not running at http://127.0.0.1:" in text
        assert "5 of 5 models" in text
        row = [cell.plain for cell in browser.table.get_row_at(1)]
        assert row[:5] == ["mock", "mock-priced", "128k", "$1", "$2"]
        assert row[7] == "8k"
        assert [cell.plain for cell in browser.table.get_row_at(3)][5] == "4.7 GB Q4_0"


async def test_type_to_filter_and_details_follow_the_cursor(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        await pilot.press(*"qwen")
        assert rows(browser) == [("ollama", "qwen2.5:0.5b")]
        assert "Parameters   494.03M" in screen_text(app)
        await pilot.press("escape")
        assert len(browser.shown) == 5
        await pilot.press(*"mock tools")  # every word must match
        assert rows(browser) == [("mock", "mock-1"), ("mock", "mock-priced")]
        await pilot.press("down")
        assert "Input        $1 per 1M" in screen_text(app)


async def test_sort_by_key_and_by_header_keeps_unknown_values_last(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        await pilot.press("ctrl+s", "enter")  # the sorted column is offered: reversed
        await pilot.pause()
        assert [p for p, _ in rows(browser)] == ["ollama", "ollama", "mock", "mock", "mock"]
        assert "Provider ▼" in screen_text(app)
        await pilot.press("ctrl+s", "down", "enter")  # model, ascending
        await pilot.pause()
        assert rows(browser)[0] == ("ollama", "llama3.2:latest")
        await pilot.press("ctrl+s", "enter")  # model again: reversed
        await pilot.pause()
        assert rows(browser)[0] == ("ollama", "qwen2.5:0.5b")
        await pilot.press("ctrl+s", *["down"] * 4, "enter")  # Size/Quant in one pick
        await pilot.pause()
        assert browser.sort_column == 5 and rows(browser)[0] == ("ollama", "qwen2.5:0.5b")
        await pilot.press("ctrl+s", "escape")  # nothing changes
        await pilot.pause()
        assert browser.sort_column == 5
        browser.sort_by(2)  # context, ascending; Ollama's are unknown and stay last
        await pilot.pause()
        assert [m for _, m in rows(browser)][:3] == ["mock-1", "mock-vision", "mock-priced"]
        browser.sort_by(2)
        await pilot.pause()
        assert rows(browser)[0] == ("mock", "mock-priced")
        assert "Ctx ▼" in screen_text(app)
        table = browser.table
        price = sum(c.get_render_width(table) for c in table.ordered_columns[:3]) + 1
        await pilot.click("#model-table", offset=(price, 0))  # the "In $/1M" header
        assert browser.sort_column == 3 and not browser.sort_reverse


async def test_chat_with_the_highlighted_model(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press(*"qwen", "enter")
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen)
        assert (chat.session.provider, chat.session.model) == ("ollama", "qwen2.5:0.5b")
        await pilot.press(*"hi", "enter")
        await settle(pilot)
        assert "You said: hi. Ollama fake answering." in screen_text(app)


async def test_add_to_compare_adds_a_pane(user_config: Path, ollama_server: OllamaServer) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press(*"llama3", "ctrl+b")
        await pilot.pause()
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        assert [(p.session.provider, p.session.model) for p in compare.panes][-1] == (
            "ollama",
            "llama3.2:latest",
        )
        assert len(compare.panes) == 3


async def test_refresh_asks_again_and_ids_are_never_markup(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        ollama_server.state.add(FakeModel("[b]bold[/b]"))
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert ("ollama", "[b]bold[/b]:latest") in rows(browser)
        assert "[b]bold[/b]:latest" in screen_text(app)


async def test_an_ollama_models_details_are_asked_when_highlighted_once(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = browser_app(user_config, ollama_server.url)
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        assert ollama_server.state.count("/api/show") == 0  # listing asks nothing per model
        await pilot.press(*"qwen")
        await settle(pilot)
        assert [(m.id, m.context_length) for m in browser.shown] == [("qwen2.5:0.5b", 32_768)]
        assert browser.shown[0].capabilities == ["chat", "tools"]
        assert "Context      32,768 tokens" in screen_text(app)
        await pilot.press("escape", *"qwen")
        await settle(pilot)
        assert ollama_server.state.count("/api/show") == 1
