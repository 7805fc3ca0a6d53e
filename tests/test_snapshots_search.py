"""History search at 80x24, compared with its reviewed SVG."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.store import ChatStore
from coda_tui.ui.app import CodaApp

from .test_snapshots import SMALL, steady

WHEN = datetime(2026, 11, 20, 9, 30).timestamp()


def test_search_with_a_filter(
    snap_compare, user_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("coda_tui.store.history.time.time", lambda: WHEN)  # dates in the SVG
    store = ChatStore(tmp_path / "h.sqlite3")
    bread = store.create_chat("Sourdough starter", "ollama", "llama3.2")
    store.add_message(bread.id, "user", "How often should I feed my starter?")
    store.add_message(bread.id, "assistant", "Feed it daily; a cold starter weekly.")
    rust = store.create_chat("Borrow checker", "litellm", "openai/gpt-4o-mini")
    store.add_message(rust.id, "user", "Why does the borrow checker reject [bold]this[/] loop?")
    store.add_message(rust.id, "assistant", "Two mutable borrows of one vector: feed one.")
    user_config.write_text("[providers.mock]\ndelay = 0\n")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+f", *"borrow role:user")  # a filter; markup shown as text
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    app = CodaApp(load_config(), store=store)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_a_turn_with_siblings_selected(
    snap_compare, user_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """An answer asked again twice, the second of three shown and selected: its < 2/3 > and
    the keys that move between them in the footer."""
    monkeypatch.setattr("coda_tui.store.history.time.time", lambda: WHEN)
    store = ChatStore(tmp_path / "h.sqlite3")
    chat = store.create_chat("Tide pools", "ollama", "llama3.2")
    prompt = store.add_message(chat.id, "user", "A haiku about tide pools, please.")
    for text, model in (
        ("Water in the rocks", "llama3.2"),
        (
            "Small worlds in the rock,\nthe sea leaves and comes back,\ncrabs keep the hours.",
            "qwen2.5",
        ),
        ("Salt mirrors at noon", "llama3.2"),
    ):
        store.add_message(
            chat.id, "assistant", text, provider="ollama", model=model, parent_id=prompt
        )
    second = store.sibling_ids(chat.id, prompt)[1]
    store.choose(second)
    user_config.write_text("[providers.mock]\ndelay = 0\n")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.screen.open_chat(chat.id)
        await pilot.press("shift+tab")
        await steady(pilot)

    app = CodaApp(load_config(), store=store)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_find_in_chat_marks_the_match(
    snap_compare, user_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """Ctrl+G in an open chat: the newest match marked, the count in a notification."""
    monkeypatch.setattr("coda_tui.store.history.time.time", lambda: WHEN)
    store = ChatStore(tmp_path / "h.sqlite3")
    chat = store.create_chat("Rivers", "mock", "mock-1")
    for role, text in (
        ("user", "Which rivers have otters?"),
        ("assistant", "Many do: the Tagus, the Douro and most clean rivers of Europe."),
        ("user", "And beavers?"),
        ("assistant", "Beavers came back to the Danube and the Elbe; otters share them."),
        ("user", "Thanks!"),
    ):
        store.add_message(chat.id, role, text)
    user_config.write_text("[providers.mock]\ndelay = 0\n")

    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.screen.open_chat(chat.id)
        await pilot.press("ctrl+g", *"otters", "enter")
        await steady(pilot)

    app = CodaApp(load_config(), store=store)
    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
