"""The chat app driven with Pilot on the Mock provider, as a user would."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.services.chat_session import ChatSession
from coda_tui.store import ChatStore
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.chat import VISIBLE_TURNS, ChatScreen
from coda_tui.ui.screens.chat_settings import ChatSettingsScreen
from coda_tui.ui.screens.model_picker import ModelPickerScreen
from coda_tui.ui.widgets.message import MessageView

SIZE = (120, 40)
LONG_ANSWER = '[providers.mock]\ndelay = 0.02\nreply = "' + "word " * 300 + '"\n'
"""A Mock that takes seconds to answer: long enough to stop it, or start a new chat, mid-way."""


def screen_text(app: CodaApp) -> str:
    """What the terminal would show, as plain text (every segment, control characters kept)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def make_app(config: Path, text: str = "[providers.mock]\ndelay = 0\n") -> CodaApp:
    config.write_text(text, encoding="utf-8")
    return CodaApp(load_config())


def ollama_config(url: str, model: str = "llama3.2") -> str:
    """The local test Ollama as the default provider."""
    return (
        f'[defaults]\nprovider = "ollama"\n[providers.ollama]\nbase_url = "{url}"\n'
        f'model = "{model}"\n'
    )


def chat(app: CodaApp) -> ChatScreen:
    assert isinstance(app.screen, ChatScreen)
    return app.screen


