"""MCP tools in the chat, end to end: a model on each local test server asks for a tool of a
real MCP server (tests/servers/mcp_tools, over stdio); the card asks; allowed, the result goes
back in that protocol's own shape and the model answers; denied, the model is told why;
"always" skips the question next time; a hanging tool times out; a crashing server is reported
and the chat goes on."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from coda_tui.ui.widgets.message import MessageView
from coda_tui.ui.widgets.tool_card import ToolCard

from .servers.ollama import OllamaServer
from .servers.openai_compat import OpenAICompatServer
from .test_app import chat, make_app, ollama_config, screen_text

ROOT = Path(__file__).resolve().parent.parent


def mcp_config(
    *extra: str, name: str = "calc", timeout: float = 30, allow: tuple[str, ...] = ()
) -> str:
    args = json.dumps(["-m", "tests.servers.mcp_tools", *extra])
    return (
        f"[mcp.servers.{name}]\ncommand = {json.dumps(sys.executable)}\nargs = {args}\n"
        f"cwd = {json.dumps(str(ROOT))}\ntimeout = {timeout}\nallow = {json.dumps(list(allow))}\n"
    )


async def ask(pilot, text: str) -> ToolCard:  # type: ignore[no-untyped-def]
    """Send ``text`` and wait for the card that asks."""
    await pilot.press(*text, "enter")
    for _ in range(200):
        await pilot.pause(0.05)
        cards = [c for c in pilot.app.query(ToolCard) if c.decision and not c.decision.done()]
        if cards:
            return cards[0]
    raise AssertionError("no tool card asked")


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def chat_bodies(server: OllamaServer) -> list[dict]:  # type: ignore[type-arg]
    return [body for _, path, body in server.state.requests if path == "/api/chat"]


async def test_ollama_allow_sends_the_result_back_and_the_model_answers(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        card = await ask(pilot, "calc__shout this")
        assert card.tool_name == "calc__shout" and card.arguments == {"text": "calc__shout this"}
        assert "Run it?  y once · a always in this chat · n deny" in screen_text(app)
        offered = [t["function"]["name"] for t in chat_bodies(ollama_server)[-1]["tools"]]
        assert offered == [
            "calc__add",
            "calc__shout",
            "calc__hang",
            "calc__broken",
            "calc__has_variable",
        ]
        await pilot.press("y")
        await settle(pilot)
        last = chat_bodies(ollama_server)[-1]["messages"]
        assert last[-2:] == [
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {"function": {"name": "calc__shout", "arguments": {"text": "calc__shout this"}}}
                ],
            },
            {"role": "tool", "content": "CALC__SHOUT THIS!", "tool_name": "calc__shout"},
        ]
        answer = list(app.query(MessageView))[-1]
        assert answer.text == "You said: calc__shout this. Ollama fake answering."
        assert "✓  CALC__SHOUT THIS!" in screen_text(app)
        # saved with the answer, and played back when the chat goes on
        turn = chat(app).session.turns[-1]
        assert turn.metrics["tools"][0]["steps"][0]["result"] == "CALC__SHOUT THIS!"
        await pilot.press(*"thanks", "enter")
        await settle(pilot)
        again = chat_bodies(ollama_server)[-1]["messages"]
        assert [m["role"] for m in again] == ["user", "assistant", "tool", "assistant", "user"]


async def test_deny_tells_the_model_and_always_skips_the_question(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "calc__shout no")
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one("#value").value = "not in the office"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        told = chat_bodies(ollama_server)[-1]["messages"][-1]
        assert told == {
            "role": "tool",
            "content": "The user did not allow this tool call. They said: not in the office",
            "tool_name": "calc__shout",
        }
        await ask(pilot, "calc__shout once more")
        await pilot.press("a")
        await settle(pilot)
        asked = len(chat_bodies(ollama_server))
        await pilot.press(*"calc__shout again", "enter")  # no card asks this time
        await settle(pilot)
        assert len(chat_bodies(ollama_server)) == asked + 2
        assert chat_bodies(ollama_server)[-1]["messages"][-1]["content"] == "CALC__SHOUT AGAIN!"


async def test_openai_compatible_gets_the_result_in_its_shape(
    user_config: Path,
    monkeypatch,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-test-key")
    with OpenAICompatServer() as server:
        config = (
            '[defaults]\nprovider = "local"\n[providers.local]\ntype = "litellm"\n'
            f'model = "openai/gpt-4o-mini"\napi_base = "{server.api_base}"\n'
            'api_key = "${TEST_KEY}"\n' + mcp_config()
        )
        app = make_app(user_config, config)
        async with app.run_test(size=(80, 24)) as pilot:
            await ask(pilot, "calc__shout hi")
            await pilot.press("y")
            await settle(pilot)
            messages = server.state.requests[-1][2]["messages"]
            call = messages[-2]["tool_calls"][0]
            assert messages[-2]["role"] == "assistant"
            assert call["function"] == {
                "name": "calc__shout",
                "arguments": json.dumps({"text": "calc__shout hi"}),
            }
            assert messages[-1] == {
                "role": "tool",
                "content": "CALC__SHOUT HI!",
                "name": "calc__shout",
                "tool_call_id": call["id"],
            }


async def test_oci_gets_the_result_as_a_tool_message(user_config: Path, tmp_path: Path) -> None:
    from .servers.oci_genai import OCIServer
    from .test_oci_provider import COMPARTMENT, LLAMA, make_account

    (tmp_path / "oci").mkdir()
    with OCIServer() as server:
        account = make_account(tmp_path / "oci", server)
        config = (
            f'[defaults]\nprovider = "oci_genai"\n[providers.oci_genai]\nmodel = "{LLAMA}"\n'
            f'config_file = "{account.config_file}"\ncompartment_id = "{COMPARTMENT}"\n'
            f'endpoint = "{server.url}"\nmax_attempts = 1\n' + mcp_config()
        )
        app = make_app(user_config, config)
        async with app.run_test(size=(80, 24)) as pilot:
            card = await ask(pilot, "weather?")
            assert card.tool_name == "calc__add"  # the fake calls the first tool offered
            await pilot.press("y")
            await settle(pilot)
            chat_request = server.state.chat_bodies[-1]["chatRequest"]
            tool_message = chat_request["messages"][-1]
            assert tool_message["role"] == "TOOL" and tool_message["toolCallId"] == "call_oci_1"
            [part] = tool_message["content"]
            assert part["type"] == "TEXT" and "validation error" in part["text"].lower()
            answer = list(app.query(MessageView))[-1]
            assert answer.text.startswith("The tool said: ")


async def test_a_hanging_tool_times_out_and_the_model_is_told(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config(timeout=0.5))
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "calc__hang")
        await pilot.press("y")
        await settle(pilot)
        told = chat_bodies(ollama_server)[-1]["messages"][-1]
        assert told["role"] == "tool" and told["content"] == "hang did not answer within 0.5 s"
        assert "✕ failed  hang did not answer within 0.5 s" in screen_text(app)


async def test_a_crashing_server_is_reported_and_the_chat_goes_on(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    config = ollama_config(ollama_server.url) + mcp_config("--crash", name="bad")
    app = make_app(user_config, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"hello", "enter")
        await settle(pilot)
        notes = [str(n.message) for n in app._notifications]
        assert any(
            n.startswith("MCP server bad failed: ")
            and n.endswith("fatal: missing API token (set TOOLS_TOKEN)")
            for n in notes
        )
        assert "tools" not in chat_bodies(ollama_server)[-1]
        answer = list(app.query(MessageView))[-1]
        assert answer.text == "You said: hello. Ollama fake answering."


async def test_tool_calls_are_in_the_markdown_and_json_exports(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    from coda_tui.store import chat_to_json, chat_to_markdown

    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "calc__shout export")
        await pilot.press("y")
        await settle(pilot)
        record = chat(app).session.record
        assert record is not None and app.store is not None
        messages = app.store.messages(record.id)
        markdown = chat_to_markdown(record, messages)
        assert (
            '**Tool call** `calc__shout` {"text": "calc__shout export"} — allowed\n\n'
            "```\nCALC__SHOUT EXPORT!\n```\n\nYou said: calc__shout export." in markdown
        )
        data = json.loads(chat_to_json(record, messages))
        [step] = data["messages"][1]["metrics"]["tools"][0]["steps"]
        assert step["name"] == "calc__shout" and step["decision"] == "allowed"


async def test_a_reopened_chat_shows_its_tool_calls(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "calc__shout reopen")
        await pilot.press("y")
        await settle(pilot)
        record = chat(app).session.record
        assert record is not None
        await pilot.press("ctrl+n")
        await chat(app).open_chat(record.id)
        await pilot.pause()
        [card] = app.query(ToolCard)
        assert card.has_class("-done") and "✓  CALC__SHOUT REOPEN!" in screen_text(app)


async def test_the_tools_screen_shows_states_schemas_and_turns_a_tool_off(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    from coda_tui.ui.screens.tools import ToolsScreen

    config = ollama_config(ollama_server.url) + mcp_config() + mcp_config("--crash", name="bad")
    app = make_app(user_config, config)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("tools")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ToolsScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "● calc  5 tools" in text and "✕ bad  failed" in text
        assert "[x] shout  The text in capitals." in text
        assert screen.rows[2] == ("calc", "shout")
        screen.query_one("#tool-list").highlighted = 2  # type: ignore[attr-defined]
        await pilot.pause()
        assert '"required": [\n    "text"\n  ]' in str(screen.query_one("#tool-details").render())
        await pilot.press("enter")  # shout: off
        assert "calc__shout" in app.mcp_hub.disabled and "[ ] shout" in screen_text(app)
        bad_row = screen.rows.index(("bad", None))
        screen.query_one("#tool-list").highlighted = bad_row  # type: ignore[attr-defined]
        await pilot.pause()
        details = str(screen.query_one("#tool-details").render())
        assert "stderr:\nfatal: missing API token (set TOOLS_TOKEN)" in details
        await pilot.press("r")  # restarted: it fails again, the same way
        await app.workers.wait_for_complete()
        assert app.mcp_hub.states["bad"].status == "failed"
        await pilot.press("escape")
        await pilot.press(*"calc__shout off?", "enter")  # no longer offered: no card
        await settle(pilot)
        offered = [t["function"]["name"] for t in chat_bodies(ollama_server)[-1]["tools"]]
        assert "calc__shout" not in offered and "calc__add" in offered
        assert not app.query(ToolCard)


def run_ask(user_config: Path, config: str, *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess

    user_config.write_text(config, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "coda_tui", "ask", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=90,
        cwd=ROOT,
    )


def test_ask_runs_only_the_tools_named_on_the_command_line(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    config = ollama_config(ollama_server.url) + mcp_config()
    allowed = run_ask(user_config, config, "--tools", "--allow-tool", "shout", "calc__shout hi")
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout == "You said: calc__shout hi. Ollama fake answering.\n"
    assert 'coda-tui: tool calc__shout {"text": "calc__shout hi"}: ran: CALC__SHOUT HI!' in (
        allowed.stderr
    )
    assert chat_bodies(ollama_server)[-1]["messages"][-1]["content"] == "CALC__SHOUT HI!"
    denied = run_ask(user_config, config, "--tools", "calc__shout no")
    assert denied.returncode == 0, denied.stderr
    assert "calc__shout" in denied.stderr and ": denied: " in denied.stderr
    told = chat_bodies(ollama_server)[-1]["messages"][-1]["content"]
    assert told == (
        "The user did not allow this tool call. They said: this tool was not allowed on the "
        "command line (--allow-tool)"
    )


async def test_a_tool_allowed_in_the_config_runs_without_asking(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config(allow=("shout",)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"calc__shout saved", "enter")
        await settle(pilot)
        assert chat_bodies(ollama_server)[-1]["messages"][-1]["content"] == "CALC__SHOUT SAVED!"
        [card] = app.query(ToolCard)
        assert card.has_class("-done")


async def test_time_waiting_for_you_is_not_the_models_time(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    import asyncio

    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await ask(pilot, "calc__shout slowly")
        await asyncio.sleep(1.0)  # you think it over
        await pilot.press("y")
        await settle(pilot)
        metrics = chat(app).session.turns[-1].metrics
        assert metrics["ttft_s"] < 0.5 and metrics["total_s"] < 0.9
        # both rounds' tokens add up (the fake counts its reply's 7 in the call's round too)
        from .servers.ollama import tokens

        answer = "You said: calc__shout slowly. Ollama fake answering."
        assert metrics["output_tokens"] == 2 * len(tokens(answer)) == 14


async def test_esc_while_a_card_waits_stops_the_answer(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        card = await ask(pilot, "calc__shout wait")
        await pilot.press("escape")
        await settle(pilot)
        assert chat(app).session.turns[-1].status == "stopped"
        assert "⏹ stopped" in screen_text(app)
        assert card.decision is not None and card.decision.cancelled()


async def test_compare_panes_ask_about_their_own_calls_and_always_holds_for_both(
    user_config: Path,
) -> None:
    from coda_tui.config import load_config
    from coda_tui.ui.app import CodaApp
    from coda_tui.ui.screens.compare import CompareScreen

    user_config.write_text(
        '[compare]\npanes = [{ provider = "mock" }, { provider = "mock", model = "mock-priced" }]\n'
        "[providers.mock]\ndelay = 0\n" + mcp_config(),
        encoding="utf-8",
    )
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        await pilot.press(*"calc__shout both", "enter")
        for _ in range(200):  # until both cards ask
            await pilot.pause(0.05)
            asking = [c for c in screen.query(ToolCard) if c.decision and not c.decision.done()]
            if len(asking) == 2:
                break
        first, second = screen.query(ToolCard)
        first.action_decide("always")  # the same tool in the other pane: allowed from now on
        second.action_decide("once")
        await app.workers.wait_for_complete()
        await pilot.pause()
        answers = [pane.session.turns[-1].content for pane in screen.panes]
        assert answers == ["The tool returned: CALC__SHOUT BOTH!"] * 2
        assert screen.allowed_tools == {"calc__shout"}
        await pilot.press(*"calc__shout again", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert all(c.has_class("-done") for c in screen.query(ToolCard))  # nobody asked
        answers = [pane.session.turns[-1].content for pane in screen.panes]
        assert answers == ["The tool returned: CALC__SHOUT AGAIN!"] * 2


async def test_tools_can_be_turned_off_for_one_chat(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url) + mcp_config())
    async with app.run_test(size=(80, 24)) as pilot:
        await app.run_action("screen.toggle_tools")
        await pilot.press(*"calc__shout quietly", "enter")
        await settle(pilot)
        assert "tools" not in chat_bodies(ollama_server)[-1] and not app.query(ToolCard)
        await pilot.press("ctrl+n")  # a new chat has them again
        await pilot.pause()
        await ask(pilot, "calc__shout loudly")
