"""``BaseProvider``: the one interface the UI, the CLI and the tests talk to.

Async is the primary path: a provider implements ``_stream`` and ``alist_models`` (and may
override ``_complete`` and ``adescribe_model``); ``achat``/``achat_stream`` validate input around
them, and the sync ``chat``, ``chat_stream``, ``list_models`` and ``describe_model`` are thin
wrappers that are safe to call from any thread.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from pydantic import ValidationError

from ..config.schema import ProviderSettings
from .convert import MessageLike, ToolLike, coerce_messages, coerce_tools
from .errors import ConfigurationError, ProviderConnectionError
from .models import (
    ChatCompletion,
    ChatCompletionChunk,
    ChunkChoice,
    Delta,
    FunctionCall,
    FunctionDefinition,
    Message,
    Model,
    Pricing,
    Tool,
    ToolCall,
    Usage,
)
from .streaming import CompletionAccumulator
from .sync_bridge import iterate_sync, run_sync

T = TypeVar("T")
STALL_GRACE = 0.25
"""Seconds past ``timeout`` before a stream without content is called stalled."""

__all__ = [
    "BaseProvider",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatRequest",
    "ChunkChoice",
    "Delta",
    "FunctionCall",
    "FunctionDefinition",
    "Message",
    "Model",
    "Pricing",
    "Tool",
    "ToolCall",
    "Usage",
]


@dataclass
class ChatRequest:
    """A validated request: what every provider's ``_stream`` receives."""

    messages: list[Message]
    model: str
    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    stop: list[str] | None = None
    tools: list[Tool] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def settings_error(provider: str, exc: ValidationError) -> ConfigurationError:
    """A readable error for bad settings that never echoes a value (it may be a key)."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        message = "unknown setting" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{where}: {message}")
    return ConfigurationError(
        "invalid settings: " + "; ".join(parts),
        provider=provider,
        hint=f"fix the [providers.{provider}] section of your coda config",
    )


class BaseProvider(ABC):
    """A source of chat completions and models."""

    provider_type: ClassVar[str] = "custom"
    Settings: ClassVar[type[ProviderSettings]] = ProviderSettings
    env_vars: ClassVar[Mapping[str, str]] = {}
    """Setting name -> environment variable read when config does not set it."""

    def __init__(self, *, name: str | None = None, **settings: Any) -> None:
        self._name = name or self.provider_type
        try:
            self.settings = self.Settings.model_validate(settings)
        except ValidationError as exc:
            raise settings_error(self._name, exc) from None
        self._open_streams = 0
        self._retired = False
        self.key_reference: str | None = None
        """The variable the section's key comes from (``${WALK_KEY}``), set by the factory:
        the fix a rejected key names."""

    @property
    def name(self) -> str:
        """The name the user knows this provider by (its config section)."""
        return self._name

    def __repr__(self) -> str:
        # pydantic renders SecretStr as '**********', so settings are safe to show.
        return f"{type(self).__name__}(name={self._name!r}, settings={self.settings!r})"

    # -- async API ---------------------------------------------------------------------------

    def build_request(
        self,
        messages: Iterable[MessageLike],
        *,
        model: str | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        top_p: float | None = None,
        stop: str | Sequence[str] | None = None,
        tools: Sequence[ToolLike] | None = None,
        **extra: Any,
    ) -> ChatRequest:
        chosen = model or self.settings.model
        if not chosen:
            raise ConfigurationError(
                "no model chosen",
                provider=self.name,
                hint=f"pass model=... or set model in [providers.{self.name}]",
            )
        return ChatRequest(
            messages=coerce_messages(messages),
            model=chosen,
            temperature=self.settings.temperature if temperature is None else temperature,
            max_tokens=self.settings.max_tokens if max_tokens is None else max_tokens,
            top_p=self.settings.top_p if top_p is None else top_p,
            stop=[stop] if isinstance(stop, str) else (list(stop) if stop else None),
            tools=coerce_tools(tools),
            extra=extra,
        )

    async def achat(self, messages: Iterable[MessageLike], **params: Any) -> ChatCompletion:
        """One whole completion."""
        return await self._complete(self.build_request(messages, **params))

    def achat_stream(
        self, messages: Iterable[MessageLike], **params: Any
    ) -> AsyncIterator[ChatCompletionChunk]:
        """Chunks as they arrive. Input is checked here, before the first ``await``."""
        return self._watched(self.build_request(messages, **params))

    @abstractmethod
    def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        """Yield chunks; raise ``ProviderError`` subclasses only."""

    async def _watched(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        """``_stream`` with what every stream needs. It fails when no chunk comes for
        ``timeout`` seconds: a read timeout counts bytes, and a server whose generation stalled
        may send keep-alive comments forever. A retired provider closes after its last stream.
        """
        limit = self.settings.timeout
        stream = self._stream(request)
        # A silent server trips the transport's own read timeout, with its own words, first.
        grace = limit + STALL_GRACE
        parts: list[str] = []
        self._open_streams += 1
        try:
            while True:
                timer = asyncio.timeout(grace)
                try:
                    async with timer:
                        chunk = await anext(stream)
                except StopAsyncIteration:
                    return
                except TimeoutError:
                    if not timer.expired():
                        raise
                    raise ProviderConnectionError(
                        f"no tokens for {limit:g} s",
                        provider=self.name,
                        partial_text="".join(parts),
                        hint="the model may have stalled: try again, or raise timeout in "
                        f"[providers.{self.name}]",
                    ) from None
                if chunk.content:
                    parts.append(chunk.content)
                yield chunk
        finally:
            close = getattr(stream, "aclose", None)  # an async generator: end it here and now
            if close is not None:
                await close()
            self._open_streams -= 1
            if self._retired and not self._open_streams:
                await self.aclose()

    async def _complete(self, request: ChatRequest) -> ChatCompletion:
        accumulator = CompletionAccumulator(model=request.model, provider=self.name)
        async for chunk in self._watched(request):
            accumulator.add(chunk)
        return accumulator.result()

    @abstractmethod
    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        """The models this provider offers; ``refresh`` bypasses any cache."""

    async def adescribe_model(self, model: Model) -> Model:
        """``model`` with what a listing leaves out, where the provider can tell it one model
        at a time (Ollama's context window and capabilities); by default, as listed."""
        return model

    async def release_loop(self) -> None:  # noqa: B027 - a hook: most providers hold nothing
        """Close what this provider opened on the running event loop (its HTTP client)."""

    async def aclose(self) -> None:  # noqa: B027 - a hook: most providers hold nothing
        """Release connections. A later call opens them again."""

    async def aclose_when_idle(self) -> None:
        """Close now, or after the last open stream ends: a config reload retires instances
        that may be streaming an answer."""
        self._retired = True
        if not self._open_streams:
            await self.aclose()

    # -- sync wrappers -----------------------------------------------------------------------

    async def _on_private_loop(self, work: Awaitable[T]) -> T:
        """``work`` on the sync API's own loop; what it opened there closes with it."""
        try:
            return await work
        finally:
            await self.release_loop()

    async def _stream_on_private_loop(
        self, request: ChatRequest
    ) -> AsyncIterator[ChatCompletionChunk]:
        try:
            async for chunk in self._watched(request):
                yield chunk
        finally:
            await self.release_loop()

    def chat(self, messages: Iterable[MessageLike], **params: Any) -> ChatCompletion:
        request = self.build_request(messages, **params)
        return run_sync(lambda: self._on_private_loop(self._complete(request)))

    def chat_stream(
        self, messages: Iterable[MessageLike], **params: Any
    ) -> Iterator[ChatCompletionChunk]:
        request = self.build_request(messages, **params)
        return iterate_sync(lambda: self._stream_on_private_loop(request))

    def list_models(self, *, refresh: bool = False) -> list[Model]:
        """``alist_models`` for scripts: blocks until the list is in."""
        return run_sync(lambda: self._on_private_loop(self.alist_models(refresh=refresh)))

    def describe_model(self, model: Model) -> Model:
        """``adescribe_model`` for scripts."""
        return run_sync(lambda: self._on_private_loop(self.adescribe_model(model)))

    # -- helpers for subclasses --------------------------------------------------------------

    def chunk(
        self,
        model: str,
        content: str | None = None,
        *,
        tool_calls: list[ToolCall] | None = None,
        finish_reason: str | None = None,
        usage: Usage | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> ChatCompletionChunk:
        """A chunk stamped with this provider's name.

        Built from one dict so pydantic validates it in a single call: this runs per token.
        """
        delta: dict[str, Any] = {"role": "assistant", "content": content}
        if tool_calls:
            delta["tool_calls"] = tool_calls
        return ChatCompletionChunk.model_validate(
            {
                "model": model,
                "provider": self.name,
                "choices": [{"delta": delta, "finish_reason": finish_reason}],
                "usage": usage,
                "metadata": metadata or {},
            }
        )
