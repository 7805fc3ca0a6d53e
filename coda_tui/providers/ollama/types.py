"""What Ollama's management API returns, and how Ollama itself reads OLLAMA_HOST."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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


FOREVER = timedelta(days=365)
"""Ollama keeps a model pinned with keep_alive -1 for ~292 years: past a year it is "forever"."""

KeepAlive = str | int
"""Ollama's keep_alive: seconds (a negative number keeps the model loaded) or a Go duration."""


def full_name(name: str) -> str:
    """Ollama's names default to the ``latest`` tag: ``llama3`` is ``llama3:latest``."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


_GO_DURATION = re.compile(r"[-+]?(0|((\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h))+)")


def checked_keep_alive(value: KeepAlive) -> KeepAlive:
    """A keep_alive Ollama accepts: whole seconds, or a Go duration (``30m``, ``1h30m``, ``-1m``).
    A string such as ``"-1"`` or ``"forever"`` would make Ollama refuse every chat."""
    if isinstance(value, str) and not _GO_DURATION.fullmatch(value.strip()):
        raise ValueError(
            f"{value!r} is not a duration Ollama reads: use seconds as a number (-1 keeps the "
            'model loaded, 0 unloads it at once) or a duration such as "30m" or "1h"'
        )
    return value


def keeps_forever(value: KeepAlive | None) -> bool:
    """A negative keep_alive (a number, or a duration such as ``-1m``) pins the model."""
    if isinstance(value, int):
        return value < 0
    return value is not None and value.strip().startswith("-")


def keep_alive_text(value: KeepAlive | None) -> str:
    """How a keep_alive reads in the panel: ``forever``, ``unload at once``, ``30m``."""
    if value is None:
        return "server default"
    if keeps_forever(value):
        return "forever"
    if isinstance(value, int):
        return "unload at once" if value == 0 else f"{value}s"
    text = value.strip()
    return "unload at once" if text in ("0", "0s") else text


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

    @property
    def size_cpu(self) -> int:
        """What did not fit in GPU memory and runs from system memory."""
        return max(self.size - self.size_vram, 0)

    @property
    def cpu_percent(self) -> int:
        """The share offloaded to the CPU, as ``ollama ps`` rounds it (its PROCESSOR column)."""
        return round(self.size_cpu * 100 / self.size) if self.size else 0

    def processor(self) -> str:
        """``100% GPU``, ``100% CPU`` or ``27%/73% CPU/GPU``, in ``ollama ps``'s words."""
        cpu = self.cpu_percent
        if cpu == 0:
            return "100% GPU"
        if cpu == 100:
            return "100% CPU"
        return f"{cpu}%/{100 - cpu}% CPU/GPU"

    def remaining(self, now: datetime | None = None) -> timedelta | None:
        """Time until Ollama unloads it; None when it stays (pinned) or the server did not say."""
        if self.expires_at is None:
            return None
        left = self.expires_at - (now or datetime.now(UTC))
        return None if left > FOREVER else max(left, timedelta(0))

    @property
    def pinned(self) -> bool:
        return self.expires_at is not None and self.remaining() is None


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
