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

from ..config.schema import LiteLLMSettings
from .base import BaseProvider, ChatRequest
from .convert import to_openai_messages, to_openai_tools
from .errors import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    RateLimitError,
)
from .litellm_shapes import is_transport, model_from_cost, plain_message, retry_after
from .models import ChatCompletionChunk, FunctionCall, Model, ToolCall, Usage

KEY_VARIABLES = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "gemini": "GEMINI_API_KEY",
    "groq": "GROQ_API_KEY",
    "mistral": "MISTRAL_API_KEY",
    "openrouter": "OPENROUTER_API_KEY",
    "deepseek": "DEEPSEEK_API_KEY",
    "xai": "XAI_API_KEY",
    "cohere_chat": "COHERE_API_KEY",
    "together_ai": "TOGETHERAI_API_KEY",
}
_import_lock = threading.Lock()


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
    """Whether a request for ``model`` goes through litellm (else through the openai SDK)."""
    return provider_of(model or "") != "openai" or bool(api_version)


def warm_up(settings: list[LiteLLMSettings], remote_price_map: bool = False) -> None:
    """Import, in the calling (background) thread, what these sections' first requests need,
    so the first answer does not wait seconds for it."""
    if any(uses_litellm(s.model, s.api_version) for s in settings):
        load_litellm(remote_price_map)
    elif settings:
        importlib.import_module("openai")


def provider_of(model: str) -> str:
    """``openai/gpt-4o`` -> ``openai``; a bare name is taken as OpenAI's, as litellm does."""
    return model.split("/", 1)[0] if "/" in model else "openai"


