"""The data every provider speaks: messages, tools, completions, chunks and models.

Shaped like OpenAI's chat API (``choices[0].message`` / ``choices[0].delta``) because that is the
shape users and most servers already know; each provider translates its wire format into these.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Role = Literal["system", "user", "assistant", "tool"]
Capability = Literal["chat", "tools", "vision", "embeddings", "thinking"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FunctionCall(_Model):
    """A function call as OpenAI sends it: ``arguments`` is JSON text."""

    name: str
    arguments: str = "{}"

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; models sometimes send invalid JSON, which gives ``{}``."""
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}


class ToolCall(_Model):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


ImageType = Literal["image/png", "image/jpeg", "image/webp"]


class ImagePart(_Model):
    """An image sent with a message, as every API takes it inline: base64 and its type."""

    media_type: ImageType
    data: str
    """Base64 (standard alphabet, padded), without a ``data:`` prefix."""

    @property
    def data_url(self) -> str:
        """The form OpenAI-compatible servers and OCI take (``data:image/png;base64,...``)."""
        return f"data:{self.media_type};base64,{self.data}"


class Message(_Model):
    role: Role
    content: str | None = None
    name: str | None = None
    tool_calls: list[ToolCall] | None = None
    tool_call_id: str | None = None
    images: list[ImagePart] | None = None
    """Images with a user message; a provider whose API takes none refuses before sending."""


class FunctionDefinition(_Model):
    name: str
    description: str | None = None
    parameters: dict[str, Any] = Field(default_factory=lambda: {"type": "object", "properties": {}})


class Tool(_Model):
    type: Literal["function"] = "function"
    function: FunctionDefinition


class Usage(_Model):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class Delta(_Model):
    role: Role | None = None
    content: str | None = None
    tool_calls: list[ToolCall] | None = None


class ChunkChoice(_Model):
    index: int = 0
    delta: Delta = Field(default_factory=Delta)
    finish_reason: str | None = None


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:24]}"


_chunk_numbers = itertools.count(1)


def _chunk_id() -> str:
    # Cheap on purpose: a stream makes thousands of chunks, and uuid4 reads the OS's entropy pool.
    return f"chunk-{next(_chunk_numbers)}"


class ChatCompletionChunk(_Model):
    """One streamed piece. Tool calls arrive whole: providers assemble split deltas first."""

    id: str = Field(default_factory=_chunk_id)
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    provider: str
    choices: list[ChunkChoice] = Field(default_factory=lambda: [ChunkChoice()])
    usage: Usage | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def content(self) -> str:
        """The text this chunk adds, or ``""``."""
        return (self.choices[0].delta.content or "") if self.choices else ""

    @property
    def finish_reason(self) -> str | None:
        return self.choices[0].finish_reason if self.choices else None

    @property
    def tool_calls(self) -> list[ToolCall]:
        """The tool calls this chunk brings (whole: providers assemble them), or []."""
        return (self.choices[0].delta.tool_calls or []) if self.choices else []


class Choice(_Model):
    index: int = 0
    message: Message
    finish_reason: str | None = None


class ChatCompletion(_Model):
    id: str = Field(default_factory=lambda: _new_id("chatcmpl"))
    object: Literal["chat.completion"] = "chat.completion"
    created: int = Field(default_factory=lambda: int(time.time()))
    model: str
    provider: str
    choices: list[Choice]
    usage: Usage | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def content(self) -> str:
        return (self.choices[0].message.content or "") if self.choices else ""


class Pricing(_Model):
    """Prices per million tokens, as providers publish them."""

    input_per_million: float | None = None
    output_per_million: float | None = None
    currency: str = "USD"

    def cost(self, usage: Usage) -> float | None:
        if self.input_per_million is None or self.output_per_million is None:
            return None
        return (
            usage.prompt_tokens * self.input_per_million
            + usage.completion_tokens * self.output_per_million
        ) / 1_000_000


class Model(_Model):
    """A model a provider offers; fields a provider cannot know stay ``None``."""

    id: str
    provider: str
    display_name: str | None = None
    context_length: int | None = None
    max_output_tokens: int | None = None
    capabilities: list[Capability] = Field(default_factory=lambda: list[Capability](["chat"]))
    capabilities_known: bool = True
    """False when the provider could not say (a model missing from litellm's map, an Ollama
    model not described yet): a capability missing from the list is then no reason to refuse."""
    pricing: Pricing | None = None
    size_bytes: int | None = None
    quantization: str | None = None
    family: str | None = None
    parameter_size: str | None = None
    modified_at: datetime | None = None
    deprecated_at: datetime | None = None
    raw: dict[str, Any] = Field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.display_name or self.id
