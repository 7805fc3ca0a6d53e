"""Ollama: chat over POST /api/chat (NDJSON), plus the model list the picker shows.

All the lines one network read brings become one chunk: at full speed that is a few dozen chunks
for a 5,000-token answer instead of 5,000, which is what keeps decoding and the UI cheap.
The transport is in ``transport.py``, the panel's calls in ``manage.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, ClassVar

import httpx

from ..base import ChatRequest
from ..convert import MessageLike
from ..errors import ProviderConnectionError
from ..models import Capability, ChatCompletion, ChatCompletionChunk, Model
from ..streaming import CompletionAccumulator, drain, iter_json_batches
from .manage import OllamaManagement
from .settings import OllamaSettings
from .types import ModelInfo
from .wire import ChatDecoder, ollama_messages, parse_time


class OllamaProvider(OllamaManagement):
    provider_type: ClassVar[str] = "ollama"
    Settings = OllamaSettings
    env_vars = {"base_url": "OLLAMA_HOST"}
    settings: OllamaSettings

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
        keep_alive = request.extra.get("keep_alive", self.settings.keep_alive_for(request.model))
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
        return self._with_info(model, await self.model_info(model.id))

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
