"""The keys a ``[providers.NAME]`` section of this type may have (checked at load)."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field, field_validator

from ...config.schema import ProviderSettings, check_address
from .types import checked_keep_alive, full_name


class OllamaSettings(ProviderSettings):
    type: Literal["ollama"] = "ollama"
    base_url: str | None = Field(default=None, validation_alias=AliasChoices("base_url", "host"))
    """Server address; else OLLAMA_HOST, else http://localhost:11434."""
    keep_alive: str | int | None = None
    """How long Ollama keeps the model loaded after a chat ("5m", 0 unloads at once)."""
    model_keep_alive: dict[str, str | int] = Field(default_factory=dict)
    """Per model (``"llama3.2:latest" = -1`` pins it): what a chat sends when it loads that one."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers, e.g. for a proxy in front of Ollama."""

    def keep_alive_for(self, model: str) -> str | int | None:
        """The model's own keep_alive, else the server-wide one, else Ollama's default."""
        for name in (model, full_name(model)):
            if name in self.model_keep_alive:
                return self.model_keep_alive[name]
        return self.keep_alive

    @field_validator("keep_alive")
    @classmethod
    def _a_keep_alive(cls, value: str | int | None) -> str | int | None:
        return None if value is None else checked_keep_alive(value)

    @field_validator("model_keep_alive")
    @classmethod
    def _keep_alives(cls, value: dict[str, str | int]) -> dict[str, str | int]:
        return {model: checked_keep_alive(keep) for model, keep in value.items()}

    @field_validator("base_url")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        return check_address(value)
