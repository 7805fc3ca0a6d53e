"""LiteLLM: one provider for OpenAI, Anthropic, Gemini, Groq, OpenRouter, Mistral and any
OpenAI-compatible server (``api_base``).

``import litellm`` takes seconds and, by default, fetches a price map over the network, so it is
imported on first use only (or by ``warm_up`` in a background thread), with the local price map
unless the user opted in to the remote one, and with its logging kept off the terminal. Keys,
bases and headers go with each call, never onto the litellm module, so two instances with
different keys never meet.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx

from ..base import BaseProvider, ChatRequest
from ..convert import to_openai_messages, to_openai_tools
from ..errors import (
    ProviderConnectionError,
    ProviderError,
)
from ..http_clients import LoopClients
from ..models import ChatCompletionChunk, FunctionCall, Model, ToolCall, Usage
from ..streaming import STREAM_DONE, aiter_sse_batches, excerpt
from . import errors
from .settings import LiteLLMSettings
from .shapes import model_from_cost, provider_of
from .vendors import KEY_VARIABLES

_import_lock = threading.Lock()
OPENAI_BASE = "https://api.openai.com/v1"
NOT_FOR_THE_SERVER = frozenset(
    ("api_key", "api_base", "api_version", "timeout", "num_retries", "drop_params", "extra_headers")
)
"""litellm's own arguments: a direct request leaves them out of its body."""


def load_litellm(remote_price_map: bool = False) -> Any:
    """Import and quieten litellm once; blocking, so call it from a thread."""
    with _import_lock:
        if "litellm" in sys.modules:
            return sys.modules["litellm"]
        if not remote_price_map:
            os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        litellm: Any = importlib.import_module("litellm")
        litellm.suppress_debug_info = True
        litellm.telemetry = False
        for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
        return litellm


def uses_litellm(model: str | None, api_version: str | None = None) -> bool:
    """Whether a request for ``model`` goes through litellm (else straight to the server)."""
    return provider_of(model or "") != "openai" or bool(api_version)


def warm_up(settings: list[LiteLLMSettings], remote_price_map: bool = False) -> None:
    """Import, in the calling (background) thread, what these sections' first requests need,
    so the first answer does not wait seconds for it (OpenAI's own protocol needs nothing)."""
    if any(uses_litellm(s.model, s.api_version) for s in settings):
        load_litellm(remote_price_map)


def field(part: Any, name: str) -> Any:
    """A field of a streamed part: a dict from our own SSE reader, an object from litellm."""
    return part.get(name) if isinstance(part, dict) else getattr(part, name, None)


class _ToolCallParts:
    """Tool calls arrive as deltas (name first, arguments in pieces): join them by index."""

    def __init__(self) -> None:
        self.calls: dict[int, dict[str, str]] = {}

    def add(self, delta: Any) -> None:
        index = field(delta, "index")
        if index is None:
            index = len(self.calls)
        call = self.calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if field(delta, "id"):
            call["id"] = field(delta, "id")
        function = field(delta, "function")
        if function is not None:
            if field(function, "name"):
                call["name"] = field(function, "name")
            if field(function, "arguments"):
                call["arguments"] += field(function, "arguments")

    def complete(self) -> list[ToolCall]:
        return [
            ToolCall(
                id=call["id"] or f"call_{index}",
                function=FunctionCall(name=call["name"], arguments=call["arguments"] or "{}"),
            )
            for index, call in sorted(self.calls.items())
        ]


