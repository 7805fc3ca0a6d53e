"""Ollama's HTTP transport: pooled clients, and every failure said in Ollama's words.

One pooled ``httpx.AsyncClient`` per event loop serves the async API; the sync API has its own
``httpx.Client`` so it never touches a loop. Ollama reports a failure after streaming has begun as
an ``{"error": ...}`` line with HTTP 200, so every stream is checked line by line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from ..base import BaseProvider
from ..errors import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)
from ..http_clients import LoopClients
from ..streaming import aiter_json_batches, excerpt
from .settings import OllamaSettings
from .types import ModelInfo, parse_host

T = TypeVar("T")


def _content_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


class OllamaTransport(BaseProvider):
    """What every Ollama request goes through; the chat and the panel's calls build on it."""

    settings: OllamaSettings

    def __init__(self, *, name: str | None = None, **settings: Any) -> None:
        super().__init__(name=name, **settings)
        self.base_url = parse_host(self.settings.base_url)
        self._clients = LoopClients(lambda: httpx.AsyncClient(**self._client_options()))
        self._sync_client: httpx.Client | None = None
        self._shown: dict[str, ModelInfo] = {}
        """/api/show answers, one request per model, asked for on demand."""

    # -- transport ----------------------------------------------------------------------------

    def _client_options(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            # Loading the CA bundle costs ~20 ms on the first request; a plain-http Ollama
            # (the usual local case) never uses TLS, and redirects are not followed.
            "verify": self.base_url.startswith("https://"),
            "timeout": httpx.Timeout(self.settings.timeout, connect=min(self.settings.timeout, 5)),
            "headers": {"Accept": "application/json", **self.settings.headers},
        }

    @property
    def client(self) -> httpx.AsyncClient:
        """The pooled client of the running loop (a client cannot cross loops)."""
        return self._clients.get()

    @property
    def sync_client(self) -> httpx.Client:
        if self._sync_client is None or self._sync_client.is_closed:
            self._sync_client = httpx.Client(**self._client_options())
        return self._sync_client

    async def release_loop(self) -> None:
        await self._clients.release()

    async def aclose(self) -> None:
        await self._clients.aclose()
        if self._sync_client is not None:
            self._sync_client.close()

    def _connection_error(self, exc: httpx.TransportError, partial: str = "") -> ProviderError:
        if isinstance(exc, httpx.ConnectError):
            return ProviderConnectionError(
                f"Ollama is not running at {self.base_url}",
                provider=self.name,
                hint="start it with `ollama serve`, or set base_url / OLLAMA_HOST",
            )
        if isinstance(exc, httpx.TimeoutException):
            return ProviderConnectionError(
                f"Ollama at {self.base_url} did not answer within {self.settings.timeout:g} s",
                provider=self.name,
                partial_text=partial,
                hint="the model may still be loading; try again or raise timeout",
            )
        if isinstance(exc, httpx.RemoteProtocolError) and "peer closed" not in str(exc):
            return ProviderConnectionError(
                f"Ollama at {self.base_url} sent a response that is not valid HTTP: {exc}",
                provider=self.name,
                partial_text=partial,
                hint="check base_url: is an Ollama server listening there?",
            )
        return ProviderConnectionError(
            f"connection to Ollama at {self.base_url} was cut ({type(exc).__name__})",
            provider=self.name,
            partial_text=partial,
        )

    def _status_error(
        self, response: httpx.Response, model: str | None = None, pull_hint: bool = True
    ) -> ProviderError:
        """An HTTP error in Ollama's words. A 404 suggests a pull only where a pull is the fix
        (chat, pull); a model missing from show, copy or delete is not one to download."""
        status = response.status_code
        message = self._words(response)
        if status == 404:
            if pull_hint and model:
                hint = f"run `ollama pull {model}`"
            else:
                hint = "it is not on this server: r asks it again for its models"
            return ModelNotFoundError(message, model=model, provider=self.name, hint=hint)
        if status in (401, 403):
            return AuthenticationError(message, provider=self.name, status_code=status)
        if status == 429:
            return RateLimitError(message, provider=self.name, status_code=status)
        hint = "check the Ollama server log" if status >= 500 else ""
        return ProviderError(message, provider=self.name, status_code=status, hint=hint)

    def _words(self, response: httpx.Response) -> str:
        """What the server said: Ollama's ``{"error": ...}``, else a short quote, never a page."""
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        if _content_type(response) == "text/html":
            return f"HTTP {response.status_code} with a web page, not Ollama's JSON"
        return (
            excerpt(response.text.strip(), 80)
            if response.text.strip()
            else (f"HTTP {response.status_code}")
        )

    def _not_ollama(self, response: httpx.Response) -> ProviderError:
        kind = _content_type(response) or "no content type"
        return ProviderError(
            f"{self.base_url} answered with {kind}, not Ollama's JSON: "
            f"{excerpt(response.text.strip(), 60)}",
            provider=self.name,
            hint="check base_url (or OLLAMA_HOST): is an Ollama server listening there?",
        )

    async def _request(
        self, method: str, path: str, model: str | None = None, pull_hint: bool = True, **kw: Any
    ) -> dict[str, Any]:
        try:
            response = await self.client.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from None
        if response.status_code >= 400:
            raise self._status_error(response, model, pull_hint)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise self._not_ollama(response)
        return data

    def _parsed(self, parse: Callable[[], T], what: str) -> T:
        """A reply checked against its shape: one Ollama would not send is an error, named."""
        try:
            return parse()
        except (ValidationError, TypeError, AttributeError) as exc:
            raise ProviderError(
                f"{self.base_url} sent {what} Ollama would not send ({type(exc).__name__})",
                provider=self.name,
                hint="check base_url (or OLLAMA_HOST), and the server's version",
            ) from None

    @asynccontextmanager
    async def _stream_batches(
        self, path: str, payload: dict[str, Any], model: str | None, timeout: Any = None
    ) -> AsyncIterator[AsyncIterator[list[dict[str, Any]]]]:
        kw = {"timeout": timeout} if timeout is not None else {}
        try:
            async with self.client.stream("POST", path, json=payload, **kw) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise self._status_error(response, model)
                if _content_type(response) == "text/html":
                    await response.aread()
                    raise self._not_ollama(response)
                yield aiter_json_batches(response.aiter_text(), provider=self.name)
        except httpx.TransportError as exc:
            raise self._connection_error(exc) from None
