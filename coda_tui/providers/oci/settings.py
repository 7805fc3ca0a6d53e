"""The keys a ``[providers.NAME]`` section of this type may have (checked at load)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...config.schema import ProviderSettings


class OCIGenAISettings(ProviderSettings):
    type: Literal["oci_genai"] = "oci_genai"
    model: str | None = "meta.llama-3.3-70b-instruct"
    config_file: str = "~/.oci/config"
    """Else OCI_CLI_CONFIG_FILE."""
    profile: str = "DEFAULT"
    """Else OCI_CLI_PROFILE."""
    compartment_id: str | None = None
    """Else OCI_COMPARTMENT_ID."""
    region: str | None = None
    """Overrides the profile's region."""
    endpoint: str | None = None
    """The inference endpoint, for dedicated or private endpoints; else derived from region."""
    models_cache_ttl: float = Field(default=86_400.0, ge=0)
    """Seconds a listed model catalogue stays on disk before it is asked again."""
    max_attempts: int = Field(default=3, ge=1)
    """Tries per call on 429/5xx/connection errors (streams are never retried)."""
