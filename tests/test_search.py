"""History search (SQLite FTS5) and the schema version it brought, tested on the history file
that coda-tui wrote before search existed (tests/data/history-v0.sqlite3, made by the code of
e099730 on main) and on files it must refuse."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coda_tui.store import ChatStore, HistoryVersionError
from coda_tui.store.schema import VERSION, backup_path, index_step
from coda_tui.store.search import CANDIDATES, MARK_START

V0 = Path(__file__).parent / "data" / "history-v0.sqlite3"
COMMAND = Path(sys.executable).parent / "coda-tui"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def old_history(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    shutil.copy(V0, path)
    return path


def test_a_history_from_before_search_is_upgraded_in_place_after_a_backup(
    old_history: Path,
) -> None:
    before = digest(old_history)
    store = ChatStore(old_history)
    assert store._db.execute("PRAGMA user_version").fetchone()[0] == VERSION
    assert [chat.title for chat in store.list_chats()] == [
        "Trip to Lisbon",
        "Rust lifetimes",
        "Sourdough starter",
    ]
    assert [m.status for m in store.messages(2)] == ["complete", "stopped"]  # nothing lost
    assert store.index_progress() == (6, 6)  # indexed after the upgrade, not in it
    store.index_rest()
    assert store.index_progress() == (0, 6)
    [hit] = store.search("sourdough starter feed")
    assert (hit.chat_title, hit.role) == ("Sourdough starter", "user")
    backup = backup_path(old_history, 0)
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 0
    assert copy.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 6
    copy.close()
    store.close()
    assert digest(old_history) != before
    ChatStore(old_history).close()  # opened again: already current, nothing to do


def test_messages_indexed_in_the_background_while_the_history_changes(
    old_history: Path,
) -> None:
    """Newest first, a batch at a time; a message deleted or changed before its batch leaves
    the index consistent (FTS5's own integrity check, against the messages, at the end)."""
    store = ChatStore(old_history)
    progress: list[tuple[int, int]] = []
    assert index_step(store._db, batch=2) == 4  # "Lisbon" (5, 6) is searchable now
    assert [h.chat_title for h in store.search("alfama")] == ["Trip to Lisbon"]
    assert store.search("lifetimes", role="user") == []  # not yet
    store.delete_chat(1)  # messages 1 and 2, never indexed
    store.update_message(3, content="Explain borrowing in Rust")  # not indexed yet either
    new = store.add_message(2, "user", "And lifetimes in structs?")
    assert [h.message_id for h in store.search("structs")] == [new]  # new ones at once
    store.index_rest(lambda left, total: progress.append((left, total)))
    assert progress == [(0, 6)]
    store._db.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('integrity-check', 1)")
    assert [h.message_id for h in store.search("borrowing")] == [3]
    assert store.search("sourdough") == []


def test_a_history_from_a_newer_release_is_refused_untouched(old_history: Path) -> None:
    db = sqlite3.connect(old_history)
    db.execute(f"PRAGMA user_version = {VERSION + 1}")
    db.commit()
    db.close()
    before = digest(old_history)
    with pytest.raises(HistoryVersionError, match="newer coda-tui") as caught:
        ChatStore(old_history)
    assert str(old_history) in str(caught.value)
    assert digest(old_history) == before
    assert not backup_path(old_history, VERSION + 1).exists()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    broken = tmp_path / "history.sqlite3"
    broken.write_bytes(b"this is not SQLite\n" * 200)
    before = digest(broken)
    with pytest.raises(sqlite3.DatabaseError):
        ChatStore(broken)
    assert digest(broken) == before


def history(tmp_path: Path) -> ChatStore:
    store = ChatStore(tmp_path / "h.sqlite3")
    bread = store.create_chat("Sourdough starter", "ollama", "llama3.2")
    store.add_message(bread.id, "user", "How often should I feed my starter?")
    store.add_message(bread.id, "assistant", "Daily, with flour and water.", provider="ollama")
    code = store.create_chat("Borrow checker", "litellm", "openai/gpt-4o-mini")
    store.add_message(code.id, "user", "Why does the borrow checker reject this loop?")
    store.add_message(
        code.id, "assistant", "Two mutable borrows of one vector.", provider="litellm"
    )
    trip = store.create_chat("Lisbon", "mock", "mock-1")
    store.add_message(trip.id, "user", "Where to eat pastéis de nata?")
    return store


def test_search_ranks_filters_and_follows_every_change(tmp_path: Path) -> None:
    store = history(tmp_path)
    assert [h.chat_title for h in store.search("borrow")][:1] == ["Borrow checker"]  # title
    assert {h.role for h in store.search("borrow")} == {"title", "user", "assistant"}
    assert [h.role for h in store.search("borrow", role="assistant")] == ["assistant"]
    assert [h.chat_title for h in store.search("flour")] == ["Sourdough starter"]
    assert store.search("flour", provider="litellm") == []
    assert sorted(h.role for h in store.search("borrow", provider="litellm")) == [
        "assistant",
        "user",
    ]
    assert [h.chat_title for h in store.search("pasteis")] == ["Lisbon"]  # accents folded
    [hit] = store.search("nata")
    assert hit.parts() == [("Where to eat pastéis de ", False), ("nata", True), ("?", False)]
    for nonsense in ("", "  ", '"', "AND OR NOT", "*", "col:umn^"):
        store.search(nonsense)  # never an FTS5 syntax error
    answer = store.messages(1)[-1]
    store.update_message(answer.id, content="Twice a day when it is warm.")
    assert store.search("flour") == [] and store.search("warm")[0].message_id == answer.id
    store.delete_chat(1)
    assert store.search("starter") == []


def test_a_one_letter_word_is_a_word_and_longer_ones_are_prefixes(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "h.sqlite3")
    chat = store.create_chat("langs", "mock", "m")
    store.add_message(chat.id, "user", "Pointers in C and vectors in R")
    store.add_message(chat.id, "user", "Cats and rivers")
    assert [h.snippet.count(MARK_START) for h in store.search("C")] == [1]
    assert len(store.search("ca")) == 1 and len(store.search("r")) == 1
    assert len(store.search("ri")) == 1


def test_filters_apply_before_the_newest_matches_are_ranked(tmp_path: Path) -> None:
    """Ranking looks at the newest CANDIDATES matches; a filter narrows them first, so an
    older match that passes it is never crowded out by newer ones that do not."""
    store = ChatStore(tmp_path / "h.sqlite3")
    old = store.create_chat("old", "ollama", "llama3.2")
    store.add_message(old.id, "user", "kernel panic at boot")
    new = store.create_chat("new", "mock", "m")
    store._db.execute("BEGIN")
    for index in range(CANDIDATES + 100):
        store.add_message(new.id, "user", f"kernel module {index}")
    store._db.execute("COMMIT")
    [hit] = store.search("kernel", model="llama3.2")
    assert hit.chat_title == "old"
    assert len(store.search("kernel", limit=1000)) == CANDIDATES  # the newest 500 of 601
    assert store.search("kernel panic")[0].chat_title == "old"


def test_coda_tui_search_prints_hits_for_people_and_programs(
    tmp_path: Path, user_config: Path
) -> None:
    store = history(tmp_path)
    store.close()
    user_config.write_text(f'[history]\npath = "{tmp_path / "h.sqlite3"}"\n')
    people = subprocess.run(
        [str(COMMAND), "search", "borrow", "--role", "user"], capture_output=True, text=True
    )
    assert people.returncode == 0, people.stderr
    [line] = people.stdout.splitlines()
    assert "Borrow checker" in line and "Why does the [borrow] checker" in line
    programs = subprocess.run(
        [str(COMMAND), "search", "flour", "--json"], capture_output=True, text=True, check=True
    )
    [hit] = json.loads(programs.stdout)
    assert hit["chat_title"] == "Sourdough starter" and hit["snippet"].startswith("Daily, with")
    none = subprocess.run([str(COMMAND), "search", "zebra"], capture_output=True, text=True)
    assert none.returncode == 1 and none.stdout == ""


def test_coda_tui_search_indexes_an_upgraded_history_first(
    old_history: Path, user_config: Path
) -> None:
    user_config.write_text(f'[history]\npath = "{old_history}"\n')
    found = subprocess.run(
        [str(COMMAND), "search", "alfama"], capture_output=True, text=True, check=True
    )
    assert "Trip to Lisbon" in found.stdout
    assert "Indexing the history for search: 100%" in found.stderr


async def test_the_app_indexes_an_upgraded_history_in_the_background(
    old_history: Path, user_config: Path
) -> None:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp

    user_config.write_text(f'[history]\npath = "{old_history}"\n[providers.mock]\ndelay = 0\n')
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any(note.startswith("Indexing 6 messages for search") for note in notes)
        assert "Every message can be searched now" in notes
        assert app.store is not None and app.store.index_progress() == (0, 6)
        assert app.indexing is None
        [hit] = app.store.search("alfama")
        assert hit.chat_title == "Trip to Lisbon"


async def test_an_index_that_cannot_be_built_costs_search_not_the_app(
    old_history: Path, user_config: Path
) -> None:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp

    ChatStore(old_history).close()
    db = sqlite3.connect(old_history)
    db.execute("DROP TABLE fts_build")  # damaged by hand
    db.commit()
    db.close()
    user_config.write_text(f'[history]\npath = "{old_history}"\n[providers.mock]\ndelay = 0\n')
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        notes = [str(n.message) for n in app._notifications]
        assert any("could not be indexed for search (no such table" in note for note in notes)
        assert app.is_running and app.indexing is None


async def test_search_from_anywhere_opens_the_right_chat_at_the_right_message(
    tmp_path: Path, user_config: Path
) -> None:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp
    from coda_tui.ui.screens.chat import ChatScreen
    from coda_tui.ui.screens.search import SearchScreen
    from coda_tui.ui.widgets.message import MessageView

    store = history(tmp_path)
    long = store.create_chat("Long one", "mock", "mock-1")
    for n in range(30):  # the hit is far older than the turns a chat opens with
        text = "the unusual word zeppelin" if n == 2 else f"message number {n}"
        store.add_message(long.id, "user" if n % 2 == 0 else "assistant", text)
    user_config.write_text("[providers.mock]\ndelay = 0\n")
    app = CodaApp(load_config(), store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f3")  # from another mode
        await pilot.press("ctrl+f")
        await pilot.pause()
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"borrow role:assistant")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [(h.chat_title, h.role) for h in app.screen.items] == [
            ("Borrow checker", "assistant")
        ]
        app.indexing = (25, 100)  # an upgraded history still being indexed says so
        await pilot.press("space")
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(app.screen.query_one("#search-status").render())
        assert status == "1 found · indexing older messages: 75%"
        app.indexing = None
        await pilot.press(*("backspace" for _ in "borrow role:assistant "), *"zeppel")
        await app.workers.wait_for_complete()
        await pilot.pause()
        [hit] = app.screen.items
        await pilot.press("enter")
        await pilot.pause()
        await pilot.pause()
        chat = app.screen
        assert isinstance(chat, ChatScreen) and app.current_mode == "chat"
        assert chat.session.record is not None and chat.session.record.id == long.id
        [found] = [view for view in chat.query(MessageView) if view.has_class("-found")]
        assert found.message_id == hit.message_id
        viewport = chat.messages.region
        assert viewport.y <= found.region.y < viewport.bottom  # scrolled to, on screen


async def test_find_in_chat_steps_through_matches_older_than_what_is_on_screen(
    tmp_path: Path, user_config: Path
) -> None:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp
    from coda_tui.ui.screens.chat import ChatScreen
    from coda_tui.ui.widgets.message import MessageView

    store = ChatStore(tmp_path / "h.sqlite3")
    chat = store.create_chat("Long one", "mock", "mock-1")
    ids = {}
    for n in range(30):
        text = f"message {n} about kites" if n in (2, 10, 25) else f"message {n}"
        ids[n] = store.add_message(chat.id, "user" if n % 2 == 0 else "assistant", text)
    user_config.write_text("[providers.mock]\ndelay = 0\n")
    app = CodaApp(load_config(), store=store)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, ChatScreen)
        await screen.open_chat(chat.id)

        def marked() -> list[int | None]:
            return [v.message_id for v in screen.query(MessageView) if v.has_class("-found")]

        await pilot.press("ctrl+g", *"kite", "enter")
        await pilot.pause()
        assert marked() == [ids[25]]  # the newest match first
        await pilot.press("f7")
        await pilot.pause()
        assert marked() == [ids[10]]
        await pilot.press("f7")  # older than the turns on screen: loaded back to it
        await pilot.pause()
        await pilot.pause()
        assert marked() == [ids[2]]
        assert screen.query(MessageView).first().message_id <= ids[2]
        await pilot.press("f8")
        await pilot.pause()
        assert marked() == [ids[10]]
        await pilot.press("ctrl+g", *("backspace" for _ in "kite"), *"zebra", "enter")
        await pilot.pause()
        assert any("not in this chat" in str(n.message) for n in app._notifications)
