"""MCP tools in the chat (see ``ui.tool_runner``): "always" holds for the chat it was said in,
and tools can be turned off for one chat."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tool_runner import CardToolRunner
    from .chat import ChatScreen

    _Base = ChatScreen
else:
    _Base = object


class ChatTools(_Base):
    """Mixed into the chat screen."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed_tools: set[str] = set()
        """Tools allowed without asking, in this chat (a): forgotten with a new chat."""
        self._reported: set[str] = set()
        self.tools_off = False
        """No MCP tools in this chat (the palette's "tools on or off"); a new chat has them."""

    def action_toggle_tools(self) -> None:
        self.tools_off = not self.tools_off
        if self.tools_off:
            self.notify("MCP tools are off in this chat: the model is offered none")
        else:
            self.notify("MCP tools are on in this chat (Tools in the palette lists them)")

    async def tool_runner(self) -> CardToolRunner | None:
        from ..tool_runner import tool_runner

        if self.tools_off:
            return None
        return await tool_runner(
            self.app,
            self.coda.mcp_hub,
            self.models.get((self.session.provider, self.session.model)),
            self.coda.loaded.config.mcp.max_rounds,
            self.allowed_tools,
            self.messages,
            self._reported,
        )
