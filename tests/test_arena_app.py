"""The blind arena in compare, as a user meets it: names hidden on every surface until the vote,
then shown; a self-naming answer voids the round; votes kept; the leaderboard counts them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.services.arena import leaderboard
from coda_tui.store import ChatStore
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.compare import CompareScreen
from coda_tui.ui.screens.leaderboard import LeaderboardScreen
from coda_tui.ui.widgets.vote_bar import VoteBar

from .test_app import screen_text
from .test_fit import footer_cut, misplaced

ARENA = (
    "[providers.mock]\ndelay = 0\n"
    '[providers.rival]\ntype = "mock"\nmodel = "mock-priced"\ndelay = 0\n'
    '[compare]\nblind = true\npanes = [{ provider = "mock" }, { provider = "rival" }]\n'
)
NAMES = ("mock-1", "mock-priced", "rival", "mock ·")


def compare(app: CodaApp) -> CompareScreen:
    assert isinstance(app.screen, CompareScreen)
    return app.screen


def shown_names(app: CodaApp, screen: CompareScreen) -> list[str]:
    """Model, provider or price on any surface: the screen on top, titles, notifications."""
    surfaces = [screen_text(app), screen.title or "", screen.sub_title or ""]
    surfaces += [str(pane.border_title) for pane in screen.panes]
    surfaces += [str(note.message) for note in app._notifications]
    found = [name for name in NAMES if any(name in text for text in surfaces)]
    return found + (["$"] if any("$" in text for text in surfaces) else [])


async def blind_round(pilot, prompt: str = "Name a river in Portugal") -> CompareScreen:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await pilot.pause()
    screen = compare(pilot.app)
    screen.rng = random.Random(1)  # rival first, as it happens
    await pilot.press(*prompt, "enter")
    await pilot.app.workers.wait_for_complete()
    for _ in range(100):  # the vote bar (or the void note) follows the last Finished message
        if screen.query(VoteBar) or not screen.round_prompt:
            break
        await pilot.pause(0.02)
    await pilot.pause()
    return screen


async def test_names_stay_hidden_until_the_vote_then_show(user_config: Path) -> None:
    user_config.write_text(ARENA, encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await blind_round(pilot)
        assert [str(p.border_title) for p in screen.panes] == ["A", "B"]
        assert screen.sub_title == "compare · blind"
        assert isinstance(app.focused, VoteBar)
        assert shown_names(app, screen) == []
        await pilot.press("ctrl+p", *"compare")  # the palette too
        await pilot.pause(0.5)
        assert "blind arena on or off" in screen_text(app)
        assert shown_names(app, screen) == []
        await pilot.press("escape")
        await pilot.pause()
        first = screen.panes[0].session.model
        await pilot.press("a")
        await pilot.pause()
        assert not screen.query(VoteBar)
        titles = [str(p.border_title) for p in screen.panes]
        assert titles[0] == f"A · {screen.panes[0].session.provider} · {first}"
        assert "$" in screen_text(app)  # the price, now
        assert app.store is not None
        [vote] = app.store.votes()
        assert (vote.prompt, vote.outcome, vote.winner) == ("Name a river in Portugal", "win", 0)
        assert [c.label for c in vote.contestants] == ["A", "B"]
        assert vote.contestants[0].model == first
        assert vote.contestants[0].answer == screen.panes[0].answer != ""
        assert vote.contestants[0].metrics["output_tokens"] > 0
        path = app.store.path
    again = ChatStore(path)  # kept across a restart
    assert [v.winner for v in again.votes()] == [0]


async def test_the_order_is_random_round_to_round(user_config: Path) -> None:
    user_config.write_text(ARENA, encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await blind_round(pilot)
        orders = set()
        for seed in range(8):
            screen.rng = random.Random(seed)
            await screen.start_round("again")
            await app.workers.wait_for_complete()
            await pilot.pause()
            orders.add(tuple(p.session.provider for p in screen.panes))
        assert orders == {("mock", "rival"), ("rival", "mock")}
        assert app.store is not None and app.store.votes() == []  # new prompts skipped votes


async def test_an_answer_naming_its_model_voids_the_round(user_config: Path) -> None:
    user_config.write_text(
        ARENA.replace(
            "[providers.mock]\ndelay = 0\n",
            '[providers.mock]\ndelay = 0\nreply = "As a Mock model, I would say the Tagus."\n',
        ),
        encoding="utf-8",
    )
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await blind_round(pilot)
        assert not screen.query(VoteBar)
        notes = [str(n.message) for n in app._notifications]
        label = next(p.blind_label for p in screen.panes if p.session.provider == "mock")
        assert any(f"No vote: {label} named its model or maker (“Mock”)" in n for n in notes)
        assert "mock-priced" in screen_text(app)  # names shown at once
        assert app.store is not None
        [vote] = app.store.votes()
        assert vote.outcome == "void" and vote.void_reason.endswith("(“Mock”)")


async def test_tie_tag_and_the_leaderboard(user_config: Path) -> None:
    user_config.write_text(ARENA, encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await blind_round(pilot)
        await pilot.press("g")
        await pilot.pause()
        await pilot.press(*"travel", "enter")
        await pilot.pause()
        assert "g tag: travel" in screen_text(app)
        await pilot.press("t")
        await pilot.pause()
        assert app.store is not None
        [vote] = app.store.votes()
        assert (vote.outcome, vote.tag) == ("tie", "travel")
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        text = screen_text(app)
        assert "1 vote (0 void)" in text and "0-1-0" in text
        board = leaderboard(app.store.votes())
        assert f"{board.standings[0].rating:.0f}" in text
        await pilot.press(*"tag:coding")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "no votes yet" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_vote_bar_and_the_leaderboard_fit(
    user_config: Path, size: tuple[int, int]
) -> None:
    user_config.write_text(ARENA, encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=size) as pilot:
        screen = await blind_round(pilot)
        assert misplaced(screen) == [] and footer_cut(screen) == []
        bar = screen.query_one(VoteBar)
        assert screen.region.contains_region(bar.region) and bar.region.height <= 3
        await pilot.press("b", "ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        assert misplaced(app.screen) == [] and footer_cut(app.screen) == []
