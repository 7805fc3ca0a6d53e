"""The minimal chat app, driven with Pilot on the Mock provider."""

from __future__ import annotations

from pathlib import Path

from coda_tui.config import load_config
from coda_tui.ui.app import CodaApp, MessageView


def screen_text(app: CodaApp) -> str:
    """What the terminal would show, as plain text (every segment, control characters kept)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def app_with(config: Path, text: str) -> CodaApp:
    config.write_text(text, encoding="utf-8")
    return CodaApp(load_config())


async def test_prompt_streams_an_answer(user_config: Path) -> None:
    app = app_with(user_config, "[providers.mock]\ndelay = 0\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#prompt")
        await pilot.press(*"Hello, my name is Ada", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        views = list(app.query(MessageView))
        assert views[0].classes == {"user"}
        assert views[1].source.startswith("Hello, Ada!")
        assert "Hello, Ada! I am the mock model" in screen_text(app)
        assert [m.role for m in app.history] == ["user", "assistant"]


async def test_model_output_is_shown_literally(user_config: Path) -> None:
    app = app_with(
        user_config,
        "[providers.mock]\ndelay = 0\n"
        'reply = "[bold red]x[/] and \\u001b[31mred\\u001b[0m and \\u009b2J"\n',
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "[bold red]x[/]" in text
        assert "␛[31mred␛[0m" in text
        assert "\x1b" not in text
        assert "\x9b" not in text


async def test_failed_stream_shows_the_error_and_keeps_the_partial_answer(
    user_config: Path,
) -> None:
    app = app_with(
        user_config, '[providers.mock]\ndelay = 0\nreply = "one two three"\nfail_after = 2\n'
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        errors = list(app.query(".error"))
        assert len(errors) == 1
        assert "stream cut after 2 chunks" in screen_text(app)
        assert app.history[-1].content == "one two"


async def test_escape_stops_the_stream_and_keeps_the_partial_answer(user_config: Path) -> None:
    app = app_with(user_config, '[providers.mock]\ndelay = 0.05\nreply = "' + "word " * 200 + '"\n')
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press(*"hi", "enter")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answer = app.history[-1]
        assert answer.role == "assistant"
        assert 0 < len((answer.content or "").split()) < 200
        assert app.query_one("#status").render().plain == "stopped"  # type: ignore[attr-defined]


async def test_config_problems_are_shown_and_the_app_still_starts(user_config: Path) -> None:
    app = app_with(user_config, "[defaults\nprovider = 1\n")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.loaded.problems
        assert str(user_config) in str(app.loaded.problems[0])
        assert any("invalid TOML" in str(n.message) for n in app._notifications)
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        assert app.history[-1].role == "assistant"
