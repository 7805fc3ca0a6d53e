"""What went wrong on the LiteLLM provider's two roads, in our words: a server's own message
made safe to show, the fix that names the variable really in use, a cut told from a refusal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import httpx

from ..errors import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)
from ..streaming import excerpt
from .shapes import is_transport, plain_message, provider_of, retry_after

if TYPE_CHECKING:
    from .provider import LiteLLMProvider


def auth_error(provider: LiteLLMProvider, model: str, status: int | None) -> AuthenticationError:
    """Names the variable the key really comes from: the section's own reference, else the
    vendor's; a server at a custom address gets no vendor key, so it names none."""
    variable = provider.key_reference or (
        None if provider.settings.api_base else provider._key_variable(model)
    )
    if variable:
        hint = f'set {variable} to a valid key, or api_key = "${{{variable}}}" in config'
    elif provider.settings.api_key is not None:
        hint = f"check the api_key of [providers.{provider.name}]"
    else:
        hint = (
            f'this server wants a key: api_key = "${{YOUR_SERVER_KEY}}" in '
            f"[providers.{provider.name}], and export YOUR_SERVER_KEY"
        )
    return AuthenticationError(
        f"the API key was rejected (HTTP {status})" if status else "no API key is set",
        provider=provider.name,
        status_code=status or 401,
        hint=hint,
    )


def not_found(provider: LiteLLMProvider, model: str, message: str) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"model {model!r} not found: {message}",
        model=model,
        provider=provider.name,
        status_code=404,
        hint="check the model name (Ctrl+O lists the models each provider offers)",
    )


def rate_limited(provider: LiteLLMProvider, message: str, seconds: float | None) -> RateLimitError:
    wait = f"wait {seconds:g} s and try again" if seconds else None
    return RateLimitError(
        message, retry_after=seconds, provider=provider.name, status_code=429, hint=wait
    )


def transport_error(
    provider: LiteLLMProvider, exc: httpx.TransportError, model: str, partial: str = ""
) -> ProviderConnectionError:
    """Refused or unresolvable: not reached. Anything later: a timeout, or a cut."""
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return unreachable(provider, model, f"{type(exc).__name__}: {exc}")
    where = provider.settings.api_base or provider_of(model)
    if isinstance(exc, httpx.TimeoutException):
        message = f"{where} did not answer within {provider.settings.timeout:g} s"
    else:
        message = f"the connection to {where} was cut ({type(exc).__name__})"
    return ProviderConnectionError(message, provider=provider.name, partial_text=partial)


def unreachable(provider: LiteLLMProvider, model: str, message: str) -> ProviderConnectionError:
    where = provider.settings.api_base or provider_of(model)
    return ProviderConnectionError(f"could not reach {where}: {message}", provider=provider.name)


def server_words(provider: LiteLLMProvider, response: httpx.Response) -> str:
    """What an OpenAI-compatible server said in an error response, made safe to show."""
    try:
        error = response.json().get("error")
    except (ValueError, AttributeError):
        error = None
    if isinstance(error, dict):
        error = error.get("message")
    return plain_message(scrub(provider, str(error or excerpt(response.text or ""))))


def status_error(provider: LiteLLMProvider, response: httpx.Response, model: str) -> ProviderError:
    """An HTTP error from an OpenAI-compatible server, with the server's own words."""
    status = response.status_code
    message = server_words(provider, response)
    if status in (401, 403):
        return auth_error(provider, model, status)
    if status == 404:
        return not_found(provider, model, message)
    if status == 429:
        return rate_limited(provider, message, retry_after(response))
    return ProviderError(f"HTTP {status}: {message}", provider=provider.name, status_code=status)


def error(provider: LiteLLMProvider, exc: Exception, model: str, partial: str) -> ProviderError:
    """litellm's exceptions (subclasses of the openai SDK's) in our terms."""
    import openai

    message = plain_message(scrub(provider, str(getattr(exc, "message", None) or exc)))
    missing_key = isinstance(exc, openai.OpenAIError) and "api_key" in message
    if isinstance(exc, openai.AuthenticationError) or missing_key:
        return auth_error(provider, model, getattr(exc, "status_code", 401))
    if isinstance(exc, openai.NotFoundError):
        return not_found(provider, model, message)
    if isinstance(exc, openai.RateLimitError):
        return rate_limited(provider, message, retry_after(exc))
    litellm = sys.modules.get("litellm")
    cut = getattr(litellm, "MidStreamFallbackError", ())  # raised when a stream breaks
    if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, cut)) or (
        is_transport(exc)
    ):
        if partial or isinstance(exc, cut):  # it had answered: reached, then cut
            where = provider.settings.api_base or provider_of(model)
            return ProviderConnectionError(
                f"the connection to {where} was cut mid-answer: {message}",
                provider=provider.name,
                partial_text=partial,
            )
        error = unreachable(provider, model, message)
        error.partial_text = partial
        return error
    return ProviderError(
        message, provider=provider.name, status_code=getattr(exc, "status_code", None)
    )


def scrub(provider: LiteLLMProvider, text: str) -> str:
    """A server may quote the key back: never let it reach the screen or a log."""
    key = provider.settings.api_key.get_secret_value() if provider.settings.api_key else ""
    return text.replace(key, "***") if key else text