class LiteLLMProvider(BaseProvider):
    provider_type: ClassVar[str] = "litellm"
    Settings = LiteLLMSettings
    settings: LiteLLMSettings

    def __init__(self, *, name: str | None = None, **settings: Any) -> None:
        super().__init__(name=name, **settings)
        self._clients = LoopClients(self._new_client)

    def _key_variable(self, model: str) -> str:
        return KEY_VARIABLES.get(provider_of(model), f"{provider_of(model).upper()}_API_KEY")

    def _call(self, request: ChatRequest, stream: bool) -> dict[str, Any]:
        settings = self.settings
        call: dict[str, Any] = {
            "model": request.model,
            "messages": to_openai_messages(request.messages),
            "stream": stream,
            "timeout": settings.timeout,
            "num_retries": 0,
            "drop_params": True,
        }
        if stream:
            call["stream_options"] = {"include_usage": True}
        for key in ("temperature", "max_tokens", "top_p", "stop"):
            value = getattr(request, key)
            if value is not None:
                call[key] = value
        if request.tools:
            call["tools"] = to_openai_tools(request.tools)
        if settings.api_key is not None:
            call["api_key"] = settings.api_key.get_secret_value()
        elif settings.api_base:  # else litellm would send the vendor's environment key there
            call["api_key"] = "none"
        if settings.api_base:
            call["api_base"] = settings.api_base
        if settings.api_version:
            call["api_version"] = settings.api_version
        if settings.headers:
            call["extra_headers"] = dict(settings.headers)
        call.update(request.extra)
        return call

    def _direct(self, model: str) -> bool:
        """OpenAI and OpenAI-compatible servers are spoken to directly (``_direct_batches``):
        litellm adds ~0.4 ms of Python per chunk (a fast local server then stalls the UI) and
        seconds of import; every other backend goes through litellm."""
        return not uses_litellm(model, self.settings.api_version)

    def _key(self) -> str | None:
        """The key to send: the section's own, else OPENAI_API_KEY, and that only to OpenAI
        itself. A custom ``api_base`` gets no environment key: a LAN or third-party server
        must never see the user's OpenAI key."""
        if self.settings.api_key is not None:
            return self.settings.api_key.get_secret_value() or None
        return None if self.settings.api_base else os.environ.get("OPENAI_API_KEY") or None

    def _new_client(self) -> httpx.AsyncClient:
        headers = dict(self.settings.headers)
        key = self._key()
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.AsyncClient(
            base_url=(self.settings.api_base or OPENAI_BASE).rstrip("/"),
            headers=headers,
            timeout=self.settings.timeout,
        )

    def _http(self) -> httpx.AsyncClient:
        """The running loop's pooled client (a connection pool belongs to its loop)."""
        return self._clients.get()

    async def _direct_batches(self, request: ChatRequest) -> AsyncIterator[list[Any]]:
        """OpenAI's protocol over httpx, events read by httpx-sse and handed over in batches.
        The openai SDK builds a pydantic object per event (~90 us: 0.45 s of a 5,000-token
        answer from a fast server, all of it on the UI's thread); here a batch becomes one
        chunk."""
        from httpx_sse import EventSource, SSEError

        client = self._http()
        if "Authorization" not in client.headers and not self.settings.api_base:
            raise errors.auth_error(self, request.model, None)
        call = self._call(request, stream=True)
        body = {k: v for k, v in call.items() if k not in NOT_FOR_THE_SERVER}
        body["model"] = request.model.split("/", 1)[-1]
        try:
            async with client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise errors.status_error(self, response, request.model)
                events = (event.data async for event in EventSource(response).aiter_sse())
                async for batch in aiter_sse_batches(events, provider=self.name):
                    yield batch
        except SSEError:
            raise ProviderError(
                "the server did not answer with an event stream "
                f"(Content-Type: {response.headers.get('content-type') or 'none'})",
                provider=self.name,
                hint="check api_base: it should end in /v1 on an OpenAI-compatible server",
            ) from None
        except httpx.TransportError as exc:
            raise errors.transport_error(self, exc, request.model) from None

    async def _litellm_batches(self, request: ChatRequest) -> AsyncIterator[list[Any]]:
        litellm = await asyncio.to_thread(load_litellm)
        response = await litellm.acompletion(**self._call(request, stream=True))
        async for part in response:
            yield [part]

    async def release_loop(self) -> None:
        await self._clients.release()

    async def aclose(self) -> None:
        await self._clients.aclose()

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        parts: list[str] = []
        tools = _ToolCallParts()
        finish: str | None = None
        usage: Usage | None = None
        direct = self._direct(request.model)
        batches = self._direct_batches(request) if direct else self._litellm_batches(request)
        try:
            async for batch in batches:
                texts: list[str] = []
                for part in batch:
                    if part is STREAM_DONE:
                        continue
                    for choice in field(part, "choices") or ():
                        delta = field(choice, "delta") or {}
                        for tool_delta in field(delta, "tool_calls") or ():
                            tools.add(tool_delta)
                        finish = field(choice, "finish_reason") or finish
                        text = field(delta, "content")
                        if text:
                            texts.append(text)
                    part_usage = field(part, "usage")
                    if part_usage and field(part_usage, "total_tokens"):
                        usage = Usage(
                            prompt_tokens=field(part_usage, "prompt_tokens") or 0,
                            completion_tokens=field(part_usage, "completion_tokens") or 0,
                            total_tokens=field(part_usage, "total_tokens") or 0,
                        )
                if texts:
                    parts.append("".join(texts))
                    yield self.chunk(request.model, parts[-1])
        except ProviderConnectionError as exc:
            exc.partial_text = "".join(parts)
            raise
        except ProviderError:
            raise
        except Exception as exc:
            raise errors.error(self, exc, request.model, "".join(parts)) from None
        if finish is None:
            raise ProviderConnectionError(
                "the stream ended before the server said it was done",
                provider=self.name,
                partial_text="".join(parts),
            )
        calls = tools.complete()
        if calls and finish == "stop":
            finish = "tool_calls"
        yield self.chunk(request.model, tool_calls=calls or None, finish_reason=finish, usage=usage)

    # -- models ---------------------------------------------------------------------------------

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        if self.settings.api_base:
            return await self._server_models()
        wanted = self._providers_with_keys()
        if not wanted:  # nothing usable: do not pay seconds of import to say so
            return []
        litellm = await asyncio.to_thread(load_litellm)
        models = []
        for provider in sorted(wanted):
            for name in sorted(litellm.models_by_provider.get(provider, ())):
                info = litellm.model_cost.get(name) or litellm.model_cost.get(f"{provider}/{name}")
                if not info or info.get("mode") not in (None, "chat"):
                    continue
                model_id = name if name.startswith(f"{provider}/") else f"{provider}/{name}"
                models.append(model_from_cost(model_id, self.name, info))
        return models

    def _providers_with_keys(self) -> set[str]:
        if self.settings.api_key is not None and self.settings.model:
            return {provider_of(self.settings.model)}
        return {p for p, variable in KEY_VARIABLES.items() if os.environ.get(variable)}

    async def _server_models(self) -> list[Model]:
        """The model list of the ``api_base`` server, asked with the client, key and error
        messages its chats use."""
        model = self.settings.model or "openai"
        try:
            response = await self._http().get("/models")
        except httpx.TransportError as exc:
            raise errors.transport_error(self, exc, model) from None
        status = response.status_code
        if status in (401, 403, 429):
            raise errors.status_error(self, response, model)
        if status >= 400:  # a server without a model list says 404: not about any model
            words = errors.server_words(self, response)
            raise ProviderError(
                f"listing models failed (HTTP {status}): {words}",
                provider=self.name,
                status_code=status,
            )
        try:
            data = response.json().get("data") or []
        except (ValueError, AttributeError):
            kind = response.headers.get("content-type", "no content type").split(";")[0]
            raise ProviderError(
                f"{self.settings.api_base} answered with {kind}, not a model list: "
                f"{excerpt(response.text.strip(), 60)}",
                provider=self.name,
                hint="check api_base: an OpenAI-compatible server's ends in /v1",
            ) from None
        prefix = provider_of(model)
        return [
            Model(
                id=f"{prefix}/{e['id']}",
                provider=self.name,
                display_name=e["id"],
                capabilities_known=False,  # /models says nothing of vision or tools
                raw=e,
            )
            for e in data
            if isinstance(e, dict) and e.get("id")
        ]
