"""A judge model that compares two answers to one prompt by a rubric you can edit.

Its verdicts are kept apart from your votes (their own table) and make their own leaderboard:
a model judging others is a second opinion, not yours. The two answers are shown to the judge
in a random order (judges favour a position) and its verdict is mapped back.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from ..providers import Message, ProviderError, ProviderFactory
from .prompt_sets import CaseResult, Target

DEFAULT_RUBRIC = """Judge which answer serves the user better.
- Correct: no false statements; code that would run.
- Complete: it answers every part of the prompt.
- Clear and concise: no padding, no needless hedging.
Ignore length unless it hurts clarity. Do not favour an answer for being first."""

_ASK = """{rubric}

The user's prompt:
<prompt>
{prompt}
</prompt>

Answer 1:
<answer>
{first}
</answer>

Answer 2:
<answer>
{second}
</answer>

Give one or two sentences of reasons, then a last line that is exactly one of:
VERDICT: 1
VERDICT: 2
VERDICT: TIE"""

_VERDICT = re.compile(r"VERDICT:\s*(1|2|TIE)\b", re.IGNORECASE)


@dataclass
class Verdict:
    prompt_id: str
    a: Target
    b: Target
    outcome: str
    """a, b, tie, or unclear (the judge gave no verdict line: its text is the reason)."""
    reason: str


def judge_prompt(rubric: str, prompt: str, first: str, second: str) -> str:
    return _ASK.format(rubric=rubric.strip(), prompt=prompt, first=first, second=second)


def read_verdict(text: str) -> str:
    """ "1", "2", "tie", or "" when the judge's last verdict line is missing."""
    found = _VERDICT.findall(text)
    return found[-1].lower() if found else ""


async def judge_pair(
    factory: ProviderFactory,
    judge: Target,
    rubric: str,
    a: CaseResult,
    b: CaseResult,
    rng: random.Random,
) -> Verdict:
    """The judge's verdict on ``a`` against ``b`` (the same prompt)."""
    swapped = rng.random() < 0.5
    first, second = (b, a) if swapped else (a, b)
    ask = judge_prompt(rubric, a.case.text, first.answer, second.answer)
    try:
        provider = factory.create(judge.provider)
        reply = await provider.achat([Message(role="user", content=ask)], model=judge.model)
        text = reply.content or ""
    except ProviderError as error:
        return Verdict(a.case.id, a.target, b.target, "unclear", f"the judge failed: {error}")
    said = read_verdict(text)
    outcome = {"tie": "tie", "": "unclear"}.get(said)
    if outcome is None:
        picked_first = said == "1"
        outcome = "a" if picked_first != swapped else "b"
    reason = _VERDICT.sub("", text).strip()[:500]
    return Verdict(a.case.id, a.target, b.target, outcome, reason)
