"""The MCP servers of ``[mcp.servers.NAME]``, through the official ``mcp`` SDK: each started when
its tools are first wanted, on a task of its own (the SDK's connection lives in one task, from
its start to its end), and stopped at exit. A server that fails to start is kept as failed,
with its error and the tail of what it wrote to stderr; the chat goes on without its tools.

A tool's call has a time limit; a timeout, a server's error or a crash comes back as a failed
result, which the model is told, never as an exception in the caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TextIO

from ..config import McpServer, UnsetVariableError, resolve_tree
from ..providers import FunctionDefinition, Tool

START_TIMEOUT = 30.0
"""Seconds a server may take to start and answer the handshake (``npx`` may download first)."""
STDERR_TAIL = 20
"""Lines of a failed server's stderr kept to show."""
SEPARATOR = "__"
"""Between a server's name and its tool's in the name the model sees: two servers may each
have a ``search``. Function names allow letters, digits, ``_`` and ``-``."""


def qualified_name(server: str, tool: str) -> str:
    return f"{server}{SEPARATOR}{tool}"


def split_name(qualified: str) -> tuple[str, str]:
    """``calc__add`` -> (``calc``, ``add``); a name without a server -> (it, "")."""
    server, _, tool = qualified.partition(SEPARATOR)
    return server, tool


Status = Literal["off", "starting", "ready", "failed", "stopped"]


@dataclass(frozen=True)
class ToolInfo:
    server: str
    name: str
    description: str
    input_schema: dict[str, Any]

    @property
    def qualified(self) -> str:
        return qualified_name(self.server, self.name)

    def as_tool(self) -> Tool:
        """As the providers send it to a model (an OpenAI-style function)."""
        return Tool(
            function=FunctionDefinition(
                name=self.qualified,
                description=self.description or None,
                parameters=self.input_schema or {"type": "object", "properties": {}},
            )
        )


@dataclass
class ServerState:
    name: str
    status: Status = "off"
    error: str = ""
    stderr_tail: str = ""
    tools: list[ToolInfo] = field(default_factory=list)


@dataclass(frozen=True)
class ToolResult:
    text: str
    is_error: bool = False


