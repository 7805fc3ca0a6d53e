"""The keys a ``[providers.NAME]`` section of this type may have (checked at load)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from ...config.schema import ProviderSettings, check_address


class LiteLLMSettings(ProviderSettings):
    type: Literal["litellm"] = "litellm"
    api_key: SecretStr | None = None
    """Write a reference such as "${OPENAI_API_KEY}"; raw keys are never saved."""
    api_base: str | None = None
    """An OpenAI-compatible server's URL, e.g. http://localhost:8000/v1."""
    api_version: str | None = None
    """Azure OpenAI's API version."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Extra HTTP headers sent with every request."""

    @field_validator("api_base")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        return check_address(value, scheme_required=True)
