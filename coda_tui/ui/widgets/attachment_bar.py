"""What goes with the next prompt: a chip per file or image (name, size, token estimate),
above the prompt. A click on a chip's ✕, or Backspace in an empty prompt, takes one off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from ...units import human_bytes

if TYPE_CHECKING:
    from ...store import Attachment


def chip(attachment: Attachment) -> str:
    """``file notes.py · 1.2 KB · ~310 tokens``, ``image shot.png · 45.0 KB``."""
    size = human_bytes(attachment.size)
    if attachment.kind == "image":
        return f"image {attachment.name} · {size}"
    return f"file {attachment.name} · {size} · ~{attachment.tokens:,} tokens"


def chips(attachments: list[Attachment], *, removable: bool = False) -> Content:
    """The chips on one line (names are shown as text, never as markup)."""
    parts: list[Content | tuple[str, str] | str] = []
    for index, attachment in enumerate(attachments):
        if parts:
            parts.append("  ")
        # no-break spaces: a line wraps between chips, never inside one
        text = f" {chip(attachment)} ".replace(" ", "\u00a0")
        parts.append((text, "reverse"))
        if removable:
            parts.append(("\u00a0✕", f"bold @click=screen.remove_attachment({index})"))
    return Content.assemble(*parts)


class AttachmentBar(Static):
    DEFAULT_CSS = """
    AttachmentBar { height: auto; margin: 0 2; color: $text-muted; display: none; }
    """

    def show(self, attachments: list[Attachment]) -> None:
        self.display = bool(attachments)
        if attachments:
            total = sum(a.tokens for a in attachments)
            tokens = f"~{total:,} tokens in all · " if total and len(attachments) > 1 else ""
            note = f"   {tokens}Backspace removes the last"
            self.update(Content.assemble(chips(attachments, removable=True), (note, "dim")))
