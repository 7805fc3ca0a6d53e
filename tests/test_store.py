from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from coda_tui.store import ChatStore, chat_to_json, chat_to_markdown


@pytest.fixture
def store(tmp_path: Path) -> ChatStore:
    return ChatStore(tmp_path / "data" / "history.sqlite3")


def test_chats_and_messages_round_trip(store: ChatStore) -> None:
    chat = store.create_chat("First", "mock", "mock-1", system_prompt="Be brief", params={"t": 1})
    store.add_message(chat.id, "user", "hi")
    answer = store.add_message(chat.id, "assistant", "", status="streaming", model="mock-1")
    store.update_message(answer, content="hello", status="complete", metrics={"ttft_s": 0.1})
    messages = store.messages(chat.id)
    assert [(m.role, m.content, m.status) for m in messages] == [
        ("user", "hi", "complete"),
        ("assistant", "hello", "complete"),
    ]
    assert messages[1].metrics == {"ttft_s": 0.1}
    again = store.get_chat(chat.id)
    assert (again.system_prompt, again.params) == ("Be brief", {"t": 1})


def test_wal_mode_and_file_under_the_given_path(store: ChatStore) -> None:
    mode = sqlite3.connect(store.path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    assert store.path.exists()


def test_newest_first_rename_and_delete_cascades(store: ChatStore) -> None:
    a = store.create_chat("A", "mock", "m")
    b = store.create_chat("B", "mock", "m")
    store.add_message(a.id, "user", "bump a")  # a is now the most recent
    assert [c.title for c in store.list_chats()] == ["A", "B"]
    store.update_chat(b.id, title="Renamed")
    assert store.get_chat(b.id).title == "Renamed"
    store.delete_chat(a.id)
    assert [c.id for c in store.list_chats()] == [b.id]
    assert store.messages(a.id) == []
    with pytest.raises(ValueError, match="unknown chat fields"):
        store.update_chat(b.id, colour="red")


def test_newest_messages_and_older_pages(store: ChatStore) -> None:
    chat = store.create_chat("Long", "mock", "m")
    ids = [store.add_message(chat.id, "user", f"m{i}") for i in range(30)]
    last = store.messages(chat.id, limit=10)
    assert [m.content for m in last] == [f"m{i}" for i in range(20, 30)]
    older = store.messages(chat.id, limit=10, before_id=last[0].id)
    assert [m.content for m in older] == [f"m{i}" for i in range(10, 20)]
    assert store.count_messages(chat.id) == 30
    assert ids == sorted(ids)


def test_data_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    first = ChatStore(path)
    chat = first.create_chat("Keep", "mock", "m")
    first.add_message(chat.id, "assistant", "partial", status="streaming")
    first.close()
    second = ChatStore(path)
    [message] = second.messages(chat.id)
    assert (message.content, message.status) == ("partial", "streaming")


def test_markdown_export_is_readable_and_fences_survive(store: ChatStore) -> None:
    chat = store.create_chat("Export me", "ollama", "llama3", system_prompt="x ``` y")
    store.add_message(chat.id, "user", "show code")
    answer = store.add_message(chat.id, "assistant", "```py\nprint(1)\n```", provider="ollama")
    store.update_message(answer, status="stopped")
    text = chat_to_markdown(store.get_chat(chat.id), store.messages(chat.id))
    assert text.startswith("# Export me\n\n*ollama · llama3 · ")
    assert "## You\n\nshow code" in text
    assert "## Assistant — stopped\n\n```py\nprint(1)\n```" in text
    assert "````\nx ``` y\n````" in text  # a longer fence than any backtick run inside


def test_json_export_keeps_every_field(store: ChatStore) -> None:
    chat = store.create_chat("J", "mock", "m", params={"temperature": 0.2})
    store.add_message(chat.id, "user", "ünïcode ✓")
    data = json.loads(chat_to_json(store.get_chat(chat.id), store.messages(chat.id)))
    assert data["chat"]["params"] == {"temperature": 0.2}
    assert data["messages"][0]["content"] == "ünïcode ✓"
    assert set(data["messages"][0]) >= {"role", "status", "model", "metrics", "created_at"}
