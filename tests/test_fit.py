"""Every mode and dialog fits 80x24 and 120x40: nothing a user must reach (a button, a result,
a key in the footer) lies past the screen's edge or is clipped by its own container."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import ScrollableContainer
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label
from textual.widgets._footer import FooterKey

from coda_tui.providers import load_config
from coda_tui.services.setup import all_kinds
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.provider_form import ProviderFormScreen
from coda_tui.ui.widgets.mode_bar import MODES

from .servers.ollama import OllamaServer
from .test_ollama_panel import settle

SIZES = [(80, 24), (120, 40)]


def scrolled(widget: Widget, screen: Screen[object]) -> bool:
    """Inside a scroll area (other than the screen): it is reached by scrolling that area."""
    return any(
        isinstance(node, ScrollableContainer) and not isinstance(node, Footer)
        for node in widget.ancestors
        if node is not screen and isinstance(node, Widget) and node.screen is screen
    )


def misplaced(screen: Screen[object]) -> list[str]:
    """Widgets that stick out of the screen or out of a container that clips them."""
    problems = []
    for widget in screen.query("*"):
        region = widget.region
        if not widget.display or region.area == 0 or scrolled(widget, screen):
            continue
        if isinstance(widget, FooterKey):
            continue  # checked by footer_cut
        for outer in [screen, *widget.ancestors]:
            if outer is screen.app or not isinstance(outer, Widget) or outer is widget:
                continue
            if outer.region.area and not outer.region.contains_region(region):
                problems.append(f"{widget!r} at {region} outside {outer!r} at {outer.region}")
                break
    return problems


def footer_cut(screen: Screen[object]) -> list[str]:
    """Footer keys hidden beneath the docked palette key or past the edge."""
    keys = list(screen.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    limit = palette[0].region.x if palette else screen.region.right
    return [
        f"{key.key_display} {key.description}"
        for key in keys
        if key not in palette and key.region.right > limit
    ]


def start(user_config: Path, text: str = "[providers.mock]\ndelay = 0\n") -> CodaApp:
    user_config.write_text(text, encoding="utf-8")
    return CodaApp(load_config())


@pytest.mark.parametrize("size", SIZES)
async def test_every_mode_fits(
    user_config: Path, ollama_server: OllamaServer, size: tuple[int, int]
) -> None:
    app = start(
        user_config,
        f'[providers.mock]\ndelay = 0\n[providers.ollama]\nbase_url = "{ollama_server.url}"\n',
    )
    async with app.run_test(size=size) as pilot:
        for mode, _ in MODES:
            await app.switch_mode(mode)
            await settle(pilot)
            assert misplaced(app.screen) == [], mode
            assert footer_cut(app.screen) == [], mode
            assert app.screen.query_one("ModeBar").region.width == size[0]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("kind", [kind.key for kind in all_kinds()])
async def test_every_provider_form_fits_with_its_test_result(
    user_config: Path, size: tuple[int, int], kind: str
) -> None:
    app = start(user_config)
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        app.screen.query_one(f"#card-{kind}").focus()
        await pilot.press("enter")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ProviderFormScreen)
        await pilot.click("#test")  # a result (an error, most likely) shows above the buttons
        await settle(pilot)
        assert str(form.query_one("#test-result", Label).content) not in ("", "Testing…")
        assert misplaced(form) == []
        for button in ("#test", "#cancel", "#save-project", "#save-user"):
            assert form.region.contains_region(form.query_one(button).region), button


@pytest.mark.parametrize("size", SIZES)
async def test_every_dialog_fits(
    user_config: Path, ollama_server: OllamaServer, size: tuple[int, int]
) -> None:
    """Each dialog a key opens, in each mode: the model picker, parameters, a setting's
    editor and its confirmation, the Ollama panel's prompts and details."""
    app = start(
        user_config,
        f'[providers.mock]\ndelay = 0\n[providers.ollama]\nbase_url = "{ollama_server.url}"\n',
    )
    opened = []
    async with app.run_test(size=size) as pilot:

        async def check(*keys: str) -> None:
            await pilot.press(*keys)
            await settle(pilot)
            assert app.screen.is_modal, keys
            opened.append(type(app.screen).__name__)
            assert misplaced(app.screen) == [], keys
            await pilot.press("escape")
            await settle(pilot)

        await check("ctrl+o")
        await check("ctrl+t")
        await check("ctrl+f", *"lisbon")  # history search, with hits to show
        await pilot.press("f2")
        await settle(pilot)
        await check("ctrl+o")
        await check("ctrl+t")
        await pilot.press("f4")
        await settle(pilot)
        for key in ("p", "c", "d", "i"):
            await check(key)
        await pilot.press("f6")
        await settle(pilot)
        await check("enter")
        await check("ctrl+z")
    assert len(opened) == 11
    assert opened[:3] == ["ModelPickerScreen", "ChatSettingsScreen", "SearchScreen"]
