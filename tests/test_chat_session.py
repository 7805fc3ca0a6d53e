from __future__ import annotations

from pathlib import Path

import pytest

from coda_tui.services import chat_session
from coda_tui.services.chat_session import ChatParams, ChatSession
from coda_tui.store import ChatStore
from coda_tui.ui.screens.chat_settings import parse_params


@pytest.fixture
def store(tmp_path: Path) -> ChatStore:
    return ChatStore(tmp_path / "h.sqlite3")


def test_first_prompt_creates_the_saved_chat(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "mock-1", ChatParams(system_prompt="Be brief"))
    session.add_user("Tell me   about\nrivers and lakes")
    assert session.record is not None
    assert session.record.title == "Tell me about rivers and lakes"
    messages = session.request_messages()
    assert [(m.role, m.content) for m in messages] == [
        ("system", "Be brief"),
        ("user", "Tell me   about\nrivers and lakes"),
    ]


def test_streaming_answer_is_saved_about_once_a_second(
    store: ChatStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [100.0]
    monkeypatch.setattr(chat_session.time, "monotonic", lambda: clock[0])
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("hi")
    turn = session.begin_answer()
    assert session.record is not None
    saved = lambda: store.messages(session.record.id)[-1]  # noqa: E731
    parts = ["a"]
    session.update_answer(turn, parts)
    assert saved().content == ""  # within the second: not written yet
    clock[0] += 1.0
    parts.append(" b")
    session.update_answer(turn, parts)
    assert (saved().content, saved().status) == ("a b", "streaming")  # a crash keeps this
    session.end_answer(turn, "a b c", "stopped", {"ttft_s": 0.5})
    assert (saved().content, saved().status, saved().metrics) == (
        "a b c",
        "stopped",
        {"ttft_s": 0.5},
    )


def test_asking_again_keeps_the_answer_as_a_sibling_and_drops_an_empty_one(
    store: ChatStore,
) -> None:
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("q")
    turn = session.begin_answer()
    session.end_answer(turn, "bad answer", "complete")
    assert session.last_answer_index() == 1
    session.regenerate_at(1)
    assert [t.role for t in session.turns] == ["user"]
    assert [m.role for m in session.request_messages()] == ["user"]  # not sent again
    empty = session.begin_answer()
    assert (empty.sibling, empty.siblings) == (2, 2)
    session.end_answer(empty, "", "error")
    session.regenerate_at(1)  # it failed before its first token: nothing to keep
    assert session.record is not None
    assert [m.content for m in store.tree(session.record.id)] == ["q", "bad answer"]
    assert [m.content for m in store.messages(session.record.id)] == ["q", "bad answer"]
    session.add_user("another")
    assert session.last_answer_index() is None


def test_open_loads_the_newest_turns_and_older_on_demand(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "mock-1")
    for i in range(25):
        session.add_user(f"q{i}")
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=10)
    assert reopened.turns[0].content == "q15"
    assert reopened.earlier == 15
    older = reopened.load_earlier(10)
    assert older[0].content == "q5"
    assert reopened.earlier == 5
    reopened.load_earlier(10)
    assert reopened.earlier == 0
    assert [t.content for t in reopened.turns] == [f"q{i}" for i in range(25)]


def test_model_and_params_changes_are_saved(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("q")
    session.set_model("ollama", "llama3")
    session.set_params(ChatParams("sys", 0.3, 100))
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=5)
    assert (reopened.provider, reopened.model) == ("ollama", "llama3")
    assert reopened.params == ChatParams("sys", 0.3, 100)


def test_history_can_be_off() -> None:
    session = ChatSession(None, "mock", "mock-1")
    session.add_user("q")
    turn = session.begin_answer()
    session.end_answer(turn, "a", "complete")
    assert session.record is None
    assert [m.content for m in session.request_messages()] == ["q", "a"]


@pytest.mark.parametrize(
    ("temperature", "max_tokens", "error"),
    [
        ("hot", "", "temperature must be a number"),
        ("3", "", "from 0 to 2"),
        ("", "-1", "max tokens must be"),
        ("", "1.5", "max tokens must be"),
    ],
)
def test_chat_params_are_validated(temperature: str, max_tokens: str, error: str) -> None:
    with pytest.raises(ValueError, match=error):
        parse_params("", temperature, max_tokens)


def test_chat_params_parse() -> None:
    assert parse_params(" sys ", "0.5", "200") == ChatParams("sys", 0.5, 200)
    assert parse_params("", "", "") == ChatParams("", None, None)


def test_a_failing_disk_keeps_the_conversation_in_memory(tmp_path: Path) -> None:
    store = ChatStore(tmp_path / "h.sqlite3")
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("first")
    store.close()  # every write now fails, as on a full or vanished disk
    session.add_user("second")
    turn = session.begin_answer()
    session.end_answer(turn, "still here", "complete")
    assert "Chat history stopped saving" in session.save_error
    assert [t.content for t in session.turns] == ["first", "second", "still here"]
    assert session.store is None


def test_an_empty_answer_that_others_follow_is_kept_when_asked_again(store: ChatStore) -> None:
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("q")
    failed = session.begin_answer()
    session.end_answer(failed, "", "error")
    session.add_user("still there?")  # the chat went on after the failure
    session.regenerate_at(1)
    assert [t.content for t in session.turns] == ["q"]
    assert session.record is not None
    assert [m.status for m in store.tree(session.record.id)] == ["complete", "error", "complete"]
