"""The arena's service: what voids a vote, how votes become battles, and ratings that equal the
reference library's (choix) on a fixed vote set with ties."""

from __future__ import annotations

import csv
import io
import itertools
import math
import random
from pathlib import Path

import choix  # type: ignore[import-untyped]
import pytest

from coda_tui.services.arena import (
    ALPHA,
    battles,
    blind_order,
    bradley_terry,
    identity,
    leaderboard,
    leaderboard_csv,
    pairwise_data,
    to_rating,
    void_reason,
)
from coda_tui.store import ChatStore, Contestant, StoredVote


def c(label: str, model: str, answer: str = "", provider: str = "ollama") -> Contestant:
    return Contestant(label, provider, model, answer)


def vote(outcome: str, *models: str, winner: int | None = None) -> StoredVote:
    labels = "ABCD"
    contestants = [c(labels[i], model) for i, model in enumerate(models)]
    return StoredVote(0, 0.0, "p", "", outcome, winner, "", contestants)


def test_identity_words_come_from_the_model_id_and_its_maker() -> None:
    assert identity("llama3.2:1b") == ["llama", "meta"]
    assert identity("gpt-4o-mini") == ["gpt", "openai", "chatgpt"]
    assert identity("meta.llama-3.3-70b-instruct") == ["meta", "llama"]
    assert identity("qwen2.5:0.5b") == ["qwen", "alibaba", "tongyi"]
    assert identity("anthropic/claude-3-5-sonnet") == ["anthropic", "claude", "sonnet"]


def test_an_answer_naming_its_own_model_or_maker_voids_the_vote() -> None:
    fair = [c("A", "llama3.2", "Lisbon is lovely."), c("B", "qwen2.5", "Porto is too.")]
    assert void_reason(fair) == ""
    told = [c("A", "llama3.2", "As a model trained by Meta, I think…"), c("B", "qwen2.5")]
    assert void_reason(told) == "A named its model or maker (“Meta”)"
    other = [c("A", "llama3.2", "Unlike Qwen, I…"), c("B", "qwen2.5", "ok")]
    assert void_reason(other) == ""  # naming another model gives nothing of its own away
    assert void_reason([c("A", "llama3.2", "metadata and llamas")]) == ""  # whole words only


def test_blind_order_is_a_permutation_that_varies() -> None:
    models = [("ollama", "llama3.2"), ("openai", "gpt-4o-mini")]
    orders = {tuple(blind_order(models, random.Random(seed))) for seed in range(20)}
    assert len(orders) == 2 and all(sorted(order) == sorted(models) for order in orders)


def test_votes_become_battles_as_lmarena_counts_them() -> None:
    assert battles([vote("win", "x", "y", "z", winner=1)]) == [
        ("y (ollama)", "x (ollama)", 1.0),
        ("y (ollama)", "z (ollama)", 1.0),
    ]
    assert battles([vote("tie", "x", "y")]) == [("x (ollama)", "y (ollama)", 0.5)]
    assert battles([vote("bad", "x", "y")]) == [("x (ollama)", "y (ollama)", 0.5)]
    assert battles([vote("void", "x", "y")]) == []


FIXED = [
    ("a", "b", 1.0),
    ("a", "b", 1.0),
    ("b", "a", 1.0),
    ("a", "c", 0.5),
    ("b", "c", 1.0),
    ("c", "b", 0.5),
    ("c", "d", 1.0),
    ("d", "a", 0.0),
    ("d", "b", 0.5),
    ("a", "d", 1.0),
    ("c", "a", 0.0),
]
"""Four models, eleven battles, four of them ties."""


@pytest.mark.parametrize("alpha", [ALPHA, 0.01, 1.0])
def test_ratings_equal_the_reference_library_on_a_vote_set_with_ties(alpha: float) -> None:
    models = ["a", "b", "c", "d"]
    data = pairwise_data(FIXED, models)
    ours = bradley_terry(len(models), data, alpha=alpha)
    reference = choix.mm_pairwise(len(models), data, alpha=alpha)
    assert ours == pytest.approx(list(reference), abs=1e-6)
    gaps = [to_rating(x) - to_rating(y) for x, y in itertools.pairwise(ours)]
    expected = [400 * float(x - y) / math.log(10) for x, y in itertools.pairwise(reference)]
    assert gaps == pytest.approx(expected, abs=1e-4)


def test_the_leaderboard_ranks_counts_and_bounds_each_model() -> None:
    votes = [vote("win", "strong", "weak", winner=0) for _ in range(6)]
    votes += [vote("win", "strong", "weak", winner=1), vote("tie", "strong", "weak")]
    votes += [vote("bad", "weak", "middling"), vote("void", "strong", "middling")]
    board = leaderboard(votes, rounds=100)
    strong = board.standings[0]
    assert strong.model == "strong (ollama)"
    assert (strong.battles, strong.wins, strong.ties, strong.losses) == (8, 6, 1, 1)
    assert strong.win_rate == pytest.approx(6.5 / 8)
    assert strong.low <= strong.rating <= strong.high
    assert (board.votes, board.void) == (10, 1)
    assert board.head_to_head[("strong (ollama)", "weak (ollama)")] == (6, 1, 1)
    rows = list(csv.DictReader(io.StringIO(leaderboard_csv(board))))
    assert rows[0]["model"] == "strong (ollama)" and rows[0]["wins"] == "6"
    assert leaderboard([vote("void", "x", "y")]).standings == []


def test_votes_are_kept_with_everything_needed_to_recount_them(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = ChatStore(path)
    contestants = [
        Contestant("A", "ollama", "llama3.2", "Porto.", "complete", {"ttft_s": 0.2}),
        Contestant("B", "openai", "gpt-4o-mini", "Lisbon.", "complete", {"ttft_s": 0.4}),
    ]
    store.add_vote("Best city?", contestants, "win", winner=1, tag="travel", params={"t": 1})
    store.add_vote("Again?", contestants, "void", void_reason="A named its model")
    with pytest.raises(ValueError):
        store.add_vote("x", contestants, "win")
    store.close()
    again = ChatStore(path)  # a restart
    [kept, void] = again.votes()
    assert (kept.prompt, kept.tag, kept.winner, kept.params) == (
        "Best city?",
        "travel",
        1,
        {"t": 1},
    )
    assert kept.contestants == contestants
    assert void.void_reason == "A named its model"
    assert [v.prompt for v in again.votes(tag="travel")] == ["Best city?"]
    assert again.vote_tags() == ["travel"]
    assert again.votes(since=kept.created_at + 3600) == []
