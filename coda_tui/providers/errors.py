"""Provider errors: each one says what went wrong and what the user can do next.

The UI shows ``str(error)`` inline, so a message must be readable on its own and must never carry a
secret. ``hint`` is the fix ("run `ollama pull llama3`"), kept apart so the UI can style it.
"""

from __future__ import annotations


class ProviderError(Exception):
    """Base of every error a provider raises; the UI catches this one type."""

    default_hint: str = ""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.hint = self.default_hint if hint is None else hint
        self.provider = provider
        self.status_code = status_code

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        suffix = f" — {self.hint}" if self.hint else ""
        return f"{prefix}{self.message}{suffix}"


class ConfigurationError(ProviderError):
    """The provider's settings are missing or invalid; nothing was sent."""

    default_hint = "check the provider's section in your coda config"


class ModelNotFoundError(ProviderError):
    """The server does not know the model the user asked for."""

    def __init__(
        self,
        message: str,
        *,
        model: str | None = None,
        hint: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint, provider=provider, status_code=status_code)
        self.model = model


class AuthenticationError(ProviderError):
    """Bad or missing credentials (HTTP 401/403)."""

    default_hint = "check the API key or credentials for this provider"


class RateLimitError(ProviderError):
    """The provider asked us to slow down (HTTP 429)."""

    default_hint = "wait a moment and try again"

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        hint: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint, provider=provider, status_code=status_code)
        self.retry_after = retry_after


class ProviderConnectionError(ProviderError):
    """Unreachable server, timeout or a stream cut mid-way.

    ``partial_text`` keeps what arrived before the cut, so the user's answer is not lost.
    """

    default_hint = "check that the server is running and reachable"

    def __init__(
        self,
        message: str,
        *,
        partial_text: str = "",
        hint: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint, provider=provider, status_code=status_code)
        self.partial_text = partial_text


class ToolsNotSupportedError(ProviderError):
    """The chosen model cannot call tools."""

    default_hint = "choose a model with tool support or send the request without tools"


class ImagesNotSupportedError(ProviderError):
    """The chosen model (or its API) takes no images."""

    default_hint = "choose a model that takes images, or send the message without them"


class StreamDecodeError(ProviderError):
    """A line or event from the server could not be understood."""

    default_hint = "the server sent something that is not its documented protocol"
