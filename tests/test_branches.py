"""Branches: an edited prompt or an answer asked again is a sibling, never a loss; the chat shows
one branch and moves between them; a fork copies a branch into a new chat; export writes the
branch shown (Markdown) and the tree (JSON). The upgrade that brought them is tested on the
history written by the code of 178fed0 on main (tests/data/history-v1.sqlite3)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from coda_tui.services.chat_session import ChatSession
from coda_tui.store import ChatStore
from coda_tui.store.schema import VERSION, backup_path
from coda_tui.ui.screens.model_picker import ModelPickerScreen
from coda_tui.ui.widgets.message import MessageView
from coda_tui.ui.widgets.prompt import PromptInput

from .servers.ollama import OllamaServer
from .test_app import SIZE, chat, make_app, saved_messages, screen_text, send

V1 = Path(__file__).parent / "data" / "history-v1.sqlite3"


@pytest.fixture
def store(tmp_path: Path) -> ChatStore:
    return ChatStore(tmp_path / "h.sqlite3")


def contents(store: ChatStore, chat_id: int) -> list[str]:
    return [m.content for m in store.messages(chat_id)]


def answered(session: ChatSession, prompt: str, answer: str) -> None:
    session.add_user(prompt)
    turn = session.begin_answer()
    session.end_answer(turn, answer, "complete")


# -- the store ---------------------------------------------------------------------------------


def test_the_chat_shows_one_branch_and_keeps_every_other(store: ChatStore) -> None:
    chat_ = store.create_chat("t", "mock", "m")
    q1 = store.add_message(chat_.id, "user", "q1")
    a1 = store.add_message(chat_.id, "assistant", "a1")
    store.add_message(chat_.id, "user", "q2")
    a1b = store.add_message(chat_.id, "assistant", "a1b", parent_id=q1)  # asked again
    assert contents(store, chat_.id) == ["q1", "a1b"]
    assert [(m.sibling, m.siblings) for m in store.messages(chat_.id)] == [(1, 1), (2, 2)]
    assert store.sibling_ids(chat_.id, q1) == [a1, a1b]
    assert store.choose(a1) == a1 + 1  # the newest below it: q2
    assert contents(store, chat_.id) == ["q1", "a1", "q2"]
    assert store.count_messages(chat_.id) == 3
    assert store.window(chat_.id, a1, before=0, after=0) == (store.messages(chat_.id)[1:2], 1)
    assert not store.on_branch(chat_.id, a1b) and store.on_branch(chat_.id, a1)
    assert [m.content for m in store.tree(chat_.id)] == ["q1", "a1", "q2", "a1b"]
    assert [m.parent_id for m in store.tree(chat_.id)] == [None, q1, a1, q1]


def test_a_message_others_follow_is_not_deleted(store: ChatStore) -> None:
    chat_ = store.create_chat("t", "mock", "m")
    q1 = store.add_message(chat_.id, "user", "q1")
    store.add_message(chat_.id, "assistant", "a1")
    with pytest.raises(ValueError, match="has replies"):
        store.delete_message(q1)
    empty = store.add_message(chat_.id, "assistant", "", parent_id=q1)
    store.delete_message(empty)  # the chat goes back to the newest branch left there
    assert contents(store, chat_.id) == ["q1", "a1"]


def test_a_fork_copies_the_branch_up_to_a_message(store: ChatStore) -> None:
    chat_ = store.create_chat("Rivers", "mock", "m", system_prompt="Be brief")
    store.add_message(chat_.id, "user", "q1")
    a1 = store.add_message(chat_.id, "assistant", "a1", metrics={"output_tokens": 1})
    store.add_message(chat_.id, "user", "q2")
    fork = store.fork(chat_.id, a1, "Rivers (fork)")
    assert (fork.title, fork.system_prompt) == ("Rivers (fork)", "Be brief")
    assert contents(store, fork.id) == ["q1", "a1"]
    assert store.messages(fork.id)[1].metrics == {"output_tokens": 1}
    store.add_message(fork.id, "user", "q2 in the fork")
    assert contents(store, chat_.id) == ["q1", "a1", "q2"]  # the two go their own ways


def test_a_long_branch_reads_from_its_end(store: ChatStore) -> None:
    chat_ = store.create_chat("long", "mock", "m")
    store._db.execute("BEGIN")
    for i in range(3000):
        store.add_message(chat_.id, "user" if i % 2 == 0 else "assistant", f"m{i}")
    store._db.execute("COMMIT")
    newest = store.messages(chat_.id, limit=8)
    assert [m.content for m in newest] == [f"m{i}" for i in range(2992, 3000)]
    older = store.messages(chat_.id, limit=8, before_id=newest[0].id)
    assert older[-1].content == "m2991"
    assert store.count_messages(chat_.id) == 3000
    assert len(store.messages(chat_.id)) == 3000
    middle = store.messages(chat_.id, limit=1501)[0]
    around, later = store.window(chat_.id, middle.id, before=1, after=3)
    assert [m.content for m in around] == ["m1498", "m1499", "m1500", "m1501", "m1502"]
    assert later == 3000 - 1503


# -- the upgrade -------------------------------------------------------------------------------


def test_a_history_from_before_branches_keeps_its_retried_answers_as_siblings(
    tmp_path: Path,
) -> None:
    path = tmp_path / "history.sqlite3"
    shutil.copy(V1, path)
    store = ChatStore(path)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert contents(store, 1) == [
        "Name three rivers in Portugal",
        "The Tagus, the Douro and the Guadiana.",
        "Which is longest?",
        "The Tagus.",
    ]
    answer = store.messages(1)[1]
    assert (answer.sibling, answer.siblings) == (2, 2)
    [replaced] = [m for m in store.tree(1) if m.status == "replaced"]
    assert (replaced.content, replaced.parent_id, replaced.depth) == (
        "Tagus, Douro, Mondego.",
        store.messages(1)[0].id,
        2,
    )
    assert [m.content[:5] for m in store.messages(2)] == ["Write", "Small"]
    assert store.count_messages(3) == 12
    assert [m.depth for m in store.messages(3)] == list(range(1, 13))
    store.add_message(3, "user", "one more")  # the chat goes on from its end
    assert contents(store, 3)[-2:] == ["Answer 6: feed the starter.", "one more"]
    assert store.index_progress() == (20, 20)  # made again (two-letter prefixes), later
    store.index_rest()
    [hit] = store.search("Mondego")
    assert replaced.id in {h.message_id for h in store.search("Mo")}  # by the prefix index
    assert hit.message_id == replaced.id
    store.close()
    with sqlite3.connect(backup_path(path, 1)) as copy:
        assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
        assert copy.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 20


# -- the session -------------------------------------------------------------------------------


def test_an_edited_prompt_is_a_sibling_and_the_old_branch_comes_back(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "m")
    answered(session, "q1", "a1")
    answered(session, "q2", "a2")
    turn = session.edit(2, "q2 edited")
    assert (turn.sibling, turn.siblings) == (2, 2)
    assert [t.content for t in session.turns] == ["q1", "a1", "q2 edited"]
    assert [m.content for m in session.request_messages()] == ["q1", "a1", "q2 edited"]
    shown = session.switch(2, -1)
    assert [t.content for t in shown] == ["q2", "a2"]
    assert [t.content for t in session.turns] == ["q1", "a1", "q2", "a2"]
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=8)
    assert [t.content for t in reopened.turns] == ["q1", "a1", "q2", "a2"]  # remembered


def test_a_reopened_long_chat_sends_its_older_turns_too(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "m")
    for i in range(10):
        answered(session, f"q{i}", f"a{i}")
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=4)
    assert reopened.earlier == 16
    reopened.add_user("q10")
    sent = [m.content for m in reopened.request_messages()]
    assert sent[:2] == ["q0", "a0"] and sent[-1] == "q10" and len(sent) == 21


def test_asking_again_for_the_first_loaded_answer_loads_its_prompt(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "m")
    for i in range(3):
        answered(session, f"q{i}", f"a{i}")
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=1)  # only "a2" loaded
    reopened.regenerate_at(0)
    assert [t.content for t in reopened.turns] == ["q2"]
    again = reopened.begin_answer()
    assert again.parent_id == reopened.turns[0].message_id
    assert (again.sibling, again.siblings) == (2, 2)


# -- in the app --------------------------------------------------------------------------------


async def test_edit_a_sent_prompt_then_go_back_to_the_old_branch(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first question")
        await send(pilot, "second question")
        before = saved_messages(app)
        await pilot.press("shift+tab", "up")  # the last answer, then up to its prompt
        assert app.focused is list(app.query(MessageView))[2]
        await pilot.press("e")
        prompt = app.query_one(PromptInput)
        assert app.focused is prompt and prompt.text == "second question"
        assert "Editing: Enter sends it as a new branch" in screen_text(app)
        assert prompt.cursor_location == (0, len("second question"))
        prompt.text = ""
        await send(pilot, "second question, better")
        after = saved_messages(app)
        assert after[:2] == before[:2]
        assert after[2] == ("user", "second question, better", "complete")
        assert len(after) == 4 and after[3][0] == "assistant"
        views = list(app.query(MessageView))
        assert views[2].branch == (2, 2) and "< 2/2 >" in screen_text(app)
        views[2].focus()
        await pilot.press("left")
        await pilot.pause()
        assert saved_messages(app) == before
        views = list(app.query(MessageView))
        assert [view.text for view in views] == [m[1] for m in before]
        assert app.focused is views[2] and views[2].branch == (1, 2)
        await pilot.press("right")
        await pilot.pause()
        assert saved_messages(app) == after


async def test_escape_stops_editing_and_sends_nothing(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "only question")
        before = saved_messages(app)
        await pilot.press("shift+tab", "up", "e", "escape")
        await pilot.pause()
        assert chat(app).editing is None and app.query_one(PromptInput).text == ""
        await send(pilot, "a new one")
        assert saved_messages(app)[:2] == before and len(saved_messages(app)) == 4


async def test_answer_again_with_another_provider(
    user_config: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(
        user_config,
        f'[providers.mock]\ndelay = 0\n[providers.ollama]\nbase_url = "{ollama_server.url}"\n',
    )
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "rivers of Portugal")
        first = saved_messages(app)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, MessageView) and app.focused.role == "assistant"
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ModelPickerScreen)
        await app.workers.wait_for_complete()
        await pilot.press(*"qwen2.5", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        now = saved_messages(app)
        assert now[0] == first[0]
        assert now[1][1] == "You said: rivers of Portugal. Ollama fake answering."
        assert chat(app).session.provider == "ollama"
        record = chat(app).session.record
        assert record is not None and app.store is not None
        assert [(m.provider, m.sibling) for m in app.store.tree(record.id)[1:]] == [
            ("mock", 1),
            ("ollama", 2),
        ]
        assert "ollama · qwen2.5:0.5b" in screen_text(app) and "< 2/2 >" in screen_text(app)


async def test_fork_opens_a_new_chat_up_to_the_selected_message(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "first")
        await send(pilot, "second")
        original = chat(app).session.record
        assert original is not None and app.store is not None
        before = saved_messages(app)
        await pilot.press("shift+tab", "up", "up", "f")  # the first answer
        await pilot.pause()
        fork = chat(app).session.record
        assert fork is not None and fork.id != original.id
        assert saved_messages(app) == before[:2]
        assert "(fork)" in fork.title
        assert any("Forked into" in str(n.message) for n in app._notifications)
        assert contents(app.store, original.id) == [m[1] for m in before]
        await send(pilot, "fork goes on")
        assert len(contents(app.store, fork.id)) == 4
        assert len(contents(app.store, original.id)) == 4


async def test_export_writes_the_branch_shown_and_the_whole_tree(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "export me")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        record = chat(app).session.record
        assert record is not None
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        markdown = (Path.cwd() / f"coda-chat-{record.id}.md").read_text()
        assert markdown.count("## Assistant") == 1 and "— 2 of 2" in markdown
        data = json.loads((Path.cwd() / f"coda-chat-{record.id}.json").read_text())
        assert [m["role"] for m in data["messages"]] == ["user", "assistant", "assistant"]
        prompt_id = data["messages"][0]["id"]
        assert [m["parent_id"] for m in data["messages"]] == [None, prompt_id, prompt_id]
        assert data["branch"] == [prompt_id, data["messages"][2]["id"]]


async def test_a_search_hit_on_another_branch_shows_that_branch(user_config: Path) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "about otters")
        await pilot.press("shift+tab", "up", "e")
        app.query_one(PromptInput).text = ""
        await send(pilot, "about beavers")
        store, record = app.store, chat(app).session.record
        assert store is not None and record is not None
        [hit] = store.search("otters", role="user")
        await chat(app).open_chat(record.id, hit.message_id)
        await pilot.pause()
        assert saved_messages(app)[0][1] == "about otters"
        assert app.query(MessageView).first().has_class("-found")


# -- a long chat opened in its middle ----------------------------------------------------------


def test_a_session_opened_around_a_message_loads_both_ways(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "m")
    for i in range(50):
        answered(session, f"q{i}", f"a{i}")
    assert session.record is not None
    middle = store.messages(session.record.id)[40]  # q20
    opened = ChatSession.open(store, session.record.id, last=4, around=middle.id)
    assert [t.content for t in opened.turns] == ["a19", "q20", "a20", "q21", "a21"]
    assert (opened.earlier, opened.later) == (39, 100 - 44)
    assert [t.content for t in opened.load_later(3)] == ["q22", "a22", "q23"]
    assert opened.later == 100 - 47


async def test_a_hit_in_the_middle_of_a_long_chat_opens_there_and_the_chat_goes_on_at_its_end(
    user_config: Path,
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=SIZE) as pilot:
        store = app.store
        assert store is not None
        record = store.create_chat("long", "mock", "mock-1")
        for i in range(300):
            store.add_message(record.id, "user" if i % 2 == 0 else "assistant", f"turn {i}")
        [hit] = store.search("turn 150")
        await chat(app).open_chat(record.id, hit.message_id)
        await pilot.pause()
        views = list(app.query(MessageView))
        assert [view.text for view in views][:2] == ["turn 149", "turn 150"]
        assert len(views) == 9 and views[1].has_class("-found")
        assert "▼ 142 later messages" in str(app.screen.query_one("#later").label)  # type: ignore[attr-defined]
        app.screen.query_one("#later").press()  # type: ignore[attr-defined]
        await pilot.pause()
        assert len(app.query(MessageView)) == 17
        await send(pilot, "and now?")
        shown = [view.text for view in app.query(MessageView)]
        assert shown[-3] == "turn 299" and shown[-2] == "and now?"
        assert not app.screen.query("#later")
        assert len(chat(app).session.request_messages()) == 302  # the whole chat, and its answer
