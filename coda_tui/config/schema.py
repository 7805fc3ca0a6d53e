"""The config schema: strict, so a typo in a key is an error naming the key, not a silent no-op.

Every ``[providers.NAME]`` section is one provider instance. Its ``type`` says which provider class
serves it and defaults to NAME, so ``[providers.ollama]`` needs no type while
``[providers.groq]`` says ``type = "litellm"``. The keys a section may have belong to its provider
(each provider package owns a ``Settings`` model, see ``providers.spec``); config knows only what
every section shares, and checks the rest against what it is given (``SectionTypes``). String
values may be ``${VAR}`` or ``${VAR:-default}`` references, resolved when a provider is created,
never written back resolved.
"""

from __future__ import annotations

from typing import Protocol
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, model_validator


def check_address(value: str | None, *, scheme_required: bool = False) -> str | None:
    """A server address a connection can be made to, or a ValueError saying what is wrong
    ("not a url" became http://not a url:11434, reported as "not running"). A ``${VAR}``
    reference is checked once resolved."""
    if value is None or "${" in value or not value.strip():
        return value
    text = value.strip()
    if any(char.isspace() for char in text):
        raise ValueError(f"{text!r} is not an address (it has spaces)")
    has_scheme = "://" in text
    if scheme_required and not has_scheme:
        raise ValueError(f"{text!r} needs its scheme, e.g. http://{text}")
    parts = urlsplit(text if has_scheme else f"http://{text}")
    if parts.scheme not in ("http", "https"):
        raise ValueError(f"{text!r}: the scheme must be http or https")
    if not parts.hostname and not text.startswith(":"):
        raise ValueError(f"{text!r} names no host")
    try:
        parts.port  # noqa: B018 - urllib checks the port when it is read
    except ValueError:
        raise ValueError(f"{text!r}: the port must be a number from 1 to 65535") from None
    return value


class StrictModel(BaseModel):
    # Field docstrings are read by config.keys when the settings screen asks, not here:
    # pydantic's use_attribute_docstrings reads the source at import, ~40 ms of every start.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ProviderSettings(StrictModel):
    """Settings every provider understands."""

    type: str = "custom"
    """Which provider class serves this section; defaults to the section's name."""
    model: str | None = None
    """The model used when a request names none."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """0 to 2; unset leaves it to [defaults] or the model."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Longest answer, in tokens."""
    top_p: float | None = Field(default=None, ge=0, le=1)
    """Nucleus sampling, 0 to 1."""
    timeout: float = Field(default=60.0, gt=0)
    """Seconds to wait for the server before giving up."""


class DefaultsSection(StrictModel):
    """What a new chat starts with; temperature and friends apply to every provider."""

    provider: str = "mock"
    """The provider a new chat uses: a [providers.NAME] section or a type."""
    model: str | None = None
    """Used with the default provider when its section names no model."""
    system_prompt: str | None = None
    """Sent first in every new chat."""
    temperature: float | None = Field(default=None, ge=0, le=2)
    """0 to 2; unset leaves it to the model."""
    max_tokens: int | None = Field(default=None, gt=0)
    """Longest answer, in tokens."""
    top_p: float | None = Field(default=None, ge=0, le=1)
    """Nucleus sampling, 0 to 1."""
    timeout: float | None = Field(default=None, gt=0)
    """Seconds to wait for a provider, for every provider without its own."""


class UISection(StrictModel):
    theme: str = "textual-dark"
    """A Textual theme name (Ctrl+P, "theme" lists them)."""
    keymap: dict[str, str] = Field(default_factory=dict)
    """Binding id -> keys, e.g. send = "ctrl+s"."""


class HistorySection(StrictModel):
    path: str | None = None
    """The chat database; default is history.sqlite3 in the user data directory."""
    enabled: bool = True
    """Save chats; false keeps nothing on disk."""


class LiteLLMSection(StrictModel):
    remote_price_map: bool = False
    """Fetch litellm's model price map from the network at import (slow when offline)."""


class ComparePane(StrictModel):
    provider: str
    model: str | None = None


class CompareSection(StrictModel):
    panes: list[ComparePane] = Field(
        default_factory=lambda: [
            ComparePane(provider="mock"),
            ComparePane(provider="mock", model="mock-priced"),
        ],
        min_length=1,
        max_length=4,
    )
    """The providers and models a new comparison starts with (one to four). Unset: the
    default provider beside the first other one set up (two Mock models when none is)."""
    blind: bool = False
    """Start compare as a blind arena: panes in a random order, named A, B… until you vote
    (Ctrl+R switches)."""


class McpServer(StrictModel):
    """One MCP server: a command to start (stdio) or an address (streamable HTTP)."""

    command: str | None = None
    """The program that serves MCP on its stdin and stdout (``npx``, ``uvx``, a path)."""
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    """Added to the server's environment; values may be ``${VAR}`` (never written resolved)."""
    cwd: str | None = None
    url: str | None = None
    """A streamable HTTP endpoint, e.g. http://127.0.0.1:8000/mcp."""
    headers: dict[str, str] = Field(default_factory=dict)
    """Sent with every request to ``url``; a secret belongs in ``${VAR}``."""
    enabled: bool = True
    """Offered to the model in every chat (the Tools mode turns it off or on)."""
    allow: list[str] = Field(default_factory=list)
    """Tools of this server that run without asking (by their own name); others ask first."""
    timeout: float = Field(default=30.0, gt=0)
    """Seconds a tool may run before the model is told it timed out."""

    @model_validator(mode="after")
    def _one_transport(self) -> McpServer:
        if (self.command is None) == (self.url is None):
            raise ValueError("an MCP server has either command (stdio) or url (HTTP)")
        if self.url is not None:
            check_address(self.url, scheme_required=True)
        return self


class McpSection(StrictModel):
    servers: dict[str, McpServer] = Field(default_factory=dict)
    """``[mcp.servers.NAME]``: each a server whose tools a model may call, when you allow it."""
    max_rounds: int = Field(default=8, ge=1, le=50)
    """Tool calls and answers a model may go through for one prompt before it must answer."""


class CodaConfig(StrictModel):
    defaults: DefaultsSection = Field(default_factory=DefaultsSection)
    compare: CompareSection = Field(default_factory=CompareSection)
    ui: UISection = Field(default_factory=UISection)
    history: HistorySection = Field(default_factory=HistorySection)
    litellm: LiteLLMSection = Field(default_factory=LiteLLMSection)
    mcp: McpSection = Field(default_factory=McpSection)
    providers: dict[str, ProviderSettings] = Field(default_factory=dict)
    """Each section as its provider's ``Settings`` (built by ``config.validate``, not here)."""


class OpenSection(ProviderSettings):
    """A section read with no provider to check it against (tools that only read the files):
    its keys are kept as written. Loaded for use, sections are checked by their own provider."""

    model_config = ConfigDict(extra="allow", validate_assignment=True)


class SectionTypes(Protocol):
    """Which ``Settings`` model checks a section of each type: the provider registry, passed
    in from above (config never imports the providers)."""

    def settings_class(self, type_name: str) -> type[ProviderSettings] | None: ...

    def known_types(self) -> list[str]: ...
