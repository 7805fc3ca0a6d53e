"""The MCP hub against a real MCP server written with the official SDK (tests/servers/mcp_tools):
started on demand over stdio and over streamable HTTP, tools listed, called, timed out, and a
server that crashes at start kept as failed with its stderr."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_tui.config import McpServer
from coda_tui.services.mcp_hub import McpHub

ROOT = Path(__file__).resolve().parent.parent


def stdio(*extra: str, **settings: object) -> McpServer:
    return McpServer(
        command=sys.executable,
        args=["-m", "tests.servers.mcp_tools", *extra],
        cwd=str(ROOT),
        **settings,  # type: ignore[arg-type]
    )


@pytest.fixture
def http_server() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.servers.mcp_tools", "--http", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(10)


async def test_stdio_tools_are_listed_and_called() -> None:
    hub = McpHub({"calc": stdio()})
    try:
        tools = await hub.tools()
        assert [t.qualified for t in tools] == [
            "calc__add",
            "calc__shout",
            "calc__hang",
            "calc__broken",
            "calc__has_variable",
        ]
        add = tools[0].as_tool()
        assert add.function.name == "calc__add" and add.function.description == "Add two integers."
        assert add.function.parameters["required"] == ["a", "b"]
        assert (await hub.call("calc__add", {"a": 2, "b": 3})).text == "5"
        broken = await hub.call("calc__broken", {})
        assert broken.is_error and "broken" in broken.text
        unknown = await hub.call("calc__nothing", {})
        assert unknown.is_error and unknown.text == "no tool named calc__nothing"
    finally:
        await hub.aclose()
    assert hub.states["calc"].status == "stopped"


async def test_a_hanging_tool_times_out_and_the_server_still_answers() -> None:
    hub = McpHub({"calc": stdio(timeout=0.5)})
    try:
        await hub.tools()
        started = time.monotonic()
        result = await hub.call("calc__hang", {"why": "test"})
        assert result.is_error and result.text == "hang did not answer within 0.5 s"
        assert time.monotonic() - started < 5
        assert (await hub.call("calc__add", {"a": 1, "b": 1})).text == "2"
    finally:
        await hub.aclose()


async def test_a_server_that_crashes_at_start_is_failed_with_its_stderr() -> None:
    hub = McpHub({"bad": stdio("--crash"), "calc": stdio()})
    try:
        tools = await hub.tools()
        assert {t.server for t in tools} == {"calc"}  # the other server's tools still come
        bad = hub.states["bad"]
        assert bad.status == "failed" and bad.error
        assert bad.stderr_tail == "fatal: missing API token (set TOOLS_TOKEN)"
        result = await hub.call("bad__add", {"a": 1, "b": 2})
        assert result.is_error
        started = time.monotonic()
        await hub.tools()  # the next prompt does not wait for it to fail again
        assert hub.states["bad"].status == "failed" and time.monotonic() - started < 0.1
        assert (await hub.restart("bad")).status == "failed"  # tried again when asked
    finally:
        await hub.aclose()


async def test_an_unset_variable_fails_the_server_and_names_it() -> None:
    hub = McpHub({"calc": stdio(env={"TOKEN": "${CODA_TEST_UNSET_TOKEN}"})}, environ={})
    try:
        state = await hub.start("calc")
        assert state.status == "failed"
        assert "CODA_TEST_UNSET_TOKEN is not set" in state.error
    finally:
        await hub.aclose()


async def test_streamable_http_tools_are_listed_and_called(http_server: str) -> None:
    hub = McpHub({"web": McpServer(url=http_server)})
    try:
        names = [t.name for t in await hub.tools()]
        assert names == ["add", "shout", "hang", "broken", "has_variable"]
        assert (await hub.call("web__shout", {"text": "hi"})).text == "HI!"
    finally:
        await hub.aclose()


async def test_a_server_gets_its_own_variables_and_none_of_the_users_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An API key in the user's environment belongs to its vendor, not to every MCP server."""
    monkeypatch.setenv("OPENAI_API_KEY", "sk-user-secret")
    monkeypatch.setenv("CODA_TEST_TOOLS_TOKEN", "t0ken")
    hub = McpHub({"calc": stdio(env={"TOOLS_TOKEN": "${CODA_TEST_TOOLS_TOKEN}"})})
    try:
        await hub.tools()
        asked = [
            (await hub.call("calc__has_variable", {"name": name})).text
            for name in ("OPENAI_API_KEY", "TOOLS_TOKEN", "PATH")
        ]
        assert asked == ["false", "true", "true"]
    finally:
        await hub.aclose()
