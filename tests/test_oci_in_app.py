"""OCI Generative AI inside the app: the models browser (with its day-long cache) and a chat."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import ChatScreen

from .servers.oci_genai import API, COMPARTMENT, OCIServer, make_account
from .test_app import SIZE, screen_text
from .test_models_browser import open_browser, rows
from .test_ollama_panel import settle


@pytest.fixture
def oci_app(tmp_path: Path, user_config: Path) -> Iterator[tuple[OCIServer, Path]]:
    with OCIServer() as server:
        (tmp_path / "oci").mkdir()
        account = make_account(tmp_path / "oci", server)
        user_config.write_text(
            '[defaults]\nprovider = "oci"\n'
            "[providers.mock]\ndelay = 0\n"
            '[providers.oci]\ntype = "oci_genai"\nmodel = "cohere.command-r-plus"\n'
            f'config_file = "{account.config_file}"\ncompartment_id = "{COMPARTMENT}"\n'
            f'endpoint = "{server.url}"\nmax_attempts = 1\n',
            encoding="utf-8",
        )
        yield server, user_config


async def test_browser_lists_oci_models_and_asks_again_only_on_refresh(
    oci_app: tuple[OCIServer, Path],
) -> None:
    server, _ = oci_app
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        assert ("oci", "xai.grok-3") in rows(browser)
        asked = server.state.count(f"{API}/models")
        assert asked == 3
    app = CodaApp(load_config())  # a new start within the day: from the disk cache
    async with app.run_test(size=SIZE) as pilot:
        browser = await open_browser(pilot)
        assert ("oci", "meta.llama-3.3-70b-instruct") in rows(browser)
        assert server.state.count(f"{API}/models") == asked
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert server.state.count(f"{API}/models") == 2 * asked


async def test_chat_streams_from_oci(oci_app: tuple[OCIServer, Path]) -> None:
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, ChatScreen)
        await pilot.press(*"hello oci", "enter")
        await settle(pilot)
        text = screen_text(app)
        assert "You said: hello oci. Cohere on OCI answering." in text
        assert "done · TTFT" in text
        assert app.screen.session.turns[-1].status == "complete"
