"""A tiny MCP server for the tests, written with the official SDK: two tools (``add`` and
``shout``), one that never answers (``hang``), one that fails (``broken``), and one that says
whether a variable reached its environment (``has_variable``). Run as
``python -m tests.servers.mcp_tools`` (stdio) or with ``--http PORT`` (streamable HTTP);
``--crash`` writes to stderr and exits before speaking, as a misconfigured server does.
"""

from __future__ import annotations

import os
import sys
import time

from mcp.server.mcpserver import MCPServer

server = MCPServer("coda-test-tools")


@server.tool()
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


@server.tool()
def shout(text: str) -> str:
    """The text in capitals."""
    return text.upper() + "!"


@server.tool()
def hang(why: str = "") -> str:
    """Sleep for an hour (a tool that does not answer)."""
    time.sleep(3600)
    return "woke"


@server.tool()
def broken() -> str:
    """Always fails."""
    raise RuntimeError("the broken tool broke")


@server.tool()
def has_variable(name: str) -> bool:
    """Whether the server's environment has this variable (what reached the server)."""
    return name in os.environ


def main(argv: list[str]) -> None:
    if "--crash" in argv:
        print("fatal: missing API token (set TOOLS_TOKEN)", file=sys.stderr, flush=True)
        sys.exit(3)
    if "--http" in argv:
        port = int(argv[argv.index("--http") + 1])
        server.run("streamable-http", host="127.0.0.1", port=port)
    else:
        server.run("stdio")


if __name__ == "__main__":
    main(sys.argv[1:])
