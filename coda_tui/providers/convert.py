"""Message and tool conversion shared by every provider.

Callers may pass ``Message``/``Tool`` objects or plain OpenAI-style dicts; providers only ever see
the validated models, and a malformed input becomes a ``ConfigurationError`` naming the bad item
instead of a pydantic traceback from deep inside a provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError

from .errors import ConfigurationError
from .models import Message, Tool

MessageLike = Message | Mapping[str, Any]
ToolLike = Tool | Mapping[str, Any]


ModelT = TypeVar("ModelT", Message, Tool)


def _coerce(items: Iterable[Any], model: type[ModelT], what: str, hint: str) -> list[ModelT]:
    """Each item as ``model``; the first invalid one is named by position, with a fix."""
    result: list[ModelT] = []
    for index, item in enumerate(items):
        if isinstance(item, model):
            result.append(item)
            continue
        try:
            result.append(model.model_validate(item))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"]) or "value"
            raise ConfigurationError(
                f"{what} {index} is not valid ({where}: {error['msg']})", hint=hint
            ) from None
    return result


def coerce_messages(messages: Iterable[MessageLike]) -> list[Message]:
    result = _coerce(
        messages,
        Message,
        "message",
        "each message needs a role (system/user/assistant/tool) and content",
    )
    if not result:
        raise ConfigurationError("no messages to send", hint="add at least one user message")
    return result


def coerce_tools(tools: Sequence[ToolLike] | None) -> list[Tool]:
    return _coerce(
        tools or (),
        Tool,
        "tool",
        'tools look like {"type": "function", "function": {"name": ...}}',
    )


def to_openai_messages(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Messages as OpenAI-compatible dicts, without the ``None`` fields servers reject. A
    message with images has content parts: its text, then each image as a data URL."""
    result = []
    for message in messages:
        item = message.model_dump(exclude_none=True, exclude={"images"})
        if message.images:
            parts: list[dict[str, Any]] = []
            if message.content:
                parts.append({"type": "text", "text": message.content})
            parts += [
                {"type": "image_url", "image_url": {"url": image.data_url}}
                for image in message.images
            ]
            item["content"] = parts
        result.append(item)
    return result


def to_openai_tools(tools: Iterable[Tool]) -> list[dict[str, Any]]:
    return [tool.model_dump(exclude_none=True) for tool in tools]
