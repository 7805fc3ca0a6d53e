"""MCP tools for an answer on screen (a chat's, or a compare pane's): the enabled servers'
tools are offered; each call the model asks for shows as a card in its answer and waits for
you (y once, a always here, n deny with a reason). A server that failed to start is reported
once, with its stderr, and the answer goes on without its tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.app import App

    from ..providers import Model, Tool, ToolCall
    from ..services.mcp_hub import McpHub
    from ..services.tool_rounds import Decision, ToolStep
    from .widgets.message import MessageScroll, MessageView
    from .widgets.tool_card import ToolCard


class CardToolRunner:
    """The hub's tools, with a card asking about each call in the answer's view."""

    def __init__(
        self,
        hub: McpHub,
        tools: list[Tool],
        max_rounds: int,
        allowed: set[str],
        scroll: MessageScroll,
    ) -> None:
        self.hub = hub
        self.tools = tools
        self.max_rounds = max_rounds
        self.allowed = allowed
        """Tools allowed without asking where this answer is (the chat, the comparison)."""
        self.scroll = scroll
        self.view: MessageView | None = None
        self.cards: dict[str, ToolCard] = {}

    def definitions(self) -> list[Tool]:
        return self.tools

    async def decide(self, call: ToolCall) -> Decision:
        from ..services.tool_rounds import Decision
        from .widgets.tool_card import ToolCard

        card = ToolCard(call.function.name, call.function.parsed_arguments())
        self.cards[call.id] = card
        if self.view is not None:
            self.view.waiting_on_tools()
            await self.view.mount(card, before=self.view.body)
            self.scroll.anchor()
        if call.function.name in self.allowed or self._saved(call.function.name):
            card.running()
            return Decision(True, always=True)
        decision = await card.ask()
        if decision.always:
            self.allowed.add(call.function.name)
        return decision

    def _saved(self, qualified: str) -> bool:
        """Allowed in the config: ``allow = ["tool"]`` in its server's section."""
        from ..services.mcp_hub import split_name

        server, tool = split_name(qualified)
        section = self.hub.servers.get(server)
        return section is not None and tool in section.allow

    async def run(self, call: ToolCall) -> tuple[str, bool]:
        result = await self.hub.call(call.function.name, call.function.parsed_arguments())
        return result.text, result.is_error

    def done(self, call: ToolCall, step: ToolStep) -> None:
        card = self.cards.get(call.id)
        if card is not None:
            card.finish(step)

    def ended(self) -> None:
        """The answer is over: a card still waiting or running says it stopped."""
        for card in self.cards.values():
            card.stopped()


async def tool_runner(
    app: App[object],
    hub: McpHub,
    model: Model | None,
    max_rounds: int,
    allowed: set[str],
    scroll: MessageScroll,
    reported: set[str],
) -> CardToolRunner | None:
    """The tools for the next answer, or None: no servers, or a model known to take none.
    ``reported``: the failed servers already told of where this answer is (told once)."""
    if not any(server.enabled for server in hub.servers.values()):
        return None
    if model is not None and model.capabilities_known and "tools" not in model.capabilities:
        return None
    tools = await hub.tools()
    for state in hub.states.values():
        if state.status == "failed" and state.name not in reported:
            reported.add(state.name)
            tail = f"\n{state.stderr_tail}" if state.stderr_tail else ""
            app.notify(
                f"MCP server {state.name} failed: {state.error}{tail}", severity="error", timeout=20
            )
    if not tools:
        return None
    return CardToolRunner(hub, [tool.as_tool() for tool in tools], max_rounds, allowed, scroll)