async def send(pilot, text: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press(*text, "enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def saved_messages(app: CodaApp) -> list[tuple[str, str, str]]:
    record = chat(app).session.record
    assert record is not None and app.store is not None
    return [(m.role, m.content, m.status) for m in app.store.messages(record.id)]


async def test_prompt_streams_an_answer_and_saves_it(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hello, my name is Ada")
        views = list(app.query(MessageView))
        assert [v.role for v in views] == ["user", "assistant"]
        assert views[1].text.startswith("Hello, Ada!")
        assert "Hello, Ada! I am the mock model" in screen_text(app)
        assert "done · TTFT" in screen_text(app)
        assert saved_messages(app)[1][2] == "complete"
        await send(pilot, "What is my name?")
        assert list(app.query(MessageView))[-1].text == "Your name is Ada."


async def test_multiline_prompt(user_config: Path) -> None:
    app = make_app(user_config, '[providers.mock]\ndelay = 0\nmode = "echo"\n')
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a", "shift+enter", "b", "ctrl+j", "c", "enter")
        await app.workers.wait_for_complete()
        assert saved_messages(app)[0][1] == "a\nb\nc"


async def test_model_output_is_shown_literally(user_config: Path) -> None:
    app = make_app(
        user_config,
        "[providers.mock]\ndelay = 0\n"
        'reply = "[bold red]x[/] and \\u001b[31mred\\u001b[0m and \\u009b2J"\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        text = screen_text(app)
        assert "[bold red]x[/]" in text
        assert "␛[31mred␛[0m" in text
        assert "\x1b" not in text
        assert "\x9b" not in text


async def test_failed_stream_shows_the_error_inline_and_keeps_the_partial_answer(
    user_config: Path,
) -> None:
    app = make_app(
        user_config, '[providers.mock]\ndelay = 0\nreply = "one two three"\nfail_after = 2\n'
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        text = screen_text(app)
        assert "stream cut after 2 chunks" in text
        assert "→ this failure was asked for" in text
        assert saved_messages(app)[-1] == ("assistant", "one two", "error")
        assert "failed ·" in text


async def test_unknown_model_error_names_the_fix(user_config: Path, ollama_server) -> None:  # type: ignore[no-untyped-def]
    app = make_app(user_config, ollama_config(ollama_server.url, "llama3"))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        assert "→ run `ollama pull llama3`" in screen_text(app)


async def stop_mid_answer(pilot, prompt: str) -> None:  # type: ignore[no-untyped-def]
    """Send ``prompt`` to the LONG_ANSWER Mock and press Esc while it streams."""
    await pilot.press(*prompt, "enter")
    await pilot.pause(0.25)
    await pilot.press("escape")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_escape_stops_and_keeps_the_partial_answer(user_config: Path) -> None:
    app = make_app(user_config, LONG_ANSWER)
    async with app.run_test(size=SIZE) as pilot:
        await stop_mid_answer(pilot, "hi")
        role, content, status = saved_messages(app)[-1]
        assert (role, status) == ("assistant", "stopped")
        assert 0 < len(content.split()) < 300
        assert "⏹ stopped" in screen_text(app)
        assert list(app.query(MessageView))[-1].text.strip() == content.strip()


async def test_retry_keeps_the_last_answer_as_a_sibling(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "tell me about rivers")
        first = saved_messages(app)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The branch shown holds the new answer; the first one is its sibling, one key away.
        views = list(app.query(MessageView))
        assert [view.role for view in views] == ["user", "assistant"]
        assert views[1].branch == (2, 2)
        assert "< 2/2 >" in screen_text(app)
        saved = saved_messages(app)
        assert saved[0] == first[0] and saved[1][2] == "complete"
        sent = chat(app).session.request_messages()
        assert [m.role for m in sent] == ["user", "assistant"]
        assert sent[1].content == saved[1][1]
        views[1].focus()
        await pilot.press("left")
        await pilot.pause()
        assert saved_messages(app) == first
        assert list(app.query(MessageView))[1].branch == (1, 2)


async def test_a_stopped_answer_retried_is_kept(user_config: Path) -> None:
    app = make_app(user_config, LONG_ANSWER)
    async with app.run_test(size=SIZE) as pilot:
        await stop_mid_answer(pilot, "go")
        stopped = saved_messages(app)[1]
        assert stopped[2] == "stopped" and stopped[1]
        await pilot.press("ctrl+r")
        await pilot.pause(0.1)
        record = chat(app).session.record
        assert record is not None and app.store is not None
        kept = [(m.role, m.content, m.status) for m in app.store.tree(record.id)]
        assert stopped in kept  # as it was, beside the new answer
        await pilot.press("escape")
        await app.workers.wait_for_complete()


async def test_switch_model_with_the_picker_shows_cost(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, ModelPickerScreen)
        await app.workers.wait_for_complete()
        await pilot.press(*"priced", "enter")
        await pilot.pause()
        assert chat(app).session.model == "mock-priced"
        assert "mock · mock-priced" in screen_text(app)
        await send(pilot, "hi there")
        assert "$0.0000" in screen_text(app) or "$0.000" in screen_text(app)


async def test_picker_lists_a_failing_provider_without_blocking(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:1")
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = screen_text(app)
        assert "mock · mock-1" in text
        assert "⚠ ollama: Ollama is not running at http://127.0.0.1:1" in text


async def test_chat_settings_apply_and_validate(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert isinstance(app.screen, ChatSettingsScreen)
        await pilot.press(*"Answer in French.")
        await pilot.click("#temperature")
        await pilot.press(*"hot", "enter")
        await pilot.pause()
        assert "temperature must be a number" in screen_text(app)
        await pilot.press("backspace", "backspace", "backspace", *"0.4", "enter")
        await pilot.pause()
        params = chat(app).session.params
        assert (params.system_prompt, params.temperature) == ("Answer in French.", 0.4)


async def test_reopen_rename_and_delete_saved_chats(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first chat about volcanoes")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert list(app.query(MessageView)) == []
        await send(pilot, "second chat about glaciers")
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("down", "enter")  # the older chat
        await pilot.pause()
        assert app.query(MessageView).first().text == "first chat about volcanoes"
        await pilot.press("ctrl+b")
        await pilot.press("ctrl+b", "r")
        await pilot.pause()
        await pilot.press(*"Volcanoes", "enter")
        await pilot.pause()
        assert app.store is not None
        titles = [c.title for c in app.store.list_chats()]
        assert "Volcanoes" in titles
        await pilot.press("d")
        await pilot.pause()
        await pilot.click("#confirm")
        await pilot.pause()
        assert len(app.store.list_chats()) == 1


async def test_long_chat_opens_with_only_the_newest_turns(user_config: Path) -> None:
    app = make_app(user_config)
    assert app.store is not None
    session = ChatSession(app.store, "mock", "mock-1")
    for i in range(100):
        session.add_user(f"question {i}")
        turn = session.begin_answer()
        session.end_answer(turn, f"answer {i} " + "lorem ipsum " * 50, "complete")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+b", "enter")
        await pilot.pause()
        assert len(app.query(MessageView)) == VISIBLE_TURNS
        app.screen.query_one("#earlier").press()  # type: ignore[attr-defined]
        await pilot.pause()
        assert len(app.query(MessageView)) == 2 * VISIBLE_TURNS
        assert f"{200 - 2 * VISIBLE_TURNS} earlier messages" in str(
            app.screen.query_one("#earlier").label  # type: ignore[attr-defined]
        )


async def test_export_writes_markdown_and_json(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "export this")
        record = chat(app).session.record
        assert record is not None
        await pilot.press("ctrl+s")
        await pilot.pause()
        offered = app.screen.query_one("#value").value  # type: ignore[attr-defined]
        assert offered == str(Path.cwd() / f"coda-chat-{record.id}.md")
        await pilot.press("enter")
        await pilot.pause()
        markdown = Path.cwd() / f"coda-chat-{record.id}.md"
        assert "## You\n\nexport this" in markdown.read_text()
        data = json.loads((Path.cwd() / f"coda-chat-{record.id}.json").read_text())
        assert [m["role"] for m in data["messages"]] == ["user", "assistant"]
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press(*"notes/first", "enter")  # typed over the offer: a folder of its own
        await pilot.pause()
        assert "## You" in (Path.cwd() / "notes" / "first.md").read_text()
        assert (Path.cwd() / "notes" / "first.json").exists()


async def test_config_problems_are_shown_and_the_app_still_works(user_config: Path) -> None:
    app = make_app(user_config, "[defaults\nprovider = 1\n")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert any(str(user_config) in str(n.message) for n in app._notifications)
        await send(pilot, "hi")
        assert saved_messages(app)[-1][0] == "assistant"
    assert user_config.read_text() == "[defaults\nprovider = 1\n"  # never rewritten


async def test_modes_are_reachable_by_key(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        for key, mode in (("f2", "compare"), ("f4", "ollama"), ("f6", "settings"), ("f1", "chat")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode


async def test_theme_choice_is_saved_to_the_user_config(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await app.workers.wait_for_complete()
        await pilot.pause()
    saved = tomllib.loads(user_config.read_text())
    assert saved["ui"]["theme"] == "nord"
    assert saved["providers"]["mock"]["delay"] == 0  # the rest of the file is kept


async def test_history_store_failure_still_starts(user_config: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    app = make_app(
        user_config, f'[history]\npath = "{blocker}/h.sqlite3"\n[providers.mock]\ndelay = 0\n'
    )
    assert app.store is None
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        note = next(
            str(n.message) for n in app._notifications if "history is off" in str(n.message)
        )
        assert str(blocker) in note and "not saved" in note
        assert len(app.query(MessageView)) == 2
        await pilot.press("ctrl+s", "enter")  # it said "Nothing to export yet" of a visible chat
        await pilot.pause()
        assert "## Assistant" in (Path.cwd() / "coda-chat-unsaved.md").read_text()


def test_store_is_a_plain_class() -> None:
    assert ChatStore.__module__ == "coda_tui.store.history"


async def test_new_chat_while_streaming_keeps_the_old_answer(user_config: Path) -> None:
    app = make_app(user_config, LONG_ANSWER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hi", "enter")
        await pilot.pause(0.2)
        first = chat(app).session.record
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert list(app.query(MessageView)) == []
        assert first is not None and app.store is not None
        [_, answer] = app.store.messages(first.id)
        assert answer.status == "stopped" and answer.content


async def test_an_unexpected_provider_bug_is_shown_not_fatal(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coda_tui.providers.mock.provider import MockProvider

    def broken(self, request):  # type: ignore[no-untyped-def]
        raise KeyError("oops")

    monkeypatch.setattr(MockProvider, "reply_for", broken)
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        assert "unexpected error: KeyError" in screen_text(app)
        assert saved_messages(app)[-1][2] == "error"
        await pilot.press("ctrl+r")  # the app is still alive and answering keys


async def test_command_palette_reaches_modes_and_chat_actions(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Mode: Compare")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.current_mode == "compare"
        await pilot.press("f1", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"choose model")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ModelPickerScreen)


async def test_keys_can_be_remapped_from_config(user_config: Path) -> None:
    app = make_app(
        user_config,
        '[ui.keymap]\npick_model = "f9"\n[providers.mock]\ndelay = 0\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f9")
        await pilot.pause()
        assert isinstance(app.screen, ModelPickerScreen)


async def test_theme_is_not_saved_over_a_broken_user_file(user_config: Path) -> None:
    app = make_app(user_config, "[ui\ntheme = \n")
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "nord"
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("Theme not saved" in str(n.message) for n in app._notifications)
    assert user_config.read_text() == "[ui\ntheme = \n"


async def test_copy_an_answer_and_its_code(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)  # no system clipboard: OSC 52
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "show me some python code")
        await pilot.press("ctrl+l")
        assert app.clipboard.startswith("Here is a small example:")
        chat(app).action_copy_last_code()
        assert app.clipboard == 'def greet(name: str) -> str:\n    return f"Hello, {name}!"'
        user = app.query(MessageView).first()
        user.focus()
        await pilot.press("c")
        assert app.clipboard == "show me some python code"
        note = str(list(app._notifications)[-1].message)
        # Whether the terminal took it cannot be known: the note says what was sent, and how
        # to let it through ("Message copied" showed when the terminal ignored it).
        assert note.startswith("Sent the message (24 characters) to the terminal's clipboard")
        assert "set-clipboard on" in note
        await pilot.press("y")
        await pilot.pause()
        assert any("No code block" in str(n.message) for n in app._notifications)


async def test_start_up_is_frozen_before_the_warm_up_runs(
    user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection soon after start (opening compare at once) walked every object start-up
    made: 45-60 ms. Frozen as the warm-up begins, they are skipped."""
    import gc

    from coda_tui.ui.widgets import answer_markdown

    frozen_at_warm_up: list[int] = []
    monkeypatch.setattr(
        answer_markdown, "warm_up", lambda: frozen_at_warm_up.append(gc.get_freeze_count())
    )
    gc.unfreeze()  # what earlier tests' apps froze
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert frozen_at_warm_up and frozen_at_warm_up[0] > 10_000  # all of start-up


async def test_no_connection_is_left_open_after_a_reload_or_at_exit(
    user_config: Path,
    ollama_server,  # type: ignore[no-untyped-def]
) -> None:
    """Providers built from old settings close their pools once retired; all close at exit."""
    from .test_network import settle

    state = ollama_server.state
    app = make_app(user_config, ollama_config(ollama_server.url))
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        # the server's thread counts a socket a moment after the answer: wait for it, then check
        await settle(lambda: state.open_connections == 1)
        assert state.count("/api/chat") == 1 and state.open_connections == 1  # kept alive
        app.theme = "nord"  # saved to the user file: the config is read again
        await app.workers.wait_for_complete()
        app.reload_config()
        await app.workers.wait_for_complete()
        await settle(lambda: state.open_connections == 0)
        assert state.open_connections == 0
        await send(pilot, "again")
        await settle(lambda: state.open_connections == 1)
        assert state.count("/api/chat") == 2 and state.open_connections == 1
    await settle(lambda: state.open_connections == 0)
    assert state.open_connections == 0


async def test_the_model_flag_beats_the_sections_model(user_config: Path) -> None:
    """`coda-tui --provider ollama --model phi3:mini` opened on the section's llama3.2:1b."""
    from coda_tui.cli import build_parser, flags_from

    user_config.write_text('[providers.ollama]\nmodel = "llama3.2:1b"\n', encoding="utf-8")
    args = build_parser().parse_args(["--provider", "ollama", "--model", "phi3:mini"])
    app = CodaApp(load_config(flags=flags_from(args)))
    async with app.run_test(size=SIZE):
        assert (chat(app).session.provider, chat(app).session.model) == ("ollama", "phi3:mini")
        assert app.factory.create("ollama").settings.model == "phi3:mini"
    plain = CodaApp(
        load_config(flags=flags_from(build_parser().parse_args(["--provider", "ollama"])))
    )
    assert plain.factory.default_model("ollama") == "llama3.2:1b"  # no flag: the section's


async def test_a_sections_sampling_reaches_its_server_from_chat_and_compare(
    user_config: Path,
    ollama_server,  # type: ignore[no-untyped-def]
) -> None:
    """[defaults] applies only where the provider's section is silent: chat sent [defaults]
    max_tokens as a call argument, over the section's own (found against llama.cpp)."""
    app = make_app(
        user_config,
        '[defaults]\nprovider = "ollama"\ntemperature = 0.1\nmax_tokens = 48\n'
        f'[providers.ollama]\nbase_url = "{ollama_server.url}"\nmodel = "llama3.2"\n'
        "max_tokens = 3500\n"
        '[compare]\npanes = [{ provider = "ollama" }]\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        options = ollama_server.state.requests[-1][2]["options"]
        assert options == {"num_predict": 3500, "temperature": 0.1}
        await pilot.press("f2")
        await pilot.pause()
        await send(pilot, "again")
        options = ollama_server.state.requests[-1][2]["options"]
        assert options == {"num_predict": 3500, "temperature": 0.1}
        await pilot.press("f1", "ctrl+t")
        await pilot.pause()
        app.screen.query_one("#max_tokens").value = "3"  # type: ignore[attr-defined]
        await pilot.click("#save")
        await pilot.pause()
        await send(pilot, "short")
        assert ollama_server.state.requests[-1][2]["options"]["num_predict"] == 3  # this chat's
        assert chat(app).session.turns[-1].status == "length"
        assert "cut at max tokens" in screen_text(app)


async def test_new_chat_keeps_the_chosen_model_and_says_it_stopped_an_answer(
    user_config: Path,
) -> None:
    app = make_app(
        user_config,
        LONG_ANSWER + '[providers.other]\ntype = "mock"\nmodel = "mock-priced"\ndelay = 0\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        from coda_tui.providers import Model
        from coda_tui.ui.screens.model_picker import ModelChoice

        chat(app).use_model(ModelChoice("other", Model(id="mock-priced", provider="other")))
        await pilot.press("ctrl+n")
        assert (chat(app).session.provider, chat(app).session.model) == ("other", "mock-priced")
        chat(app).session.set_model("mock", "mock-1")
        await pilot.press(*"hi", "enter")
        await pilot.pause(0.1)
        await pilot.press("ctrl+n")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("was stopped" in str(n.message) for n in app._notifications)
        assert chat(app).session.model == "mock-1"


async def test_a_provider_set_up_becomes_the_empty_chats_when_it_is_the_default(
    user_config: Path,
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        assert chat(app).session.provider == "mock"
        user_config.write_text(
            '[defaults]\nprovider = "second"\n[providers.second]\ntype = "mock"\n'
            'model = "mock-priced"\n',
            encoding="utf-8",
        )
        app.reload_config()
        await pilot.pause()
        assert (chat(app).session.provider, chat(app).session.model) == ("second", "mock-priced")
        assert "Chatting with second · mock-priced" in screen_text(app)


def test_the_history_file_is_private(user_config: Path, isolated_dirs: Path) -> None:
    import stat

    from coda_tui.store import default_history_path

    path = default_history_path()
    store = ChatStore(path)
    store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # written by an earlier release
    ChatStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_chat_cut_by_a_crash_reopens_as_interrupted_with_no_stale_figures(
    user_config: Path,
) -> None:
    app = make_app(user_config)
    assert app.store is not None
    crashed = app.store.create_chat("crashed", "mock", "mock-1")
    app.store.add_message(crashed.id, "user", "tell me")
    app.store.add_message(crashed.id, "assistant", "half an ans", status="streaming")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "hi")
        assert "done ·" in screen_text(app)
        await chat(app).open_chat(crashed.id)
        await pilot.pause()
        text = screen_text(app)
        assert "interrupted: coda-tui closed before this answer ended" in text
        assert "done ·" not in text  # the figures were the previous chat's answer


async def test_up_on_an_empty_prompt_recalls_what_was_sent(user_config: Path) -> None:
    from coda_tui.ui.widgets.prompt import PromptInput

    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first question")
        await send(pilot, "second question")
        prompt = app.query_one("#prompt", PromptInput)
        await pilot.press("up")
        assert prompt.text == "second question"
        await pilot.press("up", "up")  # the oldest stays
        assert prompt.text == "first question"
        await pilot.press("down")
        assert prompt.text == "second question"
        await pilot.press("down")
        assert prompt.text == ""
        await pilot.press(*"draft", "up")  # a draft is not replaced
        assert prompt.text == "draft"


def test_chats_show_when_they_changed() -> None:
    from datetime import datetime

    from coda_tui.ui.widgets.chat_list import when

    now = datetime(2026, 12, 2, 15, 0).timestamp()
    assert when(datetime(2026, 12, 2, 9, 5).timestamp(), now) == "09:05"
    assert when(datetime(2026, 11, 25, 9, 5).timestamp(), now) == "Nov 25 09:05"
    assert when(datetime(2025, 11, 25, 9, 5).timestamp(), now) == "2025-11-25"
