"""Compare mode driven with Pilot: panes stream side by side, independently."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.services import answer_stream
from coda_tui.services.metrics import format_cost
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import ChatScreen
from coda_tui.ui.screens.compare import CompareScreen, best_panes, comparison_markdown
from coda_tui.ui.widgets.compare_pane import ComparePane
from coda_tui.ui.widgets.message import MessageView
from coda_tui.ui.widgets.prompt import PromptInput

SIZE = (120, 40)


def compare_app(config: Path, fast: str = "delay = 0", slow: str = "delay = 0") -> CodaApp:
    config.write_text(
        "[compare]\n"
        'panes = [{ provider = "fast" }, { provider = "slow" }]\n'
        f'[providers.fast]\ntype = "mock"\n{fast}\n'
        f'[providers.slow]\ntype = "mock"\nmodel = "mock-priced"\n{slow}\n',
        encoding="utf-8",
    )
    loaded = load_config()
    assert loaded.problems == []
    return CodaApp(loaded)


async def open_compare(pilot) -> CompareScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def panes(screen: CompareScreen) -> list[ComparePane]:
    return screen.panes


async def until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_two_panes_answer_at_once_and_a_slow_one_holds_up_nothing(
    user_config: Path,
) -> None:
    app = compare_app(user_config, slow="delay = 0.2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"tell me about rivers", "enter")
        fast, slow = panes(screen)
        await until(lambda: fast.session.turns[-1].status == "complete")
        assert slow.session.turns[-1].status == "streaming"  # still going, did not block fast
        await app.workers.wait_for_complete()
        assert slow.session.turns[-1].status == "complete"
        assert fast.session.turns[-1].content == slow.session.turns[-1].content


async def test_one_pane_fails_mid_stream_while_the_other_completes(user_config: Path) -> None:
    app = compare_app(user_config, slow="delay = 0\nfail_after = 2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"tell me about rivers", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        fast, slow = panes(screen)
        assert fast.session.turns[-1].status == "complete"
        assert slow.session.turns[-1].status == "error"
        assert slow.session.turns[-1].content == "You asked"
        errors = slow.query(".message-error")
        assert "stream cut after 2 chunks" in str(errors.first().render())
        # the failed pane ended first, but only complete answers compete for "best"
        assert best_panes(panes(screen)) == {}
        screen.refresh_metrics(idle_too=True)
        figures = slow.query_one(".pane-metrics").content.plain  # type: ignore[attr-defined]
        assert figures.startswith("failed · ")
        table = comparison_markdown(panes(screen)).split("## Prompt")[0]
        assert "| 2 | slow · mock-priced (failed) |" in table
        assert "| 1 | fast · mock-1 |" in table


# What xterm and tmux (TERM=screen or tmux-256color) send for F7, F8 and F9.
TERMINAL_BYTES = {"f7": "\x1b[18~", "f8": "\x1b[19~", "f9": "\x1b[20~"}


def keys_from_terminal(data: str) -> list[str]:
    """The keys Textual reads from these bytes, as it does from a real terminal."""
    from textual import events
    from textual._xterm_parser import XTermParser

    return [event.key for event in XTermParser().feed(data) if isinstance(event, events.Key)]


async def test_stop_one_pane_then_stop_all(user_config: Path) -> None:
    long = 'delay = 0.03\nreply = "' + "word " * 100 + '"'
    app = compare_app(user_config, fast=long, slow=long)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        ids = {active.binding.id: key for key, active in screen.active_bindings.items()}
        assert {"compare_prev_pane", "compare_next_pane", "compare_stop_pane"} <= set(ids)
        assert not any(key.startswith("alt+") for key in ids.values())
        fast, slow = panes(screen)
        assert fast.has_class("-selected") and not slow.has_class("-selected")
        await pilot.press(*"tell me about rivers and lakes and seas", "enter")
        await pilot.pause(0.15)
        await pilot.press(*keys_from_terminal(TERMINAL_BYTES["f8"]))  # select pane 2
        assert slow.has_class("-selected") and not fast.has_class("-selected")
        assert isinstance(app.focused, PromptInput)  # typing goes on in the prompt
        await pilot.press(*keys_from_terminal(TERMINAL_BYTES["f9"]))  # stop it
        await until(lambda: slow.session.turns[-1].status == "stopped")
        assert fast.session.turns[-1].status == "streaming"
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        assert fast.session.turns[-1].status == "stopped"
        await pilot.press(*keys_from_terminal(TERMINAL_BYTES["f7"]) * 2)  # wraps around
        assert slow.has_class("-selected")


def test_the_pane_keys_are_what_terminals_send() -> None:
    assert [keys_from_terminal(data) for data in TERMINAL_BYTES.values()] == [
        ["f7"],
        ["f8"],
        ["f9"],
    ]


async def test_follow_up_continues_each_conversation(user_config: Path) -> None:
    app = compare_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"Hi, my name is Ada", "enter")
        await app.workers.wait_for_complete()
        await pilot.press(*"What is my name?", "enter")
        await app.workers.wait_for_complete()
        for pane in panes(screen):
            assert [t.role for t in pane.session.turns] == ["user", "assistant"] * 2
            assert pane.session.turns[-1].content == "Your name is Ada."


async def test_best_figures_are_marked_and_export_has_the_table(user_config: Path) -> None:
    app = compare_app(user_config, slow="delay = 0\nfirst_token_delay = 1.0")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"tell me about rivers", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        best = best_panes(panes(screen))
        assert best["ttft"] == 1  # the slow pane waited 1 s for its first token
        await pilot.press("ctrl+s")
        await pilot.pause()
        [exported] = list(Path.cwd().glob("coda-compare-*.md"))
        text = exported.read_text()
        assert "| pane | model | TTFT | tok/s | tokens | total | cost |" in text
        assert "| 2 | slow · mock-priced |" in text
        assert "## Prompt 1\n\ntell me about rivers" in text
        assert "### 1: fast · mock-1" in text and "### 2: slow · mock-priced" in text


async def test_promote_a_pane_into_a_chat(user_config: Path) -> None:
    app = compare_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"tell me about rivers", "enter")
        await app.workers.wait_for_complete()
        slow = panes(screen)[1]
        slow.post_message(ComparePane.PromoteRequested(slow))
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        assert app.screen.session.model == "mock-priced"
        assert [v.role for v in app.screen.query(MessageView)] == ["user", "assistant"]


async def test_add_and_close_panes(user_config: Path) -> None:
    app = compare_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press("ctrl+b", "ctrl+b", "ctrl+b")
        await pilot.pause()
        assert [p.number for p in panes(screen)] == [1, 2, 3, 4]
        await app.workers.wait_for_complete()
        priced = [p.model_info and p.model_info.pricing for p in panes(screen)]
        assert [bool(p) for p in priced] == [False, True, True, True]  # added: the 2nd's model
        third = panes(screen)[2]
        third.post_message(ComparePane.CloseRequested(third))
        await pilot.pause()
        assert [p.number for p in panes(screen)] == [1, 2, 4]
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        assert all(p.session.turns[-1].status == "complete" for p in panes(screen))


async def test_other_work_in_the_app_does_not_block_sending(user_config: Path) -> None:
    app = compare_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)

        async def background() -> None:
            await asyncio.sleep(5)

        app.run_worker(background(), group="unrelated")  # e.g. model discovery
        await pilot.press(*"hi", "enter")
        await until(lambda: all(p.session.turns for p in panes(screen)))
        app.workers.cancel_group(app, "unrelated")


async def test_parameters_for_all_panes_or_one(user_config: Path) -> None:
    app = compare_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press("ctrl+t", *"Be brief.", "enter")
        await pilot.pause()
        await pilot.click("#temperature")
        await pilot.press("enter")
        await pilot.pause()
        assert [p.session.params.system_prompt for p in panes(screen)] == ["Be brief."] * 2
        second = panes(screen)[1]
        second.post_message(ComparePane.ParamsRequested(second))
        await pilot.pause()
        await pilot.click("#temperature")
        await pilot.press(*"1.5", "enter")
        await pilot.pause()
        assert [p.session.params.temperature for p in panes(screen)] == [None, 1.5]


async def test_sync_scroll_moves_the_other_panes(user_config: Path) -> None:
    app = compare_app(
        user_config,
        fast='delay = 0\nreply = "' + "line\\n\\n" * 80 + '"',
        slow='delay = 0\nreply = "' + "line\\n\\n" * 80 + '"',
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        first, second = (p.messages for p in panes(screen))
        await pilot.press("ctrl+g")
        first.scroll_to(y=0, animate=False)
        await pilot.pause()
        assert second.scroll_y == 0
        first.scroll_end(animate=False)
        await pilot.pause()
        assert second.scroll_y == second.max_scroll_y > 0


async def test_the_best_figure_is_painted_highlighted(user_config: Path) -> None:
    app = compare_app(user_config, slow="delay = 0\nfirst_token_delay = 1.0")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"hi", "enter")
        await app.workers.wait_for_complete()
        screen.refresh_metrics(idle_too=True)
        await pilot.pause()
        fast_line = panes(screen)[0].query_one(".pane-metrics")
        highlighted = [
            fast_line.content.plain[span.start : span.end]  # type: ignore[attr-defined]
            for span in fast_line.content.spans  # type: ignore[attr-defined]
        ]
        assert any(text.startswith("TTFT") for text in highlighted)


async def test_no_full_garbage_collection_while_any_pane_streams(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection stalls a frame for tens of milliseconds; it waits for the answers,
    and comes back once the last one ended, however it ended. Young collections go on."""
    monkeypatch.setattr(answer_stream, "RESUME_AFTER", 0.05)
    before = gc.get_threshold()
    app = compare_app(user_config, fast="delay = 0.01\nfail_after = 3", slow="delay = 0.05")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        await pilot.press(*"rivers", "enter")
        failing, slow = panes(screen)
        await until(lambda: failing.session.turns[-1].status == "error")
        assert slow.session.turns[-1].status == "streaming"
        assert gc.isenabled()
        assert gc.get_threshold()[:2] == before[:2]
        assert gc.get_threshold()[2] >= answer_stream.NEVER
        await until(lambda: slow.session.turns[-1].status == "complete")
        await until(lambda: gc.get_threshold() == before, timeout=2)
    assert gc.get_threshold() == before


