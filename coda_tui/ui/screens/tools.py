"""The MCP servers and their tools: each server's state (starting, ready, failed with its error
and the tail of its stderr), each tool with its description and input schema. Enter turns a
tool off or on for this run; r restarts the highlighted server; Esc goes back."""

from __future__ import annotations

import json
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from ...services.mcp_hub import McpHub, ServerState, qualified_name
from ..text import visible_text
from ..widgets.footer import CodaFooter
from .base import CodaScreen

STATE_MARK = {"off": "○", "starting": "…", "ready": "●", "failed": "✕", "stopped": "○"}


class ToolsScreen(CodaScreen):
    DEFAULT_CSS = """
    ToolsScreen > Vertical { padding: 0 1; }
    ToolsScreen Label { color: $text-muted; width: 100%; }
    ToolsScreen #tool-list { height: 1fr; }
    ToolsScreen #tool-details { height: auto; max-height: 50%; border-top: solid $panel;
        overflow-y: auto; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="tools_close"),
        Binding("enter", "toggle", "On/off", id="tools_toggle", tooltip="Offer it to models"),
        Binding("r", "restart", "Restart", id="tools_restart", tooltip="The server again"),
    ]
    PALETTE = (
        ("toggle", "Tools: turn the highlighted tool off or on", "For this run (Enter)"),
        ("restart", "Tools: restart the highlighted server", "Stop it and start it again (r)"),
    )

    def __init__(self, hub: McpHub) -> None:
        super().__init__()
        self.hub = hub
        self.rows: list[tuple[str, str | None]] = []
        """Each option's (server, tool); a server's own row has no tool."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("MCP servers and their tools · [mcp.servers.NAME] in the config"))
            yield OptionList(id="tool-list")
            yield Static("", id="tool-details")
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        self.show()
        self.query_one("#tool-list", OptionList).focus()
        self.start_all()

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def start_all(self) -> None:
        for name in self.hub.servers:
            if self.hub.states[name].status in ("off", "stopped"):
                self.hub.states[name].status = "starting"
        self.show()
        await self.hub.tools(list(self.hub.servers))
        self.show()

    def show(self) -> None:
        options = self.query_one("#tool-list", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        self.rows = []
        if not self.hub.servers:
            options.add_option(
                Option(
                    Content("No MCP servers: add [mcp.servers.NAME] to the config"), disabled=True
                )
            )
        for name, state in self.hub.states.items():
            enabled = "" if self.hub.servers[name].enabled else " · off in the config"
            summary = f"{len(state.tools)} tools" if state.status == "ready" else state.status
            line = f"{STATE_MARK[state.status]} {name}  {summary}{enabled}"
            options.add_option(Option(Content(line)))
            self.rows.append((name, None))
            for tool in state.tools:
                box = "[ ]" if tool.qualified in self.hub.disabled else "[x]"
                first = (tool.description or "").strip().splitlines()
                about = f"  {first[0]}" if first else ""
                options.add_option(Option(Content(f"   {box} {tool.name}{about}")))
                self.rows.append((name, tool.name))
        if self.rows:
            options.highlighted = min(highlighted or 0, len(self.rows) - 1)
        self.describe()

    @on(OptionList.OptionHighlighted, "#tool-list")
    def describe(self) -> None:
        details = self.query_one("#tool-details", Static)
        row = self._row()
        if row is None:
            details.update("")
            return
        server, tool_name = row
        state = self.hub.states[server]
        if tool_name is None:
            details.update(Content(visible_text(self._server_text(state))))
            return
        tool = next(t for t in state.tools if t.name == tool_name)
        schema = json.dumps(tool.input_schema, indent=2, ensure_ascii=False)
        text = f"{tool.qualified}\n{tool.description}\n\nInput schema:\n{schema}"
        details.update(Content(visible_text(text)))

    def _server_text(self, state: ServerState) -> str:
        server = self.hub.servers[state.name]
        how = (  # the program's name: its folder is long, and says little
            f"{Path(server.command).name} {' '.join(server.args)}".strip()
            if server.command
            else str(server.url)
        )
        text = f"{state.name}: {state.status} · {how} · tools time out after {server.timeout:g} s"
        if state.error:
            text += f"\n{state.error}"
        if state.stderr_tail:
            text += f"\nstderr:\n{state.stderr_tail}"
        return text

    def _row(self) -> tuple[str, str | None] | None:
        index = self.query_one("#tool-list", OptionList).highlighted
        return self.rows[index] if index is not None and index < len(self.rows) else None

    @on(OptionList.OptionSelected, "#tool-list")
    def selected(self) -> None:
        """Enter on the list (the list takes Enter before the screen's binding)."""
        self.action_toggle()

    def action_toggle(self) -> None:
        row = self._row()
        if row is None or row[1] is None:
            return
        qualified = qualified_name(row[0], row[1])
        if qualified in self.hub.disabled:
            self.hub.disabled.discard(qualified)
        else:
            self.hub.disabled.add(qualified)
        self.show()

    @work(exclusive=True, group="tools", exit_on_error=False)
    async def action_restart(self) -> None:
        row = self._row()
        if row is None:
            return
        self.hub.states[row[0]].status = "starting"
        self.show()
        await self.hub.restart(row[0])
        self.show()
