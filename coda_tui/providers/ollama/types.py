"""What Ollama's management API returns, and how Ollama itself reads OLLAMA_HOST."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PORT = 11434
DEFAULT_URL = f"http://localhost:{DEFAULT_PORT}"


def parse_host(host: str | None) -> str:
    """A base URL from OLLAMA_HOST-style text, by Ollama's own rules.

    A bare host gets ``http`` and port 11434 (``box`` -> ``http://box:11434``, ``:8080`` ->
    ``http://localhost:8080``); an explicit scheme without a port gets that scheme's port;
    a trailing slash is dropped and a path is kept.
    """
    text = (host or "").strip()
    if not text:
        return DEFAULT_URL
    has_scheme = "://" in text
    parts = urlsplit(text if has_scheme else f"http://{text}")
    scheme = parts.scheme or "http"
    hostname = parts.hostname or "localhost"
    if ":" in hostname:  # IPv6 literals keep their brackets
        hostname = f"[{hostname}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = (443 if scheme == "https" else 80) if has_scheme else DEFAULT_PORT
    path = parts.path.rstrip("/")
    return f"{scheme}://{hostname}:{port}{path}"


class _Loose(BaseModel):
    """Ollama adds fields between versions; unknown ones are kept, never rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ModelDetails(_Loose):
    parent_model: str | None = None
    format: str | None = None
    family: str | None = None
    families: list[str] | None = None
    parameter_size: str | None = None
    quantization_level: str | None = None


class PullProgress(_Loose):
    """One line of a pull: a status, and bytes for the layer being downloaded."""

    status: str = ""
    digest: str | None = None
    total: int | None = None
    completed: int | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min((self.completed or 0) / self.total, 1.0)

    @property
    def done(self) -> bool:
        return self.status == "success"


class RunningModel(_Loose):
    """A model loaded in memory (GET /api/ps)."""

    name: str
    model: str | None = None
    size: int = 0
    size_vram: int = 0
    digest: str | None = None
    details: ModelDetails = Field(default_factory=ModelDetails)
    expires_at: datetime | None = None
    context_length: int | None = None


class ModelInfo(_Loose):
    """Everything POST /api/show tells about one model."""

    name: str = ""
    modelfile: str = ""
    parameters: str = ""
    template: str = ""
    system: str = ""
    license: str = ""
    details: ModelDetails = Field(default_factory=ModelDetails)
    model_info: dict[str, Any] = Field(default_factory=dict)
    capabilities: list[str] = Field(default_factory=list)
    modified_at: datetime | None = None

    @property
    def context_length(self) -> int | None:
        """``<arch>.context_length`` from model_info, where ``arch`` is general.architecture."""
        arch = self.model_info.get("general.architecture")
        value = self.model_info.get(f"{arch}.context_length") if arch else None
        if value is None:  # some models name the key without the architecture we expect
            value = next(
                (v for k, v in self.model_info.items() if k.endswith(".context_length")), None
            )
        return int(value) if isinstance(value, int | float) else None
