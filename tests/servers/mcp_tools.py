"""A tiny MCP server for the tests, written with the official SDK: two tools (``add`` and
``shout``), one that never answers (``hang``), and one that fails (``broken``). Run as
``python -m tests.servers.mcp_tools`` (stdio) or with ``--http PORT`` (streamable HTTP);
``--crash`` writes to stderr and exits before speaking, as a misconfigured server does.
"""

from __future__ import annotations

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
def hang(seconds: float = 3600) -> str:
    """Sleep (a tool that does not answer)."""
    time.sleep(seconds)
    return "woke"


@server.tool()
def broken() -> str:
    """Always fails."""
    raise RuntimeError("the broken tool broke")


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
