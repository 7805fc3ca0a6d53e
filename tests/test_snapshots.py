"""Each chat screen state at 120x40, compared with its reviewed SVG under tests/__snapshots__."""

from __future__ import annotations

from pathlib import Path

import pytest

from coda_tui.providers import load_config
from coda_tui.services import metrics
from coda_tui.services.chat_session import ChatSession
from coda_tui.store import ChatStore
from coda_tui.ui.app import CodaApp

SIZE = (120, 40)
SMALL = (80, 24)
ANSWER = """Here is how to read a file in Python:

```python
from pathlib import Path

text = Path("notes.txt").read_text()
print(text.upper())
```

- `read_text` opens and closes the file for you
- **Encoding** defaults to the locale's; pass `encoding="utf-8"` to be sure
"""


@pytest.fixture(autouse=True)
def still_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "monotonic", lambda: 1000.0)
    monkeypatch.setenv("OLLAMA_HOST", "127.0.0.1:1")


async def steady(pilot) -> None:  # type: ignore[no-untyped-def]
    """Stop cursors blinking: a screenshot must not depend on when it was taken."""
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause()


def snapshot_app(user_config: Path, text: str = "") -> CodaApp:
    user_config.write_text("[providers.mock]\ndelay = 0\n" + text, encoding="utf-8")
    return CodaApp(load_config())


def test_chat_empty(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(snapshot_app(user_config), terminal_size=SIZE, run_before=steady)


def test_chat_with_markdown_and_code(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(user_config)
    assert app.store is not None
    session = ChatSession(app.store, "mock", "mock-1")
    session.add_user("How do I read a file in Python?")
    turn = session.begin_answer()
    session.end_answer(turn, ANSWER, "complete")

    async def open_chat(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+b", "enter", "ctrl+b")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_chat)


def test_chat_with_an_error(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    app = snapshot_app(user_config, 'reply = "The answer is cut"\nfail_after = 2\n')

    async def send(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press(*"Why is the sky blue?", "enter")
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=send)


@pytest.mark.parametrize("size", [SIZE, SMALL], ids=["120x40", "80x24"])
def test_model_picker(snap_compare, user_config: Path, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    async def open_picker(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("ctrl+o")
        await pilot.app.workers.wait_for_complete()
        await steady(pilot)

    assert snap_compare(snapshot_app(user_config), terminal_size=size, run_before=open_picker)


def test_store_is_isolated_per_test(user_config: Path) -> None:
    app = snapshot_app(user_config)
    assert isinstance(app.store, ChatStore)
    assert app.store.list_chats() == []


COMPARE_CONFIG = (
    "[providers.mock]\ndelay = 0\n"
    '[compare]\npanes = [{ provider = "mock" }, { provider = "second" }]\n'
    '[providers.second]\ntype = "mock"\nmodel = "mock-priced"\ndelay = 0\n'
)


def compare_app(user_config: Path, second: str = "") -> CodaApp:
    user_config.write_text(COMPARE_CONFIG + second, encoding="utf-8")
    return CodaApp(load_config())


def compare_steps(state: str):  # type: ignore[no-untyped-def]
    async def run_before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("f2")
        await pilot.pause()
        if state != "idle":
            await pilot.press(*"Why is the sky blue?", "enter")
            first = pilot.app.screen.panes[0]
            for _ in range(250):
                if first.session.turns[-1].status == "complete":
                    break
                await pilot.pause(0.02)
            if state == "finished":
                await pilot.app.workers.wait_for_complete()
            pilot.app.screen.refresh_metrics(idle_too=True)
        await steady(pilot)

    return run_before


@pytest.mark.parametrize("size", [(120, 40), (80, 24)], ids=["120x40", "80x24"])
@pytest.mark.parametrize("state", ["idle", "mid_stream", "finished"])
def test_compare(snap_compare, user_config: Path, state: str, size: tuple[int, int]) -> None:  # type: ignore[no-untyped-def]
    # mid-stream: the second pane is still waiting for its first token
    second = "first_token_delay = 60\n" if state == "mid_stream" else ""
    app = compare_app(user_config, second)
    assert snap_compare(app, terminal_size=size, run_before=compare_steps(state))


def test_compare_three_panes_at_80x24(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    """Three stacked panes: each title whole in its border, the figures on two lines."""
    third = '[providers.third]\ntype = "mock"\nmodel = "mock-priced"\ndelay = 0\n'
    user_config.write_text(
        COMPARE_CONFIG.replace(
            '{ provider = "second" }]', '{ provider = "second" }, { provider = "third" }]'
        )
        + third,
        encoding="utf-8",
    )
    app = CodaApp(load_config())
    assert snap_compare(app, terminal_size=SMALL, run_before=compare_steps("finished"))
