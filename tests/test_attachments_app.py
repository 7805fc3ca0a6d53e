"""Attachments in the app: ``@`` opens the file picker, a pasted path attaches, chips show what
goes, the model is checked before anything is sent, and what was sent is on the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from coda_tui.ui.screens.file_picker import FilePickerScreen
from coda_tui.ui.widgets.attachment_bar import AttachmentBar
from coda_tui.ui.widgets.message import MessageView
from coda_tui.ui.widgets.prompt import PromptInput, pasted_paths

from .servers.ollama import OllamaServer
from .test_app import chat, make_app, ollama_config, screen_text, send
from .test_attachments import PNG


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with code, an ignored folder, a binary and an image."""
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "main.py").write_text("def main():\n    return 42\n")
    (root / "src" / "maintenance.md").write_text("# Upkeep\n")
    (root / "README.md").write_text("# Project\n")
    (root / ".gitignore").write_text("dist/\n")
    (root / "dist").mkdir()
    (root / "dist" / "main.py").write_text("built\n")
    (root / "tool").write_bytes(b"\x7fELF\x00\x00")
    (root / "shot.png").write_bytes(PNG)
    monkeypatch.chdir(root)
    return root


async def pick(pilot, query: str) -> FilePickerScreen:  # type: ignore[no-untyped-def]
    await pilot.press("@")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, FilePickerScreen)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press(*query)
    await pilot.pause()
    return picker


async def test_at_opens_the_picker_which_filters_and_attaches(
    user_config: Path, project: Path, ollama_server: OllamaServer
) -> None:
    app = make_app(user_config, ollama_config(ollama_server.url))
    async with app.run_test(size=(80, 24)) as pilot:
        picker = await pick(pilot, "mainpy")
        assert [c.path for c in picker.items] == ["src/main.py"]  # not dist/ (ignored)
        await pilot.press("backspace", "backspace")
        assert [c.path for c in picker.items] == ["src/main.py", "src/maintenance.md"]
        await pilot.press("enter")
        await pilot.pause()
        bar = app.screen.query_one(AttachmentBar)
        shown = str(bar.render()).replace("\xa0", " ")  # chips hold no-break spaces
        assert bar.display and "file main.py · 26 B · ~7 tokens" in shown
        await send(pilot, "What does it return?")
        sent = ollama_server.state.requests[-1][2]["messages"][-1]["content"]
        main = project / "src" / "main.py"
        assert sent == (
            f"File {main}:\n\n```\ndef main():\n    return 42\n```\n\nWhat does it return?"
        )
        assert not bar.display  # sent: the chips go
        question = list(app.query(MessageView))[-2]
        assert [a.name for a in question.attachments] == ["main.py"]
        assert "file main.py · 26 B · ~7 tokens" in screen_text(app).replace("\xa0", " ")
        record = chat(app).session.record
        assert record is not None and app.store is not None
        assert app.store.messages(record.id)[0].attachments[0].path == str(main)


async def test_esc_in_the_picker_types_the_at_and_at_inside_a_word_is_text(
    user_config: Path, project: Path
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"me")
        await pilot.press("@")  # an address, not a file
        await pilot.pause()
        assert not isinstance(app.screen, FilePickerScreen)
        await pilot.press("space")
        await pick(pilot, "")
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#prompt", PromptInput).text == "me@ @"


async def test_an_image_for_a_model_without_vision_is_refused_naming_one_with(
    user_config: Path, project: Path
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        prompt = app.screen.query_one("#prompt", PromptInput)
        prompt.post_message(events.Paste(f"'{project / 'shot.png'}'"))  # as a dropped file
        await pilot.pause()
        bar = str(app.screen.query_one(AttachmentBar).render()).replace("\xa0", " ")
        assert f"image shot.png · {len(PNG)} B" in bar and "tokens" not in bar
        assert prompt.text == ""  # attached, not typed
        await pilot.press(*"What is this?", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        note = str(list(app._notifications)[-1].message)
        assert note == (
            "mock-1 takes no images; mock · mock-vision does (Ctrl+O chooses another model)"
        )
        assert prompt.text == "What is this?" and not list(app.query(MessageView))  # kept
        from coda_tui.services import ModelCatalog

        catalog: ModelCatalog = app.catalog
        model = catalog.find("mock", "mock-vision")
        assert model is not None
        from coda_tui.ui.screens.model_picker import ModelChoice

        chat(app).use_model(ModelChoice("mock", model))
        await send(pilot, "")
        answer = list(app.query(MessageView))[-1]
        assert answer.text == f"I see 1 image (PNG, {len(PNG)} bytes)."


async def test_backspace_on_an_empty_prompt_takes_the_last_chip_off(
    user_config: Path, project: Path
) -> None:
    app = make_app(user_config)
    async with app.run_test(size=(80, 24)) as pilot:
        chat(app).attach_paths([project / "README.md", project / "tool", project / "shot.png"])
        await pilot.pause()
        assert "tool is a binary file" in str(list(app._notifications)[-1].message)
        assert [a.name for a in chat(app).pending] == ["README.md", "shot.png"]
        await pilot.press("backspace")
        assert [a.name for a in chat(app).pending] == ["README.md"]
        await app.run_action("screen.clear_attachments")
        assert chat(app).pending == [] and not app.screen.query_one(AttachmentBar).display


def test_what_a_paste_names() -> None:
    here = Path(__file__)
    assert pasted_paths(str(here)) == [here]
    assert pasted_paths(f"file://{here}") == [here]
    assert pasted_paths(f"{here} {here}") == [here, here]
    assert pasted_paths(f"see {here}") == []  # words: text
    assert pasted_paths("tests/test_app.py") == []  # a relative name is text too
    assert pasted_paths(f"{here}.missing") == []
    assert pasted_paths("'unclosed") == []


async def test_a_notification_never_reads_markup(user_config: Path) -> None:
    """File names and server errors reach notifications: ``[@click=app.quit]`` is text."""
    app = make_app(user_config)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        from textual.widgets._toast import Toast

        app.screen.notify("x [@click=app.quit]y[/] [providers.mock]")
        await pilot.pause(0.2)
        [toast] = app.screen.query(Toast)
        assert str(toast.render()) == "x [@click=app.quit]y[/] [providers.mock]"


def test_a_thumbnail_is_the_image_in_half_blocks(tmp_path: Path) -> None:
    from PIL import Image

    from coda_tui.ui.widgets.thumbnail import half_blocks

    image = Image.new("RGB", (4, 4), (255, 0, 0))
    for x in range(4):
        image.putpixel((x, 1), (0, 0, 255))  # the second row blue
    path = tmp_path / "flag.webp"
    image.save(path, lossless=True)
    strips = half_blocks(str(path))
    assert len(strips) == 2 and strips[0].cell_length == 4
    first = next(iter(strips[0]))
    assert first.text == "▀"
    assert first.style is not None and first.style.color and first.style.bgcolor
    assert first.style.color.triplet == (255, 0, 0) and first.style.bgcolor.triplet == (0, 0, 255)
    wide = tmp_path / "wide.png"
    Image.new("RGB", (320, 40), (0, 128, 0)).save(wide)
    assert [s.cell_length for s in half_blocks(str(wide))] == [16]  # 16 x 2 pixels: one row
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    assert half_blocks(str(tmp_path / "broken.png")) == []
    assert half_blocks(str(tmp_path / "gone.png")) == []
