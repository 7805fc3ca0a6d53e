"""The keys a ``[providers.NAME]`` section of this type may have (checked at load)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from ...config.schema import ProviderSettings, check_address


class OllamaSettings(ProviderSettings):
    type: Literal["ollama"] = "ollama"
    base_url: str | None = Field(default=None, validation_alias=AliasChoices("base_url", "host"))
    """Server address; else OLLAMA_HOST, else http://localhost:11434."""
    keep_alive: str | int | None = None
    """How long Ollama keeps the model loaded after a chat ("5m", 0 unloads at once)."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers, e.g. for a proxy in front of Ollama."""

    @field_validator("base_url")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        return check_address(value)
