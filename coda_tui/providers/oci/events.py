"""OCI Generative AI stream events, read into our chunk pieces; no ``oci`` import needed.

The service speaks two formats. Cohere events carry ``text`` deltas, and the last one (with
``finishReason``) repeats the whole answer, so its text is never appended again. Generic events
(Meta, xAI, OpenAI, Google) carry ``message.content[].text`` and ``message.toolCalls``, whose
``arguments`` may be split over several events: they are assembled by id, else by position. The
live service may send no ``[DONE]`` and keep the connection open, so the reader stops on its own
after the finish event (and the usage event, when one follows).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..errors import StreamDecodeError
from ..models import FunctionCall, ToolCall, Usage

COHERE_FINISH = {
    "COMPLETE": "stop",
    "MAX_TOKENS": "length",
    "ERROR_TOXIC": "content_filter",
    "ERROR_LIMIT": "length",
    "USER_CANCEL": "stop",
    "ERROR": "error",
}
GENERIC_FINISH = {"stop": "stop", "length": "length", "tool_calls": "tool_calls"}


def usage_from(data: dict[str, Any] | None) -> Usage | None:
    if not data:
        return None
    prompt = int(data.get("promptTokens") or 0)
    completion = int(data.get("completionTokens") or 0)
    total = int(data.get("totalTokens") or prompt + completion)
    return Usage(prompt_tokens=prompt, completion_tokens=completion, total_tokens=total)


def cohere_tool_call(call: dict[str, Any], index: int) -> ToolCall:
    """Cohere names calls but gives them no id; ours carries the name so results can match."""
    name = str(call.get("name") or "tool")
    arguments = json.dumps(call.get("parameters") or {})
    return ToolCall(
        id=f"cohere-{index}-{name}", function=FunctionCall(name=name, arguments=arguments)
    )


@dataclass
class Piece:
    """What one event adds: text, finished tool calls, the finish reason, usage."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    usage: Usage | None = None


@dataclass
class _PendingCall:
    id: str
    name: str = ""
    arguments: str = ""


@dataclass
class EventDecoder:
    """Feed it each event's ``data``; it says what to emit and when the answer is over."""

    cohere: bool
    finished: bool = False
    has_usage: bool = False
    _calls: list[_PendingCall] = field(default_factory=list)

    def feed(self, data: str, into: Piece | None = None) -> Piece:
        """What this event adds, folded into ``into`` when given (one Piece for a batch)."""
        piece = Piece() if into is None else into
        if data.strip() == "[DONE]":
            self.finished = True
            return piece
        try:
            event = json.loads(data)
        except json.JSONDecodeError as exc:
            raise StreamDecodeError(
                f"OCI sent an event that is not JSON: {data[:80]!r}", provider="oci_genai"
            ) from exc
        if not isinstance(event, dict):
            raise StreamDecodeError("OCI sent an event that is not an object", provider="oci_genai")
        if self.cohere:
            self._cohere(event, piece)
        else:
            self._generic(event, piece)
        if "usage" in event:
            piece.usage = usage_from(event["usage"]) or piece.usage
            self.has_usage = self.has_usage or piece.usage is not None
        return piece

    @property
    def done(self) -> bool:
        """Finished and nothing more worth waiting for."""
        return self.finished and self.has_usage

    def _cohere(self, event: dict[str, Any], piece: Piece) -> None:
        reason = event.get("finishReason")
        calls = [cohere_tool_call(c, i) for i, c in enumerate(event.get("toolCalls") or [])]
        piece.tool_calls += calls
        if reason is None:
            piece.text += str(event.get("text") or "")
            return
        self.finished = True  # its text repeats the whole answer: not appended again
        finish = "tool_calls" if calls else COHERE_FINISH.get(str(reason), str(reason).lower())
        piece.finish_reason = finish

    def _generic(self, event: dict[str, Any], piece: Piece) -> None:
        message = event.get("message") or {}
        for part in message.get("content") or ():
            if isinstance(part, dict) and part.get("type", "TEXT") == "TEXT":
                piece.text += str(part.get("text") or "")
        for position, call in enumerate(message.get("toolCalls") or event.get("toolCalls") or []):
            self._add_call(call, position)
        reason = event.get("finishReason")
        if reason is not None:
            self.finished = True
            calls = self._finish_calls()
            piece.tool_calls += calls
            lowered = str(reason).lower()
            piece.finish_reason = "tool_calls" if calls else GENERIC_FINISH.get(lowered, lowered)

    def _add_call(self, call: dict[str, Any], position: int) -> None:
        call_id = call.get("id")
        pending = next((p for p in self._calls if call_id and p.id == call_id), None)
        if pending is None and not call_id and position < len(self._calls):
            pending = self._calls[position]
        if pending is None:
            pending = _PendingCall(id=call_id or f"call-{uuid.uuid4().hex[:12]}")
            self._calls.append(pending)
        pending.name = pending.name or str(call.get("name") or "")
        pending.arguments += str(call.get("arguments") or "")

    def _finish_calls(self) -> list[ToolCall]:
        calls = [
            ToolCall(id=p.id, function=FunctionCall(name=p.name, arguments=p.arguments or "{}"))
            for p in self._calls
        ]
        self._calls = []
        return calls
