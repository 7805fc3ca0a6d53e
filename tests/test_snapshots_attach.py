"""Attachments as a user sees them: the file picker, and a sent message with its chips."""

from __future__ import annotations

from pathlib import Path

from .test_attachments import PNG
from .test_snapshots import snapshot_app, steady, still_clock  # noqa: F401 - autouse: a still clock


def make_project() -> Path:
    """In the test's working directory (the fixtures make it ``project``)."""
    root = Path.cwd()
    (root / "src").mkdir()
    (root / "src" / "main.py").write_text("def main():\n    return 42\n")
    (root / "src" / "maintenance.md").write_text("# Upkeep\n\nOil the hinges.\n")
    (root / "README.md").write_text("# Project\n")
    (root / "shot.png").write_bytes(PNG)
    return root


def chart_png(path: Path) -> None:
    """A small chart: four bars of four colours on white."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (64, 48), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for index, (height, colour) in enumerate(
        [(20, (220, 50, 50)), (34, (50, 160, 60)), (12, (40, 90, 220)), (44, (240, 180, 0))]
    ):
        draw.rectangle((4 + index * 15, 47 - height, 14 + index * 15, 47), fill=colour)
    image.save(path)


def test_file_picker(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    make_project()

    async def open_picker(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.press("@")
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.press(*"main")
        await steady(pilot)

    app = snapshot_app(user_config)
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_picker)


def test_message_with_attachments(snap_compare, user_config: Path) -> None:  # type: ignore[no-untyped-def]
    root = make_project()

    async def send(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.app.workers.wait_for_complete()
        screen = pilot.app.screen
        chart_png(root / "chart.png")
        screen.attach_paths([root / "src" / "main.py", root / "chart.png"])
        await pilot.pause()
        await pilot.press(*"What is in these?")
        await steady(pilot)  # the chips above the prompt are in the snapshot's test below
        await pilot.press("enter")
        await pilot.app.workers.wait_for_complete()
        screen.attach_paths([root / "README.md"])
        await steady(pilot)

    reply = 'model = "mock-vision"\nreply = "Both are small: a function and a red pixel."\n'
    app = snapshot_app(user_config, reply)
    assert snap_compare(app, terminal_size=(80, 24), run_before=send)