def test_costs_keep_two_significant_digits() -> None:
    """A short answer costs thousandths of a cent: two models must not both read $0.0000."""
    shown = [format_cost(c) for c in (0.000028, 0.000031, 0.00012, 0.0123, 1.5, 0.0)]
    assert shown == ["$0.000028", "$0.000031", "$0.00012", "$0.0123", "$1.5000", "$0"]


def test_every_palette_entry_names_an_action_of_its_screen() -> None:
    from coda_tui.ui.commands import APP_COMMANDS
    from coda_tui.ui.screens.models import ModelsScreen
    from coda_tui.ui.screens.ollama import OllamaScreen
    from coda_tui.ui.screens.providers import ProvidersScreen
    from coda_tui.ui.screens.settings import SettingsScreen

    for screen in (ChatScreen, CompareScreen, ModelsScreen, OllamaScreen, ProvidersScreen):
        for action, _, _ in screen.PALETTE:  # type: ignore[attr-defined]
            assert hasattr(screen, "action_" + action.split("(")[0]), (screen, action)
    assert SettingsScreen.PALETTE
    bound = {b.action.split("(")[0] for b in CompareScreen.BINDINGS}  # type: ignore[union-attr]
    listed = {a.split("(")[0] for a, _, _ in (*CompareScreen.PALETTE, *APP_COMMANDS)}
    assert bound <= listed  # every compare key is in the palette too (some as the app's)


