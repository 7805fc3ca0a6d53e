"""``coda-tui ask --tools``: the chat's tool loop in a script. The enabled MCP servers' tools
are offered; a call runs only if its tool is named with ``--allow-tool`` (``server__tool``, or
the tool's own name); any other call is denied, and the model is told so. Nothing runs
unapproved. The answer goes to stdout; each call, its decision and its result to stderr.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TextIO

from .config import LoadedConfig
from .providers import ProviderError, ProviderFactory, Tool, ToolCall
from .services.answer_stream import AnswerStream
from .services.chat_session import ChatParams, ChatSession
from .services.mcp_hub import McpHub, split_name
from .services.tool_rounds import Decision, ToolStep
from .services.untrusted import visible_text

EXIT_ERROR = 1


class CommandLineTools:
    """The hub's tools, decided by the command line's ``--allow-tool`` list."""

    def __init__(self, hub: McpHub, tools: list[Tool], allowed: set[str], max_rounds: int):
        self.hub = hub
        self.tools = tools
        self.allowed = allowed
        self.max_rounds = max_rounds

    def definitions(self) -> list[Tool]:
        return self.tools

    async def decide(self, call: ToolCall) -> Decision:
        name = call.function.name
        if name in self.allowed or split_name(name)[1] in self.allowed:
            return Decision(True)
        return Decision(False, "this tool was not allowed on the command line (--allow-tool)")

    async def run(self, call: ToolCall) -> tuple[str, bool]:
        result = await self.hub.call(call.function.name, call.function.parsed_arguments())
        return result.text, result.is_error

    def done(self, call: ToolCall, step: ToolStep) -> None:
        arguments = json.dumps(step.arguments, ensure_ascii=False)
        outcome = {"denied": "denied"}.get(step.decision, "failed" if step.is_error else "ran")
        result = " ".join(step.result.split())[:200]
        print(
            visible_text(f"coda-tui: tool {step.name} {arguments}: {outcome}: {result}"),
            file=sys.stderr,
        )


class StreamView:
    """An answer view that writes to a stream (stdout) and keeps the error for the exit."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.shown = visible_text if out.isatty() else str
        self.error = ""
        self._last = "\n"

    def feed(self, text: str) -> None:
        self.out.write(self.shown(text))
        self.out.flush()
        self._last = text[-1:] or self._last

    async def show_error(self, message: str, hint: str) -> None:
        self.error = f"{message} — {hint}" if hint else message

    async def finish(self) -> None:
        if self._last != "\n":
            self.out.write("\n")
        self.out.flush()

    def set_status(self, status: str) -> None:
        pass


def ask_with_tools(
    loaded: LoadedConfig,
    provider: str | None,
    model: str | None,
    prompt: str,
    allowed: list[str],
) -> int:
    return asyncio.run(_ask(loaded, provider, model, prompt, set(allowed)))


async def _ask(
    loaded: LoadedConfig, provider: str | None, model: str | None, prompt: str, allowed: set[str]
) -> int:
    factory = ProviderFactory(loaded)
    hub = McpHub(loaded.config.mcp.servers)
    chosen = None
    try:
        chosen = factory.create(provider or None, **({"model": model} if model else {}))
        tools = await hub.tools()
        for state in hub.states.values():
            if state.status == "failed":
                tail = f" ({state.stderr_tail.splitlines()[-1]})" if state.stderr_tail else ""
                print(
                    f"coda-tui: MCP server {state.name} failed: {state.error}{tail}",
                    file=sys.stderr,
                )
        if not tools:
            print(
                "coda-tui: no MCP tools to offer: see [mcp.servers] in the config", file=sys.stderr
            )
        params = ChatParams.from_defaults(loaded.config.defaults)
        session = ChatSession(None, chosen.name, model or chosen.settings.model or "", params)
        session.add_user(prompt)
        runner = CommandLineTools(
            hub, [t.as_tool() for t in tools], allowed, loaded.config.mcp.max_rounds
        )
        answer = AnswerStream(session, factory, tools=runner if tools else None)
        view = StreamView(sys.stdout)

        async def shown() -> None:
            return None

        status = await answer.run(view, shown)
        if answer.note:
            print(f"coda-tui: {answer.note} (max_rounds in [mcp])", file=sys.stderr)
        if status == "error":
            print(f"coda-tui: {view.error}", file=sys.stderr)
            return EXIT_ERROR
        return 0
    except ProviderError as error:
        print(f"coda-tui: {error}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        await hub.aclose()
        if chosen is not None:
            await chosen.aclose()
