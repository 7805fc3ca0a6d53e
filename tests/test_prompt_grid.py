"""Prompt sets in the app: a grid of 5 prompts x 3 models on the local test servers fills every
cell, a failing model fills its cells with the error, the run is saved and opens again, two
cells diff word by word, and the grid exports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.services.prompt_sets import PromptCase, Target, word_diff
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.prompt_grid import PromptGridScreen, reopen
from coda_tui.ui.screens.prompt_grid_dialogs import AnswerScreen, DiffScreen

from .servers.ollama import OllamaServer
from .servers.openai_compat import OpenAICompatServer
from .test_app import screen_text

CASES = [PromptCase(f"p{n}", f"Question number {n} about rivers") for n in range(1, 6)]


@pytest.fixture
def openai_server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as running:
        yield running


@pytest.fixture
def servers(
    user_config: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """The config of the Mock, the local Ollama and an OpenAI-compatible server ("local")."""
    monkeypatch.setenv("LOCAL_KEY", "sk-test-key")  # what the test server accepts
    user_config.write_text(
        "[providers.mock]\ndelay = 0\n"
        f'[providers.ollama]\nbase_url = "{ollama_server.url}"\n'
        f'[providers.local]\ntype = "litellm"\nmodel = "openai/gpt-4o-mini"\n'
        f'api_base = "{openai_server.api_base}"\napi_key = "${{LOCAL_KEY}}"\n',
        encoding="utf-8",
    )
    return user_config


async def run_grid(pilot, targets: list[Target]) -> PromptGridScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    grid = PromptGridScreen("rivers.jsonl", CASES, targets, store=app.store)
    await app.push_screen(grid)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return grid


async def test_five_prompts_on_three_servers_fill_every_cell_and_are_saved(
    servers: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
) -> None:
    app = CodaApp(load_config())
    targets = [
        Target("mock", "mock-priced"),
        Target("ollama", "llama3.2"),
        Target("local", "openai/gpt-4o-mini"),
    ]
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await run_grid(pilot, targets)
        assert len(grid.results) == 15 and not any(r.error for r in grid.results.values())
        for row, case in enumerate(CASES):
            assert grid.results[(case.id, targets[1])].answer.startswith(f"You said: {case.text}")
            for column in (1, 2, 3):
                cell = grid.grid.rows[row][column]
                assert cell.endswith("tok") or "$" in cell, cell
                assert cell in screen_text(app)
        assert "15/15 done · saved as run 1" in screen_text(app)
        assert len(ollama_server.state.requests) >= 5 and openai_server.state.requests
        assert app.store is not None
        [(run_id, _, name, saved_targets)] = app.store.runs()
        assert (name, saved_targets[1]) == ("rivers.jsonl", "ollama:llama3.2")
        await pilot.press("escape")
        await pilot.pause()
        again = reopen(app.store, run_id)  # opened again, as the palette does
        await app.push_screen(again)
        await pilot.pause()
        assert [c.id for c in again.cases] == [c.id for c in CASES] and not again.running
        assert [r.row() for r in again.ordered()] == [r.row() for r in grid.ordered()]


async def test_a_failing_model_fills_its_cells_with_the_error(
    servers: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
) -> None:
    app = CodaApp(load_config())
    targets = [Target("mock", "mock-1"), Target("ollama", "no-such-model")]
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await run_grid(pilot, targets)
        for row, case in enumerate(CASES):
            assert grid.results[(case.id, targets[0])].error == ""
            failed = grid.results[(case.id, targets[1])]
            assert "no-such-model" in failed.error and failed.answer == ""
            assert grid.grid.rows[row][2].startswith("✗")
            assert grid.grid.styles_of[(row, 2)] == "red"
        assert "10/10 done" in screen_text(app) and "5 failed" in screen_text(app)


async def test_open_a_cell_diff_two_and_export(
    servers: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
    tmp_path: Path,
) -> None:
    app = CodaApp(load_config())
    targets = [Target("mock", "mock-1"), Target("ollama", "llama3.2")]
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await run_grid(pilot, targets)
        await pilot.press("right", "enter")
        await pilot.pause()
        assert isinstance(app.screen, AnswerScreen)
        assert "You asked about" in screen_text(app)
        await pilot.press("escape", "d", "right", "d")
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        first = grid.results[("p1", targets[0])].answer
        second = grid.results[("p1", targets[1])].answer
        assert "".join(t for op, t in word_diff(first, second) if op != "removed") == second
        await pilot.press("escape", "ctrl+s")
        await pilot.pause()
        field = app.screen.query_one("#value")
        field.value = str(tmp_path / "run.json")  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        rows = json.loads((tmp_path / "run.json").read_text())
        assert [(r["prompt_id"], r["provider"]) for r in rows][:2] == [
            ("p1", "mock"),
            ("p1", "ollama"),
        ]


def test_word_diff_keeps_both_texts() -> None:
    old, new = "the quick brown fox", "the slow brown dog jumps"
    pieces = word_diff(old, new)
    assert "".join(t for op, t in pieces if op != "added") == old
    assert "".join(t for op, t in pieces if op != "removed") == new
    assert ("removed", "quick") in pieces and ("added", "slow") in pieces


async def test_the_grid_fits_and_moves_at_80x24(
    servers: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
) -> None:
    from .test_fit import footer_cut, misplaced

    app = CodaApp(load_config())
    targets = [Target("mock", "mock-1"), Target("ollama", "llama3.2"), Target("mock", "x")]
    async with app.run_test(size=(80, 24)) as pilot:
        grid = await run_grid(pilot, targets)
        assert misplaced(grid) == [] and footer_cut(grid) == []
        await pilot.press("right", "right", "right", "down")
        assert grid.grid.cursor == (1, 3)
        assert grid.grid.scroll_x > 0  # the last column brought into view


async def test_a_judge_model_judges_every_pair_and_its_verdicts_stay_apart(
    servers: Path,
    ollama_server: OllamaServer,
    openai_server: OpenAICompatServer,
) -> None:
    from coda_tui.ui.screens.leaderboard import LeaderboardScreen
    from coda_tui.ui.screens.prompt_grid_dialogs import RubricScreen

    judge = '[providers.judge]\ntype = "mock"\ndelay = 0\nreply = "Both fine.\\nVERDICT: TIE"\n'
    servers.write_text(servers.read_text() + judge, encoding="utf-8")
    app = CodaApp(load_config())
    targets = [Target("mock", "mock-1"), Target("ollama", "llama3.2"), Target("ollama", "gone")]
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await run_grid(pilot, targets)
        await pilot.press("j")
        await pilot.pause()
        field = app.screen.query_one("#value")
        field.value = "judge:mock-1"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, RubricScreen)
        assert "Correct: no false statements" in app.screen.query_one("#rubric").text  # type: ignore[attr-defined]
        app.screen.query_one("#rubric").text = "Prefer the shorter answer."  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.store is not None
        verdicts = app.store.verdicts()
        # 5 prompts, one pair each: the failed model's answers are not judged
        assert len(verdicts) == 5 and {v["outcome"] for v in verdicts} == {"tie"}
        assert {(v["a"], v["b"], v["judge"]) for v in verdicts} == {
            ("mock:mock-1", "ollama:llama3.2", "judge:mock-1")
        }
        assert verdicts[0]["rubric"] == "Prefer the shorter answer."
        assert verdicts[0]["run_id"] == grid.saved_id and verdicts[0]["reason"] == "Both fine."
        assert app.store.votes() == []  # apart from the human votes
        assert app.store.last_rubric() == "Prefer the shorter answer."
        await app.run_action("leaderboard")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, LeaderboardScreen)
        assert "no votes yet" in screen_text(app)
        await pilot.press(*"judge")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "a judge model's verdicts: 5 battles" in text and "0-5-0" in text


async def test_the_judge_sees_both_orders_and_its_verdict_maps_back() -> None:
    import random

    from coda_tui.providers import ProviderFactory
    from coda_tui.services.judge import judge_pair, read_verdict
    from coda_tui.services.prompt_sets import CaseResult

    assert read_verdict("reasons\nVERDICT: 2") == "2" and read_verdict("no idea") == ""
    factory = ProviderFactory(
        {"providers": {"judge": {"type": "mock", "delay": 0, "reply": "x\nVERDICT: 1"}}}
    )
    case = CASES[0]
    a = CaseResult(case, Target("m", "a"), answer="first")
    b = CaseResult(case, Target("m", "b"), answer="second")
    outcomes = set()
    for seed in range(12):  # the judge always says "1": which that is depends on the order
        verdict = await judge_pair(
            factory, Target("judge", "mock-1"), "r", a, b, random.Random(seed)
        )
        outcomes.add(verdict.outcome)
    assert outcomes == {"a", "b"}


async def test_a_saved_run_opens_from_the_palette(user_config: Path) -> None:
    from coda_tui.ui.screens.prompt_grid_dialogs import RunPickerScreen

    user_config.write_text("[providers.mock]\ndelay = 0\n", encoding="utf-8")
    app = CodaApp(load_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("open_run")
        await pilot.pause()
        assert any("No saved runs yet" in str(n.message) for n in app._notifications)
        first = await run_grid(pilot, [Target("mock", "mock-1")])
        await pilot.press("escape")
        await app.run_action("open_run")
        await pilot.pause()
        assert isinstance(app.screen, RunPickerScreen)
        assert "rivers.jsonl · mock:mock-1" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PromptGridScreen) and app.screen is not first
        assert app.screen.saved_id == first.saved_id and len(app.screen.results) == 5
