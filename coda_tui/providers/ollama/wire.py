"""Ollama's wire format: our messages out, /api/chat objects in.

Tool-call arguments travel as JSON objects (ours are JSON text), tool results carry the tool's
name, and a stream's last object holds the usage and timings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..errors import ProviderConnectionError
from ..models import ChatCompletionChunk, FunctionCall, Message, ToolCall, Usage

if TYPE_CHECKING:
    from ..base import BaseProvider


class ChatDecoder:
    """Turns /api/chat objects into chunks and remembers what a cut stream must keep."""

    FINISH = {"stop": "stop", "length": "length", "load": "stop", "unload": "stop"}

    def __init__(self, provider: BaseProvider, model: str) -> None:
        self.provider = provider
        self.model = model
        self.parts: list[str] = []
        self.done = False
        self.calls = 0

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def chunk(self, batch: list[dict[str, Any]]) -> ChatCompletionChunk:
        """One chunk for every /api/chat object a network read brought."""
        texts: list[str] = []
        thinking: list[str] = []
        tool_calls: list[ToolCall] = []
        data: dict[str, Any] = {}
        for data in batch:
            message = data.get("message") or {}
            if message.get("content"):
                texts.append(message["content"])
            if message.get("thinking"):
                thinking.append(message["thinking"])
            tool_calls.extend(self._tool_call(call) for call in message.get("tool_calls") or [])
            if data.get("done"):
                break
        content = "".join(texts) or None
        if content:
            self.parts.append(content)
        metadata: dict[str, Any] = {"thinking": "".join(thinking)} if thinking else {}
        finish = usage = None
        self.done = bool(data.get("done"))
        if self.done:
            reason = self.FINISH.get(data.get("done_reason") or "", "stop")
            finish = "tool_calls" if self.calls else reason
            usage = Usage(
                prompt_tokens=data.get("prompt_eval_count") or 0,
                completion_tokens=data.get("eval_count") or 0,
                total_tokens=(data.get("prompt_eval_count") or 0) + (data.get("eval_count") or 0),
            )
            metadata.update(_timings(data))
        return self.provider.chunk(
            data.get("model") or self.model,
            content,
            tool_calls=tool_calls or None,
            finish_reason=finish,
            usage=usage,
            metadata=metadata,
        )

    def _tool_call(self, call: dict[str, Any]) -> ToolCall:
        self.calls += 1
        function = call.get("function") or {}
        arguments = function.get("arguments") or {}
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        return ToolCall(
            id=call.get("id") or f"call_{self.calls}",
            function=FunctionCall(name=function.get("name") or "", arguments=arguments),
        )

    def cut(self) -> ProviderConnectionError:
        return ProviderConnectionError(
            "the stream from Ollama ended before it said it was done",
            provider=self.provider.name,
            partial_text=self.text,
        )


def _timings(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    eval_count, eval_duration = data.get("eval_count"), data.get("eval_duration")
    if eval_count and eval_duration:
        result["tokens_per_second"] = eval_count / eval_duration * 1e9
    for key in ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration"):
        if data.get(key) is not None:
            result[f"{key}_s"] = data[key] / 1e9
    return result


def parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def ollama_messages(messages: Iterable[Message]) -> list[dict[str, Any]]:
    """Our messages in Ollama's shape: tool-call arguments as objects, tool results named,
    images as a list of base64 strings beside the text."""
    names: dict[str, str] = {}
    result: list[dict[str, Any]] = []
    for message in messages:
        item: dict[str, Any] = {"role": message.role, "content": message.content or ""}
        if message.tool_calls:
            item["tool_calls"] = [
                {"function": {"name": c.function.name, "arguments": c.function.parsed_arguments()}}
                for c in message.tool_calls
            ]
            names.update({c.id: c.function.name for c in message.tool_calls})
        if message.images:
            item["images"] = [image.data for image in message.images]  # base64, no type
        if message.role == "tool":
            tool_name = message.name or names.get(message.tool_call_id or "")
            if tool_name:
                item["tool_name"] = tool_name
        result.append(item)
    return result
