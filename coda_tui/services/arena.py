"""The arena: blind rounds, the check that voids a vote when an answer names its own model, and
the leaderboard those votes make (Bradley-Terry ratings with bootstrap confidence intervals).

Counting follows LMArena: a vote for one answer is a win over each other answer; "tie" and
"both bad" are ties, half a win for each side; a void vote counts for nothing. Ratings are the
maximum a-posteriori Bradley-Terry strengths of the MM algorithm (Hunter 2004) exactly as
``choix.mm_pairwise`` computes them (a test holds the two equal), with LMArena's data shape (a
decisive battle twice, a tie once each way) and a small Dirichlet prior (``ALPHA``) so a model
that won or lost every battle still gets a finite rating. Shown on the Elo-like scale LMArena
uses: 1000 + 400 · log10(strength), strengths centred on the mean. Plain Python: a leaderboard
has tens of models, and NumPy and SciPy would add 60 MB to install for it.
"""

from __future__ import annotations

import csv
import io
import math
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..store import Contestant, StoredVote

LABELS = "ABCD"
ALPHA = 0.1
"""The prior's weight (choix's ``alpha``): small beside one vote."""
BOOTSTRAP_ROUNDS = 200
SCALE, BASE, INIT = 400.0, 10.0, 1000.0

_GENERIC = set(
    "latest instruct chat preview mini turbo large small medium base vision code coder text "
    "model it hf gguf fp16 q4 q8 nano pro flash lite versatile exp online plus max the".split()
)
MAKERS: dict[str, tuple[str, ...]] = {
    "gpt": ("openai", "chatgpt"),
    "chatgpt": ("openai",),
    "o1": ("openai",),
    "o3": ("openai",),
    "o4": ("openai",),
    "claude": ("anthropic",),
    "gemini": ("google", "deepmind"),
    "gemma": ("google", "deepmind"),
    "llama": ("meta",),
    "codellama": ("meta", "llama"),
    "mistral": ("mistral",),
    "mixtral": ("mistral",),
    "codestral": ("mistral",),
    "ministral": ("mistral",),
    "qwen": ("alibaba", "tongyi"),
    "qwq": ("alibaba", "qwen"),
    "deepseek": (),
    "phi": ("microsoft",),
    "command": ("cohere",),
    "grok": ("xai",),
    "granite": ("ibm",),
}
"""A model family's maker (and other names it goes by): an answer naming one gives it away."""


def identity(model: str) -> list[str]:
    """Words that would give a model away: its family name(s) from its id and its maker."""
    words: list[str] = []
    for token in re.split(r"[^A-Za-z0-9]+", model.lower()):
        family = token if token in MAKERS else token.rstrip("0123456789")
        if len(family) >= 3 and family not in _GENERIC and family[0].isalpha():
            words.append(family)
        words += MAKERS.get(family, ())
    return list(dict.fromkeys(words))


def names_itself(contestant: Contestant) -> str | None:
    """The first word of the answer that names its own model or maker, else None."""
    for word in identity(contestant.model):
        found = re.search(rf"\b{re.escape(word)}\b", contestant.answer, re.IGNORECASE)
        if found:
            return found.group(0)
    return None


def void_reason(contestants: Sequence[Contestant]) -> str:
    """Why the vote cannot count (an answer named its model or maker), or ""."""
    for contestant in contestants:
        word = names_itself(contestant)
        if word:
            return f"{contestant.label} named its model or maker (“{word}”)"
    return ""


def blind_order(models: Sequence[tuple[str, str]], rng: random.Random) -> list[tuple[str, str]]:
    """The round's models in a random order: which pane is which must not be guessable."""
    order = list(models)
    rng.shuffle(order)
    return order


# -- the leaderboard ---------------------------------------------------------------------------


def board_name(provider: str, model: str) -> str:
    """How the leaderboard names a model: the same model behind two providers is two rows."""
    return f"{model} ({provider})"


def key_of(contestant: Contestant) -> str:
    return board_name(contestant.provider, contestant.model)


def battles(votes: Iterable[StoredVote]) -> list[tuple[str, str, float]]:
    """Each vote as pairwise results (first, second, score of the first: 1, 0.5 or 0)."""
    found: list[tuple[str, str, float]] = []
    for vote in votes:
        names = [key_of(c) for c in vote.contestants]
        if vote.outcome == "win" and vote.winner is not None:
            winner = names[vote.winner]
            found += [(winner, other, 1.0) for i, other in enumerate(names) if i != vote.winner]
        elif vote.outcome in ("tie", "bad"):
            found += [(a, b, 0.5) for i, a in enumerate(names) for b in names[i + 1 :]]
    return found


def pairwise_data(
    results: Sequence[tuple[str, str, float]], models: Sequence[str]
) -> list[tuple[int, int]]:
    """LMArena's shape, as (winner, loser) indices: a decisive battle twice, a tie each way."""
    index = {model: i for i, model in enumerate(models)}
    data: list[tuple[int, int]] = []
    for first, second, score in results:
        a, b = index[first], index[second]
        if score == 1.0:
            data += [(a, b), (a, b)]
        elif score == 0.0:
            data += [(b, a), (b, a)]
        else:
            data += [(a, b), (b, a)]
    return data


