"""A tool call in an answer: which tool, its arguments as formatted JSON, and its outcome. While
it waits, it asks: y allows it once, a allows the tool for the rest of the chat, n denies it
(with a reason the model is told). Arguments and results are shown as text, never as markup."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from ..text import visible_text

if TYPE_CHECKING:
    from ...services.tool_rounds import Decision, ToolStep

RESULT_LINES = 12
"""Lines of a result shown on the card (the model gets all of it)."""


def tool_title(name: str) -> str:
    """``calc__add`` as ``calc · add``: the server, then its tool."""
    from ...services.mcp_hub import split_name

    server, tool = split_name(name)
    return f"{server} · {tool}" if tool else name


def shown(text: str, lines: int = RESULT_LINES) -> str:
    kept = text.splitlines()
    more = f"\n… {len(kept) - lines} more lines" if len(kept) > lines else ""
    return visible_text("\n".join(kept[:lines])) + more


class ToolCard(Vertical, can_focus=True):
    DEFAULT_CSS = """
    ToolCard { height: auto; margin: 0 0 1 0; padding: 0 1; border-left: wide $warning; }
    ToolCard:focus { border-left: wide $accent; background: $boost; }
    ToolCard.-done { border-left: wide $success; }
    ToolCard.-failed { border-left: wide $error; }
    ToolCard .tool-title { text-style: bold; }
    ToolCard .tool-arguments { color: $text-muted; }
    ToolCard .tool-state { color: $text-warning; }
    ToolCard.-done .tool-state { color: $text; }
    ToolCard.-failed .tool-state { color: $text-error; }
    """

    BINDINGS = [
        Binding("y", "decide('once')", "Allow", id="tool_allow", tooltip="Run it this once"),
        Binding("a", "decide('always')", "Always", id="tool_always", tooltip="Allow in this chat"),
        Binding("n", "decide('deny')", "Deny", id="tool_deny", tooltip="Tell the model why not"),
    ]

    def __init__(self, name: str, arguments: dict[str, Any]) -> None:
        super().__init__()
        self.tool_name = name
        self.arguments = arguments
        self.decision: asyncio.Future[Decision] | None = None
        self._state = Static("", classes="tool-state")

    def compose(self) -> ComposeResult:
        yield Static(Content(f"⚙ {tool_title(self.tool_name)}"), classes="tool-title")
        text = json.dumps(self.arguments, indent=2, ensure_ascii=False)
        yield Static(Content(shown(text)), classes="tool-arguments")
        yield self._state

    def ask(self) -> asyncio.Future[Decision]:
        """Wait for y, a or n (the card takes the focus)."""
        self.decision = asyncio.get_running_loop().create_future()
        self._state.update(Content("Run it?  y once · a always in this chat · n deny · Esc stop"))
        self.focus()
        return self.decision

    def action_decide(self, choice: str) -> None:
        from ...services.tool_rounds import Decision

        if self.decision is None or self.decision.done():
            return
        if choice != "deny":
            self.decision.set_result(Decision(True, always=choice == "always"))
            self._state.update(Content("running…"))
            return
        from ..dialogs import TextPromptScreen

        def said(reason: str | None) -> None:
            if self.decision is not None and not self.decision.done():
                self.decision.set_result(Decision(False, reason or ""))

        self.app.push_screen(TextPromptScreen("Deny: what should the model be told?"), said)

    def stopped(self) -> None:
        """The answer ended (Esc) while the card waited or its tool ran."""
        if self.has_class("-done") or self.has_class("-failed"):
            return
        if self.decision is not None and not self.decision.done():
            self.decision.cancel()
        self._state.update(Content("⏹ stopped"))

    def running(self) -> None:
        self._state.update(Content("running… (allowed without asking)"))

    def finish(self, step: ToolStep) -> None:
        if step.decision == "denied":
            state = f"✕ denied — {step.result}"
        else:
            state = f"{'✕ failed' if step.is_error else '✓'}  {shown(step.result)}"
        self._state.update(Content(state))
        self.set_class(step.decision != "denied" and not step.is_error, "-done")
        self.set_class(step.decision == "denied" or step.is_error, "-failed")
