"""A chat as Markdown (for people: the branch shown) and JSON (for programs: every branch)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from ..units import human_bytes
from .attachments import Attachment
from .history import ChatRecord, StoredMessage

_HEADINGS = {"user": "You", "assistant": "Assistant", "system": "System", "tool": "Tool"}


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def fence_for(text: str) -> str:
    """A code fence longer than any backtick run in ``text``, so nothing breaks out of it."""
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def chat_to_markdown(chat: ChatRecord, messages: list[StoredMessage]) -> str:
    lines = [f"# {chat.title}", "", f"*{chat.provider} · {chat.model} · {_when(chat.created_at)}*"]
    if chat.system_prompt:
        fence = fence_for(chat.system_prompt)
        lines += ["", "**System prompt**", "", fence, chat.system_prompt, fence]
    for message in messages:
        heading = _HEADINGS.get(message.role, message.role.title())
        if message.role == "assistant" and message.model:
            heading += f" ({message.provider} · {message.model})"
        if message.status in ("stopped", "error", "length", "interrupted", "replaced"):
            heading += f" — {message.status}"
        if message.siblings > 1:
            heading += f" — {message.sibling} of {message.siblings}"
        lines += ["", f"## {heading}"]
        lines += _tool_lines(message.metrics.get("tools") or [])
        lines += ["", message.content.rstrip()]
        if message.attachments:
            lines += ["", "Attached:"]
            lines += [f"- {_attachment_line(a)}" for a in message.attachments]
    return "\n".join(lines).rstrip() + "\n"


def _tool_lines(rounds: list[dict[str, Any]]) -> list[str]:
    """Each tool call of an answer, before its text: the call, the decision, the result."""
    lines: list[str] = []
    for round_ in rounds:
        for step in round_.get("steps", []):
            arguments = json.dumps(step.get("arguments", {}), ensure_ascii=False)
            outcome = {"denied": "denied", "always": "allowed (always)"}.get(
                str(step.get("decision")), "allowed"
            )
            if step.get("is_error") and outcome != "denied":
                outcome += ", failed"
            result = str(step.get("result", ""))
            fence = fence_for(result)
            lines += ["", f"**Tool call** `{step.get('name')}` {arguments} — {outcome}", ""]
            lines += [fence, result, fence]
    return lines


def _attachment_line(attachment: Attachment) -> str:
    """notes.py (/home/me/notes.py, text/plain, 1.2 KB, sha256 1a2b3c4d5e6f)"""
    return (
        f"{attachment.name} ({attachment.path}, {attachment.media_type}, "
        f"{human_bytes(attachment.size)}, sha256 {attachment.digest[:12]})"
    )


def chat_to_json(
    chat: ChatRecord, messages: list[StoredMessage], branch: list[int] | None = None
) -> str:
    """``messages``: every message of the chat, each with its parent; ``branch``: the ids of
    the branch shown, first to last (all of them, in order, when not given)."""
    payload: dict[str, Any] = {
        "chat": {
            "id": chat.id,
            "title": chat.title,
            "provider": chat.provider,
            "model": chat.model,
            "system_prompt": chat.system_prompt,
            "params": chat.params,
            "created_at": _when(chat.created_at),
        },
        "branch": [m.id for m in messages] if branch is None else branch,
        "messages": [
            {
                "id": m.id,
                "parent_id": m.parent_id,
                "role": m.role,
                "content": m.content,
                "status": m.status,
                "provider": m.provider,
                "model": m.model,
                "metrics": m.metrics,
                "created_at": _when(m.created_at),
                **(
                    {"attachments": [_attachment_json(a) for a in m.attachments]}
                    if m.attachments
                    else {}
                ),
            }
            for m in messages
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _attachment_json(attachment: Attachment) -> dict[str, Any]:
    return {
        "kind": attachment.kind,
        "name": attachment.name,
        "path": attachment.path,
        "media_type": attachment.media_type,
        "size": attachment.size,
        "sha256": attachment.digest,
        "tokens": attachment.tokens,
    }