def bradley_terry(
    n_items: int,
    data: Sequence[tuple[int, int]],
    alpha: float = ALPHA,
    tol: float = 1e-8,
    max_iter: int = 10_000,
) -> list[float]:
    """``choix.mm_pairwise(n_items, data, alpha=alpha)``: centred log-strengths."""
    wins = [0.0] * n_items
    pairs: Counter[tuple[int, int]] = Counter()
    for winner, loser in data:
        wins[winner] += 1.0
        pairs[(winner, loser)] += 1
    params = [0.0] * n_items
    previous: list[float] | None = None
    for _ in range(max_iter):
        mean = sum(params) / n_items
        weights = [math.exp(p - mean) for p in params]
        total = sum(weights)
        weights = [n_items * w / total for w in weights]
        denoms = [0.0] * n_items
        for (winner, loser), count in pairs.items():
            value = count / (weights[winner] + weights[loser])
            denoms[winner] += value
            denoms[loser] += value
        logs = [math.log((wins[i] + alpha) / (denoms[i] + alpha)) for i in range(n_items)]
        centre = sum(logs) / n_items
        params = [x - centre for x in logs]
        moved = None if previous is None else sum(map(abs, map(float.__sub__, previous, params)))
        if moved is not None and moved <= tol * n_items:
            return params
        previous = params
    raise RuntimeError(f"Did not converge after {max_iter} iterations")


def to_rating(param: float) -> float:
    return INIT + SCALE * param / math.log(BASE)


@dataclass
class Standing:
    model: str
    rating: float
    low: float
    high: float
    battles: int = 0
    wins: int = 0
    ties: int = 0
    losses: int = 0

    @property
    def win_rate(self) -> float:
        """Wins, and half of each tie, over battles."""
        return (self.wins + self.ties / 2) / self.battles if self.battles else 0.0


@dataclass
class Leaderboard:
    standings: list[Standing]
    head_to_head: dict[tuple[str, str], tuple[int, int, int]] = field(default_factory=dict)
    """(a, b) -> (a's wins, ties, b's wins), with a before b in the standings."""
    votes: int = 0
    void: int = 0


def judge_battles(verdicts: Iterable[dict[str, object]]) -> list[tuple[str, str, float]]:
    """A judge's verdicts as battles (its unclear ones count for nothing)."""
    score = {"a": 1.0, "b": 0.0, "tie": 0.5}
    found = []
    for verdict in verdicts:
        if verdict["outcome"] in score:
            a, b = (str(verdict[side]).partition(":") for side in ("a", "b"))
            found.append(
                (board_name(a[0], a[2]), board_name(b[0], b[2]), score[str(verdict["outcome"])])
            )
    return found


def leaderboard(
    votes: Sequence[StoredVote],
    rounds: int = BOOTSTRAP_ROUNDS,
    seed: int = 0,
    *,
    results: Sequence[tuple[str, str, float]] | None = None,
) -> Leaderboard:
    """Ratings best first, each with a 95 % interval from ``rounds`` bootstrap resamples of
    the battles (seeded: the same votes show the same board). ``results``: battles given
    directly (a judge's), instead of the votes'."""
    void = sum(1 for vote in votes if vote.outcome == "void")
    count = len(votes)
    if results is None:
        results = battles(votes)
    else:
        count = len(results)
    results = list(results)
    models = sorted({name for first, second, _ in results for name in (first, second)})
    if not models:
        return Leaderboard([], votes=count, void=void)
    params = bradley_terry(len(models), pairwise_data(results, models))
    rng = random.Random(seed)
    samples: list[list[float]] = [[] for _ in models]
    for _ in range(rounds):
        resampled = [results[rng.randrange(len(results))] for _ in results]
        boot = bradley_terry(len(models), pairwise_data(resampled, models), tol=1e-6)
        for i, value in enumerate(boot):
            samples[i].append(to_rating(value))
    standings = []
    for i, model in enumerate(models):
        ordered = sorted(samples[i])
        low = ordered[int(0.025 * (len(ordered) - 1))] if ordered else to_rating(params[i])
        high = ordered[math.ceil(0.975 * (len(ordered) - 1))] if ordered else low
        standings.append(Standing(model, to_rating(params[i]), low, high))
    by_model = {standing.model: standing for standing in standings}
    pairs: dict[tuple[str, str], list[int]] = {}
    for first, second, score in results:
        for name, result in ((first, score), (second, 1.0 - score)):
            standing = by_model[name]
            standing.battles += 1
            standing.wins += result == 1.0
            standing.ties += result == 0.5
            standing.losses += result == 0.0
        key, score_of_a = (
            ((first, second), score) if first < second else ((second, first), 1 - score)
        )
        tally = pairs.setdefault(key, [0, 0, 0])
        tally[{1.0: 0, 0.5: 1, 0.0: 2}[score_of_a]] += 1
    standings.sort(key=lambda s: (-s.rating, s.model))
    place = {standing.model: i for i, standing in enumerate(standings)}
    head_to_head = {}
    for (a, b), (a_won, ties, b_won) in pairs.items():
        if place[a] <= place[b]:
            head_to_head[(a, b)] = (a_won, ties, b_won)
        else:
            head_to_head[(b, a)] = (b_won, ties, a_won)
    return Leaderboard(standings, head_to_head, votes=count, void=void)


def leaderboard_csv(board: Leaderboard) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "rank",
            "model",
            "rating",
            "ci_low",
            "ci_high",
            "battles",
            "wins",
            "ties",
            "losses",
            "win_rate",
        ]
    )
    for rank, s in enumerate(board.standings, 1):
        writer.writerow(
            [
                rank,
                s.model,
                f"{s.rating:.1f}",
                f"{s.low:.1f}",
                f"{s.high:.1f}",
                s.battles,
                s.wins,
                s.ties,
                s.losses,
                f"{s.win_rate:.3f}",
            ]
        )
    return out.getvalue()
