"""Copying: the system clipboard where there is one (pyperclip, here through an xclip on PATH
that writes what it is given to a file), else OSC 52 through the terminal; the note says which."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from coda_tui.ui.widgets.message import MessageView

from .test_app import make_app, send


@pytest.fixture
def no_system_clipboard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


async def test_osc_52_when_there_is_no_system_clipboard(
    user_config: Path, no_system_clipboard: None
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "copy me, ünïcode")
        written: list[str] = []
        app._driver.write = written.append  # type: ignore[union-attr,method-assign]
        app.query(MessageView).first().focus()
        await pilot.press("c")
        sequence = "\x1b]52;c;" + base64.b64encode("copy me, ünïcode".encode()).decode() + "\a"
        assert sequence in written
        note = str(list(app._notifications)[-1].message)
        assert note.startswith(
            "Sent the message (16 characters) to the terminal's clipboard (OSC 52"
        )
        assert app.clipboard == "copy me, ünïcode"


async def test_the_system_clipboard_when_there_is_one(
    user_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_dir, copied = tmp_path / "bin", tmp_path / "copied.txt"
    bin_dir.mkdir()
    xclip = bin_dir / "xclip"
    xclip.write_text(f'#!/bin/sh\ncat > "{copied}"\n')
    xclip.chmod(xclip.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("DISPLAY", ":99")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "to the system clipboard")
        written: list[str] = []
        app._driver.write = written.append  # type: ignore[union-attr,method-assign]
        app.query(MessageView).first().focus()
        await pilot.press("c")
        assert copied.read_text() == "to the system clipboard"
        assert not any("\x1b]52" in text for text in written)  # no terminal prompt on top
        note = str(list(app._notifications)[-1].message)
        assert note == "Copied the message (23 characters) to the system clipboard"
        assert app.clipboard == "to the system clipboard"  # Textual's own paste has it too


THREE_BLOCKS = (
    "First:\\n\\n```python\\nprint(1)\\n```\\n\\nThen:\\n\\n```bash\\necho two\\nls -l\\n```"
    "\\n\\nLast:\\n\\n```\\nthree\\n```\\n"
)


async def test_code_blocks_are_numbered_and_block_2_copies_exactly(
    user_config: Path, no_system_clipboard: None, tmp_path: Path
) -> None:
    from .test_app import screen_text

    app = make_app(user_config, f'[providers.mock]\ndelay = 0\nreply = "{THREE_BLOCKS}"\n')
    async with app.run_test(size=(80, 40)) as pilot:
        await send(pilot, "three blocks please")
        text = screen_text(app)
        assert " 1 · python " in text and " 2 · bash " in text and " 3 · code " in text
        answer = list(app.query(MessageView))[-1]
        answer.focus()
        await pilot.press("2")
        assert app.clipboard == "echo two\nls -l"
        await pilot.press("4")
        assert "No code block 4: this message has 3 code blocks" in str(
            list(app._notifications)[-1].message
        )
        await pilot.press("s")
        await pilot.pause()
        field = app.screen.query_one("#value")
        assert field.value.startswith("1 ") and field.value.endswith("snippet-1.py")  # type: ignore[attr-defined]
        field.value = f"2 {tmp_path / 'two.sh'}"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert (tmp_path / "two.sh").read_text() == "echo two\nls -l\n"
        app.query_one("#prompt").focus()
        await app.run_action("screen.copy_code_block")  # the palette's way: asks the number
        await pilot.pause()
        app.screen.query_one("#value").value = "3"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert app.clipboard == "three"


def test_plain_text_drops_the_marks_and_keeps_the_words() -> None:
    from coda_tui.ui.widgets.message import plain_text

    source = (
        "# Rivers\n\nThe **Tagus** and `Douro` ([map](https://example.org/map)).\n\n"
        "- one\n- two *long*\n\n  still two\n\n```py\nprint('[bold]x[/]')\n```\n\n"
        "3. third\n4. fourth\n\n> said\n> twice"
    )
    assert plain_text(source) == (
        "Rivers\n\nThe Tagus and Douro (map (https://example.org/map)).\n\n"
        "- one\n- two long\n  still two\n\nprint('[bold]x[/]')\n\n"
        "3. third\n4. fourth\n\n> said\n> twice"
    )


async def test_t_copies_the_answer_as_plain_text(
    user_config: Path, no_system_clipboard: None
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "show me some python code")
        answer = list(app.query(MessageView))[-1]
        answer.focus()
        await pilot.press("t")
        assert app.clipboard.startswith("Here is a small example:\n\ndef greet(")
        assert "```" not in app.clipboard
        app.query_one("#prompt").focus()
        await pilot.press("ctrl+l")  # the last answer as Markdown, as before
        assert "```python" in app.clipboard
        await app.run_action("screen.copy_last_plain")
        assert "```" not in app.clipboard
