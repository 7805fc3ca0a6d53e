"""Start-up paints first: the chat screen is drawn before the config is read and validated.

`benchmarks/startup.py` times it against a bare Textual app; these tests hold the behaviour that
makes it fast (nothing heavy imported before the first frame, the config read after it, the
footer not rebuilt for nothing) and that nothing is lost on the way.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from textual.widgets._footer import FooterKey

from coda_tui.config import LoadedConfig
from coda_tui.config.peek import peek_ui
from coda_tui.providers import load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import ChatScreen
from coda_tui.ui.widgets.prompt import PromptInput

from .test_app import screen_text

SIZE = (120, 40)


def test_the_first_frame_loads_neither_pydantic_nor_the_providers() -> None:
    heavy = ("pydantic", "coda_tui.config.schema", "coda_tui.providers", "litellm", "oci")
    code = (
        "import sys, coda_tui.cli, coda_tui.ui.app\n"
        f"print([m for m in {heavy!r} if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


async def test_the_config_is_read_after_the_chat_screen_is_drawn(user_config: Path) -> None:
    user_config.write_text('[ui]\ntheme = "nord"\n[providers.mock]\ndelay = 0\n')
    seen: dict[str, object] = {}

    def reload() -> LoadedConfig:
        if "screen" not in seen:  # the first read: what was on screen by then
            seen["screen"] = screen_text(app)
            seen["theme"] = app.theme
            seen["booted"] = app.booted
        return load_config()

    app = CodaApp(reload=reload)
    assert not app.booted
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert seen["booted"] is False
        assert "Starting…" in str(seen["screen"])
        assert "palette" in str(seen["screen"])  # the footer was already there
        assert seen["theme"] == "nord"  # the first frame had the user's theme, no flash
        assert app.booted
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        assert "Chatting with mock" in screen_text(app)
        assert screen.sub_title.startswith("mock")
        assert isinstance(app.focused, PromptInput)
        await pilot.press(*"hello", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [turn.role for turn in screen.session.turns] == ["user", "assistant"]


async def test_a_broken_config_is_reported_after_the_first_frame(user_config: Path) -> None:
    user_config.write_text('[ui\ntheme = "nord"\n')
    app = CodaApp(reload=load_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.booted
        assert app.theme == "textual-dark"  # the broken file gave no theme, early or late
        assert any("invalid TOML" in str(problem) for problem in app.loaded.problems)
        assert "Chatting with mock" in screen_text(app)


def test_peek_reads_the_ui_table_of_every_layer(user_config: Path, project_config: Path) -> None:
    user_config.write_text('[ui]\ntheme = "nord"\nkeymap = { stop = "f12", quit = "ctrl+x" }\n')
    project_config.write_text('[ui]\ntheme = "gruvbox"\n[ui.keymap]\nstop = "f11"\n')
    assert peek_ui() == {"theme": "gruvbox", "keymap": {"stop": "f11", "quit": "ctrl+x"}}
    extra = project_config.parent / "extra.toml"
    extra.write_text("ui = 3\n")  # not a table: skipped, the lower layers stand
    assert peek_ui(extra)["theme"] == "gruvbox"
    extra.write_text('[ui]\ntheme = "dracula"\n')
    assert peek_ui(extra)["theme"] == "dracula"
    project_config.write_text("[ui\n")  # broken: skipped here, reported by the loader
    assert peek_ui() == {"theme": "nord", "keymap": {"stop": "f12", "quit": "ctrl+x"}}


async def test_the_footer_is_rebuilt_only_when_its_keys_change(user_config: Path) -> None:
    user_config.write_text("[providers.mock]\ndelay = 0\n")
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        before = list(app.screen.query(FooterKey))
        assert [key.description for key in before][:2] == ["Stop", "Model"]
        app.screen.refresh_bindings()  # what every focus change and stack update sends
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before  # the same widgets, not rebuilt
        await pilot.press("ctrl+b")  # the history list has keys of its own
        await pilot.pause()
        shown = [key.description for key in app.screen.query(FooterKey)]
        assert "Rename" in shown and "Delete" in shown
        await pilot.press("ctrl+b")
        await pilot.pause()
        assert "Rename" not in [key.description for key in app.screen.query(FooterKey)]


async def test_a_worker_that_fails_unexpectedly_is_said_once(user_config: Path) -> None:
    """Workers run with exit_on_error=False; what none of them expected is still reported,
    by the one handler every screen, pane and the app share (ui/failures.py)."""
    from coda_tui.providers import ProviderConnectionError

    user_config.write_text("[providers.mock]\ndelay = 0\n")
    app = CodaApp(load_config())

    async def broken() -> None:
        raise RuntimeError("the listing fell over")

    async def down() -> None:
        raise ProviderConnectionError("not running", provider="box", hint="start it")

    async with app.run_test(size=SIZE) as pilot:
        app.screen.run_worker(broken(), name="Listing models", exit_on_error=False)
        await pilot.pause()
        app.run_worker(down(), name="Box", exit_on_error=False)
        await pilot.pause(0.1)
        said = [str(n.message) for n in app._notifications if n.title == "Something failed"]
        assert said == [
            "Listing models failed: RuntimeError: the listing fell over (a bug in coda-tui; "
            "please report it)",
            "Box: not running — start it",
        ]


async def test_a_config_that_cannot_be_read_still_starts_the_app() -> None:
    def broken() -> LoadedConfig:
        raise RuntimeError("disk on fire")

    app = CodaApp(reload=broken)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.booted
        assert "Chatting with mock" in screen_text(app)
        [problem] = app.loaded.problems
        assert "RuntimeError: disk on fire" in str(problem)
        assert any("disk on fire" in str(n.message) for n in app._notifications)