class _ToolCallParts:
    """Tool calls arrive as deltas (name first, arguments in pieces): join them by index."""

    def __init__(self) -> None:
        self.calls: dict[int, dict[str, str]] = {}

    def add(self, delta: Any) -> None:
        index = getattr(delta, "index", None)
        if index is None:
            index = len(self.calls)
        call = self.calls.setdefault(index, {"id": "", "name": "", "arguments": ""})
        if getattr(delta, "id", None):
            call["id"] = delta.id
        function = getattr(delta, "function", None)
        if function is not None:
            if getattr(function, "name", None):
                call["name"] = function.name
            if getattr(function, "arguments", None):
                call["arguments"] += function.arguments

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
        self._openai_clients: dict[asyncio.AbstractEventLoop, Any] = {}

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
        if settings.api_base:
            call["api_base"] = settings.api_base
        if settings.api_version:
            call["api_version"] = settings.api_version
        if settings.headers:
            call["extra_headers"] = dict(settings.headers)
        call.update(request.extra)
        return call

    def _direct(self, model: str) -> bool:
        """OpenAI and OpenAI-compatible servers are spoken to with the openai SDK itself:
        litellm adds ~0.4 ms of Python per chunk on top of it (a fast local server then stalls
        the UI) and seconds of import; every other backend goes through litellm."""
        return not uses_litellm(model, self.settings.api_version)

    def _openai_client(self) -> Any:
        loop = asyncio.get_running_loop()
        client = self._openai_clients.get(loop)
        if client is None:
            import openai

            key = self.settings.api_key.get_secret_value() if self.settings.api_key else None
            if key is None and self.settings.api_base:
                key = os.environ.get("OPENAI_API_KEY") or "no-key"  # local servers often need none
            client = self._openai_clients[loop] = openai.AsyncOpenAI(
                api_key=key,
                base_url=self.settings.api_base,
                timeout=self.settings.timeout,
                max_retries=0,
                default_headers=dict(self.settings.headers) or None,
            )
        return client

    async def _parts(self, request: ChatRequest) -> AsyncIterator[Any]:
        call = self._call(request, stream=True)
        if self._direct(request.model):
            call["model"] = request.model.split("/", 1)[-1]
            for key in (
                "api_key",
                "api_base",
                "api_version",
                "timeout",
                "num_retries",
                "drop_params",
            ):
                call.pop(key, None)
            response = await self._openai_client().chat.completions.create(**call)
        else:
            litellm = await asyncio.to_thread(load_litellm)
            response = await litellm.acompletion(**call)
        async for part in response:
            yield part

    async def aclose(self) -> None:
        client = self._openai_clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.close()

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        parts: list[str] = []
        tools = _ToolCallParts()
        finish: str | None = None
        usage: Usage | None = None
        try:
            async for part in self._parts(request):
                for choice in part.choices or ():
                    delta = choice.delta
                    for tool_delta in getattr(delta, "tool_calls", None) or ():
                        tools.add(tool_delta)
                    if choice.finish_reason:
                        finish = choice.finish_reason
                    text = getattr(delta, "content", None)
                    if text:
                        parts.append(text)
                        yield self.chunk(request.model, text)
                part_usage = getattr(part, "usage", None)
                if part_usage is not None and getattr(part_usage, "total_tokens", None):
                    usage = Usage(
                        prompt_tokens=part_usage.prompt_tokens or 0,
                        completion_tokens=part_usage.completion_tokens or 0,
                        total_tokens=part_usage.total_tokens or 0,
                    )
        except Exception as exc:
            raise self._error(exc, request.model, "".join(parts)) from None
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

    # -- errors ---------------------------------------------------------------------------------

    def _error(self, exc: Exception, model: str, partial: str) -> ProviderError:
        # litellm's exceptions subclass the openai SDK's, so one set of checks serves both paths
        import openai

        message = plain_message(self._scrub(str(getattr(exc, "message", None) or exc)))
        missing_key = isinstance(exc, openai.OpenAIError) and "api_key" in message
        if isinstance(exc, openai.AuthenticationError) or missing_key:
            variable = self._key_variable(model)
            return AuthenticationError(
                f"the API key was rejected (HTTP {getattr(exc, 'status_code', 401)})",
                provider=self.name,
                status_code=401,
                hint=f'set {variable} to a valid key, or api_key = "${{{variable}}}" in config',
            )
        if isinstance(exc, openai.NotFoundError):
            return ModelNotFoundError(
                f"model {model!r} not found: {message}",
                model=model,
                provider=self.name,
                status_code=404,
                hint="check the model name (Ctrl+O lists the models each provider offers)",
            )
        if isinstance(exc, openai.RateLimitError):
            seconds = retry_after(exc)
            wait = f"wait {seconds:g} s and try again" if seconds else None
            return RateLimitError(
                message, retry_after=seconds, provider=self.name, status_code=429, hint=wait
            )
        litellm = sys.modules.get("litellm")
        cut = getattr(litellm, "MidStreamFallbackError", ())  # raised when a stream breaks
        if isinstance(exc, (openai.APITimeoutError, openai.APIConnectionError, cut)) or (
            is_transport(exc)
        ):
            where = self.settings.api_base or provider_of(model)
            return ProviderConnectionError(
                f"could not reach {where}: {message}",
                provider=self.name,
                partial_text=partial,
            )
        return ProviderError(
            message, provider=self.name, status_code=getattr(exc, "status_code", None)
        )

    def _scrub(self, text: str) -> str:
        """A server may quote the key back: never let it reach the screen or a log."""
        key = self.settings.api_key.get_secret_value() if self.settings.api_key else ""
        return text.replace(key, "***") if key else text

    # -- models ---------------------------------------------------------------------------------

    async def list_models(self, *, refresh: bool = False) -> list[Model]:
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
        import httpx

        assert self.settings.api_base is not None
        headers = dict(self.settings.headers)
        if self.settings.api_key is not None:
            headers["Authorization"] = f"Bearer {self.settings.api_key.get_secret_value()}"
        prefix = provider_of(self.settings.model) if self.settings.model else "openai"
        url = self.settings.api_base.rstrip("/") + "/models"
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout) as client:
                response = await client.get(url, headers=headers)
        except httpx.TransportError as exc:
            raise ProviderConnectionError(
                f"could not reach {self.settings.api_base}: {type(exc).__name__}",
                provider=self.name,
            ) from None
        if response.status_code == 401:
            raise AuthenticationError(
                "the API key was rejected (HTTP 401)", provider=self.name, status_code=401
            )
        if response.status_code >= 400:
            raise ProviderError(
                f"listing models failed (HTTP {response.status_code})",
                provider=self.name,
                status_code=response.status_code,
            )
        data = response.json().get("data") or []
        return [
            Model(id=f"{prefix}/{e['id']}", provider=self.name, display_name=e["id"], raw=e)
            for e in data
            if isinstance(e, dict) and e.get("id")
        ]
