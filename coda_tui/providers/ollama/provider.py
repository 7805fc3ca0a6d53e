"""Ollama: chat over POST /api/chat (NDJSON) plus model management for the Ollama panel.

One pooled ``httpx.AsyncClient`` per event loop serves the async API; the sync API has its own
``httpx.Client`` so it never touches a loop. Ollama reports a failure after streaming has begun as
an ``{"error": ...}`` line with HTTP 200, so every stream is checked line by line.

All the lines one network read brings become one chunk: at full speed that is a few dozen chunks
for a 5,000-token answer instead of 5,000, which is what keeps decoding and the UI cheap.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from typing import Any, ClassVar, TypeVar

import httpx
from pydantic import ValidationError

from ..base import BaseProvider, ChatRequest
from ..convert import MessageLike
from ..errors import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)
from ..http_clients import LoopClients
from ..models import (
    Capability,
    ChatCompletion,
    ChatCompletionChunk,
    Model,
)
from ..streaming import (
    CompletionAccumulator,
    aiter_json_batches,
    drain,
    excerpt,
    iter_json_batches,
)
from .settings import OllamaSettings
from .types import ModelInfo, PullProgress, RunningModel, parse_host
from .wire import ChatDecoder, ollama_messages, parse_time

PULL_TIMEOUT = httpx.Timeout(10.0, read=None)
T = TypeVar("T")


def _content_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


class OllamaProvider(BaseProvider):
    provider_type: ClassVar[str] = "ollama"
    Settings = OllamaSettings
    env_vars = {"base_url": "OLLAMA_HOST"}
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

    # -- chat ---------------------------------------------------------------------------------

    def _payload(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        options: dict[str, Any] = {}
        for key, value in (
            ("temperature", request.temperature),
            ("top_p", request.top_p),
            ("num_predict", request.max_tokens),
            ("stop", request.stop),
            ("seed", request.extra.get("seed")),
        ):
            if value is not None:
                options[key] = value
        options.update(request.extra.get("options") or {})
        payload: dict[str, Any] = {
            "model": request.model,
            "messages": ollama_messages(request.messages),
            "stream": stream,
        }
        if options:
            payload["options"] = options
        if request.tools:
            payload["tools"] = [tool.model_dump(exclude_none=True) for tool in request.tools]
        keep_alive = request.extra.get("keep_alive", self.settings.keep_alive)
        if keep_alive is not None:
            payload["keep_alive"] = keep_alive
        for key in ("think", "format"):
            if key in request.extra:
                payload[key] = request.extra[key]
        return payload

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        decoder = ChatDecoder(self, request.model)
        try:
            async with self._stream_batches(
                "/api/chat", self._payload(request, True), request.model
            ) as batches:
                async for batch in batches:
                    yield decoder.chunk(batch)
                    if decoder.done:
                        await drain(batches)
                        return
        except ProviderConnectionError as exc:
            exc.partial_text = decoder.text
            raise
        raise decoder.cut()

    async def _complete(self, request: ChatRequest) -> ChatCompletion:
        data = await self._request(
            "POST", "/api/chat", request.model, json=self._payload(request, False)
        )
        decoder = ChatDecoder(self, request.model)
        accumulator = CompletionAccumulator(model=request.model, provider=self.name)
        accumulator.add(decoder.chunk([data]))
        return accumulator.result()

    def chat_stream(
        self, messages: Iterable[MessageLike], **params: Any
    ) -> Iterator[ChatCompletionChunk]:
        request = self.build_request(messages, **params)
        return self._sync_stream(request)

    def chat(self, messages: Iterable[MessageLike], **params: Any) -> ChatCompletion:
        request = self.build_request(messages, **params)
        accumulator = CompletionAccumulator(model=request.model, provider=self.name)
        for chunk in self._sync_stream(request):
            accumulator.add(chunk)
        return accumulator.result()

    def _sync_stream(self, request: ChatRequest) -> Iterator[ChatCompletionChunk]:
        decoder = ChatDecoder(self, request.model)
        payload = self._payload(request, True)
        try:
            with self.sync_client.stream("POST", "/api/chat", json=payload) as response:
                if response.status_code >= 400:
                    response.read()
                    raise self._status_error(response, request.model)
                for batch in iter_json_batches(response.iter_text(), provider=self.name):
                    yield decoder.chunk(batch)
                    if decoder.done:
                        return
        except httpx.TransportError as exc:
            raise self._connection_error(exc, decoder.text) from None
        raise decoder.cut()

    # -- models -------------------------------------------------------------------------------

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        data = await self._request("GET", "/api/tags")
        return self._parsed(lambda: self._listed(data), "a model list")

    def _listed(self, data: dict[str, Any]) -> list[Model]:
        models = []
        for entry in data.get("models") or []:
            details = entry.get("details") or {}
            name = entry.get("name") or entry.get("model") or "?"
            model = Model(
                id=name,
                provider=self.name,
                display_name=name,
                size_bytes=entry.get("size"),
                family=details.get("family"),
                parameter_size=details.get("parameter_size"),
                quantization=details.get("quantization_level"),
                modified_at=parse_time(entry.get("modified_at")),
                capabilities_known=False,  # /api/show says, one model at a time
                raw=entry,
            )
            info = self._shown.get(name)
            models.append(self._with_info(model, info) if info else model)
        return models

    async def adescribe_model(self, model: Model) -> Model:
        if model.id not in self._shown:
            self._shown[model.id] = await self.show_model(model.id)
        return self._with_info(model, self._shown[model.id])

    @staticmethod
    def _with_info(model: Model, info: ModelInfo) -> Model:
        capabilities: list[Capability] = ["chat"]
        capabilities += [c for c in ("tools", "vision", "thinking") if c in info.capabilities]
        return model.model_copy(
            update={
                "context_length": info.context_length,
                "capabilities": capabilities,
                # servers before Ollama 0.6.4 list no capabilities: vision cannot be told
                "capabilities_known": bool(info.capabilities),
            }
        )

    # -- management -----------------------------------------------------------------------------

    async def version(self) -> str:
        return str((await self._request("GET", "/api/version")).get("version", "unknown"))

    async def list_running(self) -> list[RunningModel]:
        data = await self._request("GET", "/api/ps")
        entries = data.get("models") or []
        return self._parsed(lambda: [RunningModel.model_validate(e) for e in entries], "a ps list")

    async def show_model(self, name: str) -> ModelInfo:
        data = await self._request("POST", "/api/show", name, False, json={"model": name})
        return self._parsed(lambda: ModelInfo.model_validate({"name": name, **data}), "details")

    async def pull_model(self, name: str, *, insecure: bool = False) -> AsyncIterator[PullProgress]:
        """Progress as the server streams it; leaving the loop early closes the HTTP stream."""
        payload = {"model": name, "insecure": insecure, "stream": True}
        async with self._stream_batches(
            "/api/pull", payload, name, timeout=PULL_TIMEOUT
        ) as batches:
            async for batch in batches:
                for line in batch:
                    progress = self._parsed(
                        functools.partial(PullProgress.model_validate, line), "pull progress"
                    )
                    yield progress
                    if progress.done:
                        await drain(batches)
                        return
        raise ProviderConnectionError(
            f"pull of {name} ended before Ollama reported success", provider=self.name
        )

    async def delete_model(self, name: str) -> None:
        await self._request("DELETE", "/api/delete", name, False, json={"model": name})
        self._shown.pop(name, None)

    async def copy_model(self, source: str, destination: str) -> None:
        payload = {"source": source, "destination": destination}
        await self._request("POST", "/api/copy", source, False, json=payload)

    async def unload_model(self, name: str) -> None:
        """Free the model's memory now (an empty chat with keep_alive 0, as documented)."""
        payload = {"model": name, "messages": [], "keep_alive": 0, "stream": False}
        await self._request("POST", "/api/chat", name, json=payload)

    async def create_model(
        self, name: str, from_: str, *, system: str | None = None, **fields: Any
    ) -> None:
        payload: dict[str, Any] = {"model": name, "from": from_, "stream": False, **fields}
        if system is not None:
            payload["system"] = system
        await self._request("POST", "/api/create", from_, json=payload)
