"""Message and tool conversion shared by every provider.

Callers may pass ``Message``/``Tool`` objects or plain OpenAI-style dicts; providers only ever see
the validated models, and a malformed input becomes a ``ConfigurationError`` naming the bad item
instead of a pydantic traceback from deep inside a provider.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from .errors import ConfigurationError
from .models import Message, Tool

MessageLike = Message | Mapping[str, Any]
ToolLike = Tool | Mapping[str, Any]


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(part) for part in err["loc"]) or "value"
    return f"{where}: {err['msg']}"


def coerce_messages(messages: Iterable[MessageLike]) -> list[Message]:
    result: list[Message] = []
    for index, item in enumerate(messages):
        if isinstance(item, Message):
            result.append(item)
            continue
        try:
            result.append(Message.model_validate(item))
        except ValidationError as exc:
            raise ConfigurationError(
                f"message {index} is not a valid chat message ({_first_error(exc)})",
                hint="each message needs a role (system/user/assistant/tool) and content",
            ) from None
    if not result:
        raise ConfigurationError("no messages to send", hint="add at least one user message")
    return result


def coerce_tools(tools: Sequence[ToolLike] | None) -> list[Tool]:
    result: list[Tool] = []
    for index, item in enumerate(tools or ()):
        if isinstance(item, Tool):
            result.append(item)
            continue
        try:
            result.append(Tool.model_validate(item))
        except ValidationError as exc:
            raise ConfigurationError(
                f"tool {index} is not a valid function tool ({_first_error(exc)})",
                hint='tools look like {"type": "function", "function": {"name": ...}}',
            ) from None
    return result


def to_openai_messages(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Messages as OpenAI-compatible dicts, without the ``None`` fields servers reject."""
    return [message.model_dump(exclude_none=True) for message in messages]


def to_openai_tools(tools: Iterable[Tool]) -> list[dict[str, Any]]:
    return [tool.model_dump(exclude_none=True) for tool in tools]
