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


TWO_PARAGRAPHS = (
    "The first paragraph, **bold** in it.\\n\\nThe second one, then a third.\\n\\nA third."
)


async def test_a_mouse_drag_across_two_paragraphs_copies_them(
    user_config: Path, no_system_clipboard: None
) -> None:
    from coda_tui.ui.widgets.answer_markdown import AnswerMarkdown

    app = make_app(user_config, f'[providers.mock]\ndelay = 0\nreply = "{TWO_PARAGRAPHS}"\n')
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "two paragraphs")
        body = list(app.query(MessageView))[-1].body
        lines = [body.render_line(y).text.rstrip() for y in range(3)]
        assert lines == ["The first paragraph, bold in it.", "", "The second one, then a third."]
        # from "first" to the end of "second": across the blank line between the paragraphs
        await pilot.mouse_down(body, offset=(4, 0))
        await pilot.hover(body, offset=(9, 2))  # the pointer's character is in
        await pilot.mouse_up(body, offset=(9, 2))
        await pilot.pause()
        assert app.screen.get_selected_text() == "first paragraph, bold in it.\n\nThe second"
        selected = body.render_line(0)  # drawn as selected there, and only there
        styles = [(segment.text, segment.style) for segment in selected if segment.text.strip()]
        marked = app.screen.get_component_rich_style("screen--selection").bgcolor
        marked_texts = [text for text, style in styles if style and style.bgcolor == marked]
        assert "".join(marked_texts).rstrip() == "first paragraph, bold in it."
        # the text keeps its own colour (the theme's selection colour for text is transparent)
        assert all(style and style.color != style.bgcolor for _, style in styles)
        await pilot.press("ctrl+c")
        assert app.clipboard == "first paragraph, bold in it.\n\nThe second"
        note = str(list(app._notifications)[-1].message)
        assert note.startswith("Sent the selection (40 characters) to the terminal's clipboard")
        assert isinstance(body, AnswerMarkdown)


async def test_a_drag_across_two_messages_copies_both_and_no_headers(
    user_config: Path, no_system_clipboard: None
) -> None:
    app = make_app(user_config, '[providers.mock]\ndelay = 0\nreply = "An answer."\n')
    async with app.run_test(size=(80, 24)) as pilot:
        await send(pilot, "A question.")
        question, answer = list(app.query(MessageView))[-2:]
        await pilot.mouse_down(question.body, offset=(0, 0))
        await pilot.hover(answer.body, offset=(20, 0))
        await pilot.mouse_up(answer.body, offset=(20, 0))
        await pilot.pause()
        assert app.screen.get_selected_text() == "A question.\nAn answer."
        await app.run_action("copy_selection")  # the palette's way
        assert app.clipboard == "A question.\nAn answer."


async def test_a_click_on_an_address_opens_it(user_config: Path) -> None:
    long = "https://example.org/" + "a" * 70 + "/end"
    reply = f"See [the docs](https://example.org/docs). Or {long}. Or not a link."
    app = make_app(user_config, f'[providers.mock]\ndelay = 0\nreply = "{reply}"\n')
    opened: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign]
        await send(pilot, "links")
        body = list(app.query(MessageView))[-1].body
        texts = [body.render_line(y).text for y in range(4)]
        docs = texts[0].index("https://example.org/docs")
        await pilot.click(body, offset=(docs + 5, 0))
        await pilot.click(body, offset=(1, 0))  # "See": text, not an address
        # the long address folds onto the next lines: each part opens all of it
        row = next(y for y, text in enumerate(texts) if text.lstrip().startswith("aaaa"))
        await pilot.click(body, offset=(texts[row].index("a") + 2, row))
        assert opened == ["https://example.org/docs", long]
