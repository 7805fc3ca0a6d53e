"""MCP tools as a user sees them: a tool card waiting for approval, and a finished round."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_tui.ui.widgets.tool_card import ToolCard

from .test_snapshots import snapshot_app, steady, still_clock  # noqa: F401 - autouse: a still clock
from .test_tools_app import mcp_config


@pytest.mark.parametrize("moment", ["waiting", "finished"])
def test_tool_card(snap_compare, user_config: Path, moment: str) -> None:  # type: ignore[no-untyped-def]
    async def call(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"Use calc__shout on this", "enter")
        for _ in range(200):  # until the card asks (a key before that would go to the prompt)
            await pilot.pause(0.05)
            if any(c.decision and not c.decision.done() for c in pilot.app.query(ToolCard)):
                break
        if moment == "finished":
            await pilot.press("y")
            await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    app = snapshot_app(user_config, mcp_config())
    assert snap_compare(app, terminal_size=(80, 24), run_before=call)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_tools_screen(snap_compare, user_config: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_tools(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.run_action("tools")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        screen = pilot.app.screen
        screen.query_one("#tool-list").highlighted = screen.rows.index(("bad", None))
        await steady(pilot)

    app = snapshot_app(user_config, mcp_config() + mcp_config("--crash", name="bad"))
    assert snap_compare(app, terminal_size=size, run_before=open_tools)
