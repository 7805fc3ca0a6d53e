"""The config schema: strict, so a typo in a key is an error naming the key, not a silent no-op.

Every ``[providers.NAME]`` section is one provider instance. Its ``type`` says which provider class
serves it and defaults to NAME, so ``[providers.ollama]`` needs no type while
``[providers.groq]`` says ``type = "litellm"``. String values may be ``${VAR}`` or
``${VAR:-default}`` references, resolved when a provider is created, never written back resolved.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

PROVIDER_TYPES = ("litellm", "mock", "ollama", "oci_genai")


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


SETTINGS_BY_TYPE: dict[str, type[ProviderSettings]] = {
    "mock": MockSettings,
    "ollama": OllamaSettings,
    "litellm": LiteLLMSettings,
    "oci_genai": OCIGenAISettings,
}

ProviderSection = Annotated[
    MockSettings | OllamaSettings | LiteLLMSettings | OCIGenAISettings,
    Field(discriminator="type"),
]


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


class CodaConfig(StrictModel):
    defaults: DefaultsSection = Field(default_factory=DefaultsSection)
    compare: CompareSection = Field(default_factory=CompareSection)
    ui: UISection = Field(default_factory=UISection)
    history: HistorySection = Field(default_factory=HistorySection)
    litellm: LiteLLMSection = Field(default_factory=LiteLLMSection)
    providers: dict[str, ProviderSection] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _type_from_section_name(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("providers"), dict):
            return data
        providers = {}
        for name, section in data["providers"].items():
            if isinstance(section, dict) and "type" not in section:
                section = {"type": name, **section}
            providers[name] = section
        return {**data, "providers": providers}