class McpHub:
    def __init__(
        self, servers: Mapping[str, McpServer], environ: Mapping[str, str] | None = None
    ) -> None:
        self.servers = dict(servers)
        self.environ = environ
        self.states = {name: ServerState(name) for name in self.servers}
        self.disabled: set[str] = set()
        """Tools (``server__tool``) not offered to models, whatever their server (this run)."""
        self._clients: dict[str, Any] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._ready: dict[str, asyncio.Event] = {}
        self._stop: dict[str, asyncio.Event] = {}

    # -- starting and stopping ------------------------------------------------------------------

    async def start(self, name: str) -> ServerState:
        """Start ``name`` unless it is running or starting; return once it is ready or failed.
        A server that failed stays failed (every prompt would wait for it to fail again) until
        ``restart``."""
        state = self.states[name]
        if state.status == "failed":
            return state
        if name not in self._tasks or self._tasks[name].done():
            state.status, state.error, state.stderr_tail = "starting", "", ""
            self._ready[name], self._stop[name] = asyncio.Event(), asyncio.Event()
            self._tasks[name] = asyncio.create_task(self._serve(name), name=f"mcp-{name}")
        await self._ready[name].wait()
        return state

    async def _serve(self, name: str) -> None:
        """The server's whole life, in this one task: connect, list tools, wait to be told to
        stop (or for the connection to end), close."""
        from mcp import Client

        state = self.states[name]
        with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
            try:
                transport = self._transport(self.servers[name], stderr)
                async with Client(transport, read_timeout_seconds=START_TIMEOUT) as client:
                    listed = await asyncio.wait_for(client.list_tools(), START_TIMEOUT)
                    state.tools = [
                        ToolInfo(name, tool.name, tool.description or "", dict(tool.input_schema))
                        for tool in listed.tools
                    ]
                    state.status = "ready"
                    self._clients[name] = client
                    self._ready[name].set()
                    await self._stop[name].wait()
                state.status = "stopped"
            except asyncio.CancelledError:
                state.status = "stopped"
                raise
            except BaseException as exc:  # any failure is the server's state, to show
                state.status = "failed"
                state.error = _describe(exc)
                state.stderr_tail = _tail(stderr)
            finally:
                self._clients.pop(name, None)
                self._ready[name].set()

    def _transport(self, server: McpServer, stderr: TextIO) -> Any:
        """The SDK's transport for the server: a subprocess on stdio, or streamable HTTP."""
        try:
            env = resolve_tree(server.env, self.environ)
            headers = resolve_tree(server.headers, self.environ)
        except UnsetVariableError as exc:
            raise StartError(f"{exc}: the server's config refers to it") from None
        if server.command is not None:
            from mcp.client.stdio import StdioServerParameters, stdio_client

            params = StdioServerParameters(
                command=server.command, args=server.args, env=env or None, cwd=server.cwd
            )
            return stdio_client(params, errlog=stderr)
        import httpx2
        from mcp.client.streamable_http import streamable_http_client

        assert server.url is not None
        client = httpx2.AsyncClient(headers=headers, timeout=START_TIMEOUT)
        return streamable_http_client(server.url, http_client=client)

    async def stop(self, name: str) -> None:
        task = self._tasks.pop(name, None)
        if task is None:
            return
        self._stop[name].set()
        try:
            await asyncio.wait_for(asyncio.shield(task), 5)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task

    async def aclose(self) -> None:
        await asyncio.gather(*(self.stop(name) for name in list(self._tasks)))

    # -- tools ----------------------------------------------------------------------------------

    async def tools(self, names: list[str] | None = None) -> list[ToolInfo]:
        """The tools of every enabled server (or of ``names``), starting those not started;
        a server that fails gives none."""
        wanted = names if names is not None else [n for n, s in self.servers.items() if s.enabled]
        states = await asyncio.gather(*(self.start(name) for name in wanted))
        return [
            tool
            for state in states
            if state.status == "ready"
            for tool in state.tools
            if tool.qualified not in self.disabled
        ]

    async def restart(self, name: str) -> ServerState:
        """Stop ``name`` (if it runs) and start it again: after its config or program changed,
        or it failed."""
        await self.stop(name)
        self.states[name].status = "stopped"
        return await self.start(name)

    def find(self, qualified: str) -> ToolInfo | None:
        server, name = split_name(qualified)
        state = self.states.get(server)
        return next((t for t in state.tools if t.name == name), None) if state else None

    async def call(self, qualified: str, arguments: dict[str, Any]) -> ToolResult:
        """Run the tool; every failure (unknown tool, a server that is gone, a timeout, the
        tool's own error) is a failed result with the reason."""
        tool = self.find(qualified)
        if tool is None or qualified in self.disabled:
            return ToolResult(f"no tool named {qualified}", is_error=True)
        client = self._clients.get(tool.server)
        if client is None:
            state = self.states[tool.server]
            return ToolResult(f"the {tool.server} server is {state.status}", is_error=True)
        timeout = self.servers[tool.server].timeout
        try:
            result = await asyncio.wait_for(client.call_tool(tool.name, arguments), timeout)
        except TimeoutError:
            return ToolResult(f"{tool.name} did not answer within {timeout:g} s", is_error=True)
        except Exception as exc:  # the server went away, or answered nonsense
            return ToolResult(f"{tool.name} failed: {_describe(exc)}", is_error=True)
        texts = [part.text for part in result.content if getattr(part, "type", "") == "text"]
        if not texts and result.structured_content is not None:
            import json

            texts = [json.dumps(result.structured_content)]
        return ToolResult("\n".join(texts), is_error=bool(result.is_error))


class StartError(Exception):
    """A server that cannot be started as configured (a variable it needs is not set)."""


def _describe(exc: BaseException) -> str:
    """The innermost reason: the SDK wraps failures in task-group exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _tail(stderr: TextIO) -> str:
    try:
        stderr.flush()
        stderr.seek(0)
        lines = stderr.read().splitlines()
    except (OSError, ValueError):
        return ""
    return "\n".join(lines[-STDERR_TAIL:])
