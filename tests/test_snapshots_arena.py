"""The blind arena at 80x24 before and after the vote, and the leaderboard, compared with their
reviewed SVGs."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.store import ChatStore, Contestant
from coda_tui.ui.app import CodaApp

from .test_arena_app import ARENA
from .test_snapshots import SMALL, steady, still_clock  # noqa: F401 (an autouse fixture)

WHEN = datetime(2026, 11, 20, 9, 30).timestamp()


def blind_steps(vote: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f2")
        await pilot.pause()
        pilot.app.screen.rng = random.Random(1)
        await pilot.press(*"Name a river in Portugal", "enter")
        await pilot.app.workers.wait_for_complete()
        for _ in range(100):  # the vote bar comes with the last pane's Finished message
            if pilot.app.screen.query("VoteBar"):
                break
            await pilot.pause(0.02)
        await pilot.pause()
        if vote:
            await pilot.press(vote)
            await pilot.pause()
        pilot.app.screen.refresh_metrics(idle_too=True)
        pilot.app.clear_notifications()
        await steady(pilot)

    return run_before


@pytest.mark.parametrize("vote", ["", "b"], ids=["before_the_vote", "after_the_vote"])
def test_blind_compare(snap_compare, user_config: Path, vote: str) -> None:  # type: ignore[no-untyped-def]
    user_config.write_text(ARENA, encoding="utf-8")
    app = CodaApp(load_config())
    # 120x40: the answers fit their panes. At 80x24 they scroll, and where a pane's scroll
    # settles after the vote bar takes its rows varied on a loaded machine (the fit at 80x24
    # is tested in test_arena_app).
    assert snap_compare(app, terminal_size=(120, 40), run_before=blind_steps(vote))


def test_leaderboard(
    snap_compare, user_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("coda_tui.store.history.time.time", lambda: WHEN)
    store = ChatStore(tmp_path / "h.sqlite3")
    rng = random.Random(3)
    models = [("ollama", "llama3.2"), ("ollama", "qwen2.5:0.5b"), ("openai", "gpt-4o-mini")]
    strength = {"llama3.2": 1.0, "qwen2.5:0.5b": 0.5, "gpt-4o-mini": 2.0}
    for _ in range(40):
        pair = rng.sample(models, 2)
        contestants = [Contestant(label, p, m) for label, (p, m) in zip("AB", pair, strict=True)]
        a, b = strength[pair[0][1]], strength[pair[1][1]]
        roll = rng.random()
        if roll < 0.15:
            store.add_vote("p", contestants, "tie", tag="coding")
        elif roll < 0.2:
            store.add_vote("p", contestants, "bad", tag="writing")
        else:
            winner = 0 if rng.random() < a / (a + b) else 1
            store.add_vote("p", contestants, "win", winner=winner, tag="coding")
    user_config.write_text("[providers.mock]\ndelay = 0\n")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.run_action("leaderboard")
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    app = CodaApp(load_config(), store=store)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def grid_steps(diff: bool):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        from coda_tui.services.prompt_sets import PromptCase, Target
        from coda_tui.ui.screens.prompt_grid import PromptGridScreen

        app = pilot.app
        cases = [
            PromptCase("rivers", "Name three rivers in Portugal"),
            PromptCase("haiku", "Write a haiku about tide pools"),
            PromptCase("entropy", "Explain entropy in one line"),
        ]
        targets = [Target("mock", "mock-1"), Target("mock", "mock-priced"), Target("down", "x")]
        await app.push_screen(PromptGridScreen("set.jsonl", cases, targets, store=app.store))
        await app.workers.wait_for_complete()
        await pilot.pause()
        if diff:
            await pilot.press("right", "d", "down", "d")
            await pilot.pause()
        app.clear_notifications()
        await steady(pilot)

    return run_before


@pytest.mark.parametrize("diff", [False, True], ids=["grid", "diff"])
def test_prompt_set_grid(snap_compare, user_config: Path, diff: bool) -> None:  # type: ignore[no-untyped-def]
    """A model whose server is down fills its column with the error; the others complete."""
    user_config.write_text(
        '[providers.mock]\ndelay = 0\n[providers.down]\ntype = "ollama"\n'
        'base_url = "http://127.0.0.1:9"\n',
        encoding="utf-8",
    )
    app = CodaApp(load_config())
    size = SMALL if diff else (120, 40)
    assert snap_compare(app, terminal_size=size, run_before=grid_steps(diff))
