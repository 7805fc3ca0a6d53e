"""The keys a ``[providers.NAME]`` section of this type may have (checked at load)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.schema import ProviderSettings


class MockSettings(ProviderSettings):
    """The offline provider: deterministic replies for demos, tests and benchmarks."""

    type: Literal["mock"] = "mock"
    model: str | None = "mock-1"
    mode: Literal["context", "echo"] = "context"
    """`context` answers from the conversation; `echo` repeats the last user message."""
    reply: str | None = None
    """A fixed reply, sent whatever the prompt."""
    delay: float = Field(default=0.02, ge=0)
    """Seconds between streamed chunks."""
    first_token_delay: float = Field(default=0.0, ge=0)
    chunk_words: int = Field(default=1, ge=1)
    fail_after: int | None = Field(default=None, ge=0)
    """Cut the stream with a connection error after this many chunks."""
    tool_call: str | None = None
    """Call this tool (when offered) instead of answering."""
