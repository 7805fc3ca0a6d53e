"""MCP tools in the chat (see ``ui.tool_runner``): "always" holds for the chat it was said in."""

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

    async def tool_runner(self) -> CardToolRunner | None:
        from ..tool_runner import tool_runner

        return await tool_runner(
            self.app,
            self.coda.mcp_hub,
            self.models.get((self.session.provider, self.session.model)),
            self.coda.loaded.config.mcp.max_rounds,
            self.allowed_tools,
            self.messages,
            self._reported,
        )
