"""The offline provider: the embedded default, and the stand-in for demos, tests and benchmarks.

Replies are deterministic and drawn from the conversation (it remembers a name the user gave and
the topics of earlier turns), streamed word by word with a configurable delay, and its failure
modes (cut stream, slow first token, tool call) are switched on from config.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
from collections.abc import AsyncIterator
from typing import Any, ClassVar

from ..base import BaseProvider, ChatRequest
from ..errors import ProviderConnectionError
from ..models import (
    ChatCompletionChunk,
    FunctionCall,
    Message,
    Model,
    Pricing,
    Tool,
    ToolCall,
    Usage,
)
from .settings import MockSettings

_NAME = re.compile(r"\b(?:my name is|i am|i'm|call me)\s+([A-Z][\w-]*)", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{3,}")
_PIECE = re.compile(r"\s*\S+")
_STOPWORDS = frozenset(
    "about above after again also because been before being below between both could does "
    "doing during each from have having here into just more most much must only other over "
    "same should some such than that their them then there these they this those through "
    "under until very what when where which while will with would your yours hello please "
    "thanks thank tell know name called".split()
)
_CODE_WORDS = ("code", "function", "python", "script", "program", "example")
_GREETINGS = ("hello", "hi", "hey", "good morning", "good evening")

MOCK_MODELS = (
    Model(
        id="mock-1",
        provider="mock",
        display_name="Mock 1 (offline)",
        context_length=32_768,
        max_output_tokens=4_096,
        capabilities=["chat", "tools"],
        raw={"description": "deterministic offline replies"},
    ),
    Model(
        id="mock-vision",
        provider="mock",
        display_name="Mock vision (offline, takes images)",
        context_length=32_768,
        max_output_tokens=4_096,
        capabilities=["chat", "vision"],
        raw={"description": "says what images it was sent"},
    ),
    Model(
        id="mock-priced",
        provider="mock",
        display_name="Mock priced (offline, shows costs)",
        context_length=128_000,
        max_output_tokens=8_192,
        capabilities=["chat", "tools"],
        pricing=Pricing(input_per_million=1.0, output_per_million=2.0),
    ),
)


def _words(text: str) -> int:
    return len(text.split())


def _user_texts(messages: list[Message]) -> list[str]:
    return [m.content or "" for m in messages if m.role == "user"]


def remembered_name(messages: list[Message]) -> str | None:
    """The last name the user gave ("my name is Ada"), if any."""
    name = None
    for text in _user_texts(messages):
        for match in _NAME.finditer(text):
            name = match.group(1)
    return name


def topics(texts: list[str], limit: int = 3) -> list[str]:
    """The first distinct content words of ``texts``, in order of appearance."""
    found: list[str] = []
    for text in texts:
        for word in _WORD.findall(text):
            lowered = word.lower()
            if lowered not in _STOPWORDS and lowered not in found:
                found.append(lowered)
                if len(found) == limit:
                    return found
    return found


def context_reply(messages: list[Message]) -> str:
    """A reply built only from the conversation, the same every time for the same input."""
    users = _user_texts(messages)
    last = users[-1].strip() if users else ""
    lowered = last.lower()
    name = remembered_name(messages)
    earlier = topics(users[:-1])
    turn = len(users)
    if messages[-1].role == "tool":
        return f"The tool returned: {messages[-1].content or '(nothing)'}"
    if messages[-1].images:
        seen = [
            f"{image.media_type.split('/')[1].upper()}, {len(base64.b64decode(image.data)):,} bytes"
            for image in messages[-1].images
        ]
        count = len(seen)
        return f"I see {count} image{'s' * (count > 1)} ({'; '.join(seen)})."
    if "my name" in lowered and "?" in lowered:
        return f"Your name is {name}." if name else "You haven't told me your name yet."
    if any(word in lowered for word in ("talk about", "discussed", "topics")):
        if earlier:
            return "So far we have talked about " + ", ".join(earlier) + "."
        return "We have only just started talking."
    if any(lowered.startswith(greeting) for greeting in _GREETINGS):
        who = f", {name}" if name else ""
        return f"Hello{who}! I am the mock model: I answer offline, without any API key."
    if any(word in lowered for word in _CODE_WORDS):
        return (
            "Here is a small example:\n\n```python\n"
            "def greet(name: str) -> str:\n"
            '    return f"Hello, {name}!"\n```\n\n'
            "Call `greet` with any name."
        )
    digest = hashlib.sha256(last.encode("utf-8")).hexdigest()[:6]
    subject = ", ".join(topics([last])) or "that"
    parts = [f"You asked about {subject}."]
    if name:
        parts.append(f"I remember that you are {name}.")
    if earlier:
        parts.append("Earlier we discussed " + ", ".join(earlier) + ".")
    parts.append(f"This is turn {turn} of our chat (reply {digest}).")
    return " ".join(parts)


def _tool_arguments(tool: Tool, prompt: str) -> dict[str, Any]:
    properties = tool.function.parameters.get("properties", {})
    arguments: dict[str, Any] = {}
    for key, schema in properties.items():
        kind = schema.get("type") if isinstance(schema, dict) else None
        arguments[key] = 1 if kind in ("integer", "number") else prompt
    return arguments


class MockProvider(BaseProvider):
    provider_type: ClassVar[str] = "mock"
    Settings = MockSettings
    settings: MockSettings

    def reply_for(self, request: ChatRequest) -> str:
        if self.settings.reply is not None:
            return self.settings.reply
        if self.settings.mode == "echo":
            users = _user_texts(request.messages)
            return users[-1] if users else ""
        return context_reply(request.messages)

    def _tool_call(self, request: ChatRequest) -> ToolCall | None:
        if not request.tools or request.messages[-1].role == "tool":
            return None
        prompt = (request.messages[-1].content or "").lower()
        for tool in request.tools:
            wanted = self.settings.tool_call == tool.function.name
            if wanted or tool.function.name.lower() in prompt:
                digest = hashlib.sha256(prompt.encode()).hexdigest()[:8]
                arguments = _tool_arguments(tool, request.messages[-1].content or "")
                return ToolCall(
                    id=f"call_{digest}",
                    function=FunctionCall(name=tool.function.name, arguments=json.dumps(arguments)),
                )
        return None

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        settings = self.settings
        prompt_tokens = sum(_words(m.content or "") for m in request.messages)
        if settings.first_token_delay:
            await asyncio.sleep(settings.first_token_delay)
        call = self._tool_call(request)
        if call is not None:
            usage = Usage(
                prompt_tokens=prompt_tokens, completion_tokens=1, total_tokens=prompt_tokens + 1
            )
            yield self.chunk(
                request.model, tool_calls=[call], finish_reason="tool_calls", usage=usage
            )
            return
        pieces = _PIECE.findall(self.reply_for(request))
        if request.max_tokens is not None and len(pieces) > request.max_tokens:
            pieces, finish = pieces[: request.max_tokens], "length"
        else:
            finish = "stop"
        size = settings.chunk_words
        sent: list[str] = []
        for index in range(0, len(pieces), size):
            if settings.fail_after is not None and index // size >= settings.fail_after:
                raise ProviderConnectionError(
                    f"stream cut after {settings.fail_after} chunks (mock fail_after)",
                    provider=self.name,
                    partial_text="".join(sent),
                    hint="this failure was asked for by the mock provider's fail_after setting",
                )
            text = "".join(pieces[index : index + size])
            sent.append(text)
            yield self.chunk(request.model, text)
            # A zero delay still yields to the loop, so a fast mock never starves the UI.
            await asyncio.sleep(settings.delay)
        completion_tokens = len(pieces)
        usage = Usage(
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            total_tokens=prompt_tokens + completion_tokens,
        )
        yield self.chunk(request.model, finish_reason=finish, usage=usage)

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        return [model.model_copy(update={"provider": self.name}) for model in MOCK_MODELS]
