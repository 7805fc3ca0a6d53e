"""MCP tools in the chat: the enabled servers' tools are offered to the model; each call it
asks for shows as a card in its answer and waits for you (y once, a always in this chat, n
deny with a reason). Esc stops the whole answer, tools and all. A server that failed to start
is reported once, with its stderr, and the chat goes on without its tools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ...providers import Tool, ToolCall
    from ...services.mcp_hub import McpHub
    from ...services.tool_rounds import Decision, ToolStep
    from ..widgets.message import MessageView
    from ..widgets.tool_card import ToolCard
    from .chat import ChatScreen

    _Base = ChatScreen
else:
    _Base = object


class ScreenToolRunner:
    """The hub's tools, with the chat screen asking you about each call."""

    def __init__(self, screen: ChatTools, hub: McpHub, tools: list[Tool], max_rounds: int) -> None:
        self.screen = screen
        self.hub = hub
        self.tools = tools
        self.max_rounds = max_rounds
        self.view: MessageView | None = None
        self.cards: dict[str, ToolCard] = {}

    def definitions(self) -> list[Tool]:
        return self.tools

    async def decide(self, call: ToolCall) -> Decision:
        from ...services.tool_rounds import Decision
        from ..widgets.tool_card import ToolCard

        card = ToolCard(call.function.name, call.function.parsed_arguments())
        self.cards[call.id] = card
        if self.view is not None:
            self.view.waiting_on_tools()
            await self.view.mount(card, before=self.view.body)
            self.screen.messages.anchor()
        if call.function.name in self.screen.allowed_tools or self._saved(call.function.name):
            card.running()
            return Decision(True, always=True)
        decision = await card.ask()
        if decision.always:
            self.screen.allowed_tools.add(call.function.name)
        return decision

    def _saved(self, qualified: str) -> bool:
        """Allowed in the config: ``allow = ["tool"]`` in its server's section."""
        server, _, tool = qualified.partition("__")
        section = self.hub.servers.get(server)
        return section is not None and tool in section.allow

    async def run(self, call: ToolCall) -> tuple[str, bool]:
        result = await self.hub.call(call.function.name, call.function.parsed_arguments())
        return result.text, result.is_error

    def done(self, call: ToolCall, step: ToolStep) -> None:
        card = self.cards.get(call.id)
        if card is not None:
            card.finish(step)


class ChatTools(_Base):
    """Mixed into the chat screen."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed_tools: set[str] = set()
        """Tools allowed without asking, in this chat (a): forgotten with a new chat."""
        self._reported: set[str] = set()

    async def tool_runner(self) -> ScreenToolRunner | None:
        """The tools for the next answer, or None: no servers, or a model known to take none."""
        hub = self.coda.mcp_hub
        if not any(server.enabled for server in hub.servers.values()):
            return None
        model = self.models.get((self.session.provider, self.session.model))
        if model is not None and model.capabilities_known and "tools" not in model.capabilities:
            return None
        tools = await hub.tools()
        for state in hub.states.values():
            if state.status == "failed" and state.name not in self._reported:
                self._reported.add(state.name)
                tail = f"\n{state.stderr_tail}" if state.stderr_tail else ""
                self.notify(
                    f"MCP server {state.name} failed: {state.error}{tail}",
                    severity="error",
                    timeout=20,
                )
        if not tools:
            return None
        max_rounds = self.coda.loaded.config.mcp.max_rounds
        return ScreenToolRunner(self, hub, [tool.as_tool() for tool in tools], max_rounds)
