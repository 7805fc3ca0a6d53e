"""Live figures for one streamed answer: time to first token, speed, tokens and cost."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from ..providers import ChatCompletionChunk, Pricing, Usage

monotonic = time.monotonic  # replaced by snapshot tests, which need a still clock


ENDED_EARLY = {
    "error": "failed",
    "stopped": "stopped",
    "length": "cut at max tokens",
    "interrupted": "interrupted",
}
"""The word beside an answer's figures when it did not complete, by its turn's status."""


MIN_SPEED_SPAN = 0.2
"""Seconds of streaming below which no tokens/s is shown."""


def format_cost(cost: float) -> str:
    """Dollars with two significant digits at least: a short answer costs thousandths of a
    cent, and at a fixed four decimals two models' costs both read $0.0000."""
    if cost <= 0:
        return "$0"
    decimals = min(max(4, 1 - math.floor(math.log10(cost))), 10)
    return f"${cost:.{decimals}f}"


@dataclass
class StreamMetrics:
    pricing: Pricing | None = None
    started: float = field(default_factory=lambda: monotonic())
    first_token: float | None = None
    finished: float | None = None
    characters: int = 0
    usage: Usage | None = None
    away: float = 0.0
    """Seconds spent outside the model (a tool call waiting for you, a tool running): not
    part of its speed or its time."""
    _earlier: Usage | None = None  # the tool rounds before this one

    def on_chunk(self, chunk: ChatCompletionChunk) -> None:
        text = chunk.content
        if (text or chunk.tool_calls) and self.first_token is None:
            self.first_token = monotonic()
        self.characters += len(text)
        if chunk.usage is not None:
            self.usage = _added(self._earlier, chunk.usage)

    @staticmethod
    def now() -> float:
        """The clock these figures use (a test can stop it)."""
        return monotonic()

    def next_round(self, away: float) -> None:
        """A tool round ended after ``away`` seconds outside the model; another request goes."""
        self.away += away
        self._earlier = self.usage

    def finish(self) -> None:
        self.finished = monotonic()

    @property
    def ttft(self) -> float | None:
        return None if self.first_token is None else self.first_token - self.started

    @property
    def output_tokens(self) -> int:
        """From the provider's usage when it sent one, else about four characters a token."""
        if self.usage is not None and self.usage.completion_tokens:
            return self.usage.completion_tokens
        return round(self.characters / 4)

    @property
    def estimated(self) -> bool:
        return self.usage is None or not self.usage.completion_tokens

    @property
    def tokens_per_second(self) -> float | None:
        if self.first_token is None:
            return None
        end = self.finished if self.finished is not None else monotonic()
        elapsed = end - self.first_token - self.away
        # An answer that came in one read has no speed to tell: 1,000 tokens over a
        # millisecond read as a million tokens a second.
        return self.output_tokens / elapsed if elapsed >= MIN_SPEED_SPAN else None

    @property
    def total_seconds(self) -> float:
        end = self.finished if self.finished is not None else monotonic()
        return end - self.started - self.away

    @property
    def cost(self) -> float | None:
        if self.pricing is None or self.usage is None:
            return None
        return self.pricing.cost(self.usage)

    def summary(self) -> str:
        parts = []
        if self.ttft is not None:
            parts.append(f"TTFT {self.ttft:.2f} s")
        speed = self.tokens_per_second
        if speed is not None:
            parts.append(f"{speed:.0f} tok/s")
        approx = "~" if self.estimated else ""
        parts.append(f"{approx}{self.output_tokens} tokens")
        if self.cost is not None:
            parts.append(format_cost(self.cost))
        return " · ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ttft_s": self.ttft,
            "tokens_per_second": self.tokens_per_second,
            "output_tokens": self.output_tokens,
            "total_s": self.total_seconds,
            "cost": self.cost,
        }


def _added(earlier: Usage | None, usage: Usage) -> Usage:
    if earlier is None:
        return usage
    return Usage(
        prompt_tokens=earlier.prompt_tokens + usage.prompt_tokens,
        completion_tokens=earlier.completion_tokens + usage.completion_tokens,
        total_tokens=earlier.total_tokens + usage.total_tokens,
    )