def test_comparisons_start_on_what_is_set_up(user_config: Path) -> None:
    from coda_tui.ui.screens.compare import starting_panes

    def panes_for(text: str) -> list[tuple[str, str | None]]:
        user_config.write_text(text, encoding="utf-8")
        return starting_panes(load_config())

    assert panes_for("") == [("mock", None), ("mock", "mock-priced")]
    ollama = '[providers.ollama]\nmodel = "llama3.2"\n'
    assert panes_for(ollama) == [("mock", None), ("ollama", None)]
    assert panes_for('[defaults]\nprovider = "ollama"\n' + ollama) == [
        ("ollama", None),
        ("mock", None),
    ]
    groq = '[providers.groq]\ntype = "litellm"\nmodel = "groq/x"\n'
    both = '[defaults]\nprovider = "ollama"\n[providers.mock]\ndelay = 0\n' + ollama + groq
    assert panes_for(both) == [("ollama", None), ("groq", None)]  # a real one before Mock
    chosen = '[compare]\npanes = [{ provider = "mock", model = "mock-1" }]\n' + ollama
    assert panes_for(chosen) == [("mock", "mock-1")]


async def test_a_run_adds_nothing_to_history_until_a_pane_is_continued(
    user_config: Path,
) -> None:
    app = compare_app(user_config)
    assert app.store is not None
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_compare(pilot)
        for prompt in ("tell me about rivers", "and lakes"):
            await pilot.press(*prompt, "enter")
            await app.workers.wait_for_complete()
        assert app.store.list_chats() == []  # was one chat per pane per run
        slow = panes(screen)[1]
        slow.post_message(ComparePane.PromoteRequested(slow))
        await pilot.pause()
        await pilot.pause()
        [chat] = app.store.list_chats()
        assert chat.model == "mock-priced" and chat.title.startswith("⚖ tell me about rivers")
        saved = [(m.role, m.status) for m in app.store.messages(chat.id)]
        assert saved == [("user", "complete"), ("assistant", "complete")] * 2
