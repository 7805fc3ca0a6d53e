"""Tool rounds in an answer: the model asks for tool calls, each is allowed or denied (by the
user, through the screen), run, and its result sent back, until the model answers in words or
the limit on rounds is reached.

An answer keeps its rounds in its metrics (``tools``): the text each round began with, each
call with its arguments, the decision and the result. The chat's turns stay prompt and answer,
so branches, search and export work as before; the rounds are played back to the model as the
assistant tool-call and tool messages its API expects (``replay``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ..providers import FunctionCall, Message, Tool, ToolCall


@dataclass(frozen=True)
class Decision:
    allow: bool
    reason: str = ""
    always: bool = False
    """Allowed without asking from now on (in this chat)."""


@dataclass
class ToolStep:
    call_id: str
    name: str
    arguments: dict[str, Any]
    decision: str
    """allowed, always (allowed without asking) or denied."""
    result: str
    is_error: bool = False

    def as_message(self) -> Message:
        return Message(role="tool", tool_call_id=self.call_id, name=self.name, content=self.result)

    def as_call(self) -> ToolCall:
        return ToolCall(
            id=self.call_id,
            function=FunctionCall(name=self.name, arguments=json.dumps(self.arguments)),
        )


@dataclass
class ToolRound:
    text: str
    """What the model wrote before its calls, in this round."""
    steps: list[ToolStep] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ToolRound:
        return cls(data.get("text", ""), [ToolStep(**step) for step in data.get("steps", [])])


class ToolRunner(Protocol):
    """What an answer needs to use tools; the screen builds one (the hub, and its questions)."""

    max_rounds: int

    def definitions(self) -> list[Tool]: ...

    async def decide(self, call: ToolCall) -> Decision: ...

    async def run(self, call: ToolCall) -> tuple[str, bool]:
        """The tool's result text, and whether it is an error."""
        ...

    def done(self, call: ToolCall, step: ToolStep) -> None:
        """The call is over (shown as such)."""
        ...


def denied_text(reason: str) -> str:
    """What the model is told of a call the user did not allow."""
    said = f" They said: {reason}" if reason.strip() else ""
    return f"The user did not allow this tool call.{said}"


def round_messages(round_: ToolRound) -> list[Message]:
    """One round as the model's API expects it: its text and calls, then each result."""
    calls = [step.as_call() for step in round_.steps]
    return [
        Message(role="assistant", content=round_.text or None, tool_calls=calls),
        *(step.as_message() for step in round_.steps),
    ]


def rounds_of(metrics: dict[str, Any]) -> list[ToolRound]:
    return [ToolRound.from_dict(data) for data in metrics.get("tools") or []]


def replay(content: str, metrics: dict[str, Any]) -> list[Message]:
    """A saved answer as the model saw it: each round, then the final text (the answer's text
    after what its rounds began with)."""
    rounds = rounds_of(metrics)
    messages = [message for round_ in rounds for message in round_messages(round_)]
    said = sum(len(round_.text) for round_ in rounds)
    final = content[said:] if content.startswith("".join(r.text for r in rounds)) else content
    if final or not messages:
        messages.append(Message(role="assistant", content=final))
    return messages
