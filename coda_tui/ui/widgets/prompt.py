"""The prompt: several lines, Enter sends, Ctrl+J (or Shift+Enter) starts a new line, and Up on
an empty prompt brings back the prompts sent before, as a shell does. ``@`` at the start of a
word asks for a file to attach; a pasted path to a file (what terminals send when a file is
dropped on them) attaches it instead of being typed."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from textual import events
from textual.message import Message
from textual.widgets import TextArea


class PromptInput(TextArea, inherit_bindings=False):
    # TextArea's F6/F7 (select line/all) would shadow the app's mode keys.
    BINDINGS = [b for b in TextArea.BINDINGS if b.key not in ("f6", "f7")]  # type: ignore[union-attr]
    DEFAULT_CSS = """
    PromptInput { height: auto; min-height: 3; max-height: 10; margin: 0 1; }
    """

    @dataclass
    class Submitted(Message):
        prompt: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt

    @dataclass
    class AttachWanted(Message):
        """``@`` was typed where a word starts: the screen offers its files."""

    @dataclass
    class EmptyBackspace(Message):
        """Backspace with nothing to delete: the screen takes off the last attachment."""

    @dataclass
    class PathsPasted(Message):
        """What was pasted (or dropped) is one or more paths to files."""

        paths: list[Path]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            soft_wrap=True,
            show_line_numbers=False,
            tab_behavior="focus",
            **kwargs,  # type: ignore[arg-type]
        )
        self.sent = []
        self._recalled: int | None = None

    sent: list[str]
    """Prompts sent from here, oldest first."""

    def recall(self, step: int) -> bool:
        """Show an earlier (-1) or later (+1) prompt; False when there is none to move to."""
        if step < 0 and not self.sent:
            return False
        position = len(self.sent) if self._recalled is None else self._recalled
        position += step
        if position < 0:
            return True  # at the oldest: stay
        if position >= len(self.sent):
            if self._recalled is None:
                return False
            self._recalled = None
            self.text = ""
            return True
        self._recalled = position
        self.text = self.sent[position]
        self.move_cursor(self.document.end)
        return True

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.prevent_default()
            event.stop()
            if self.text.strip():
                if not self.sent or self.sent[-1] != self.text:
                    self.sent.append(self.text)
                self._recalled = None
                self.post_message(self.Submitted(self, self.text))
            return
        row = self.cursor_location[0]
        recalling = self._recalled is not None or not self.text
        earlier = event.key == "up" and recalling and row == 0
        later = event.key == "down" and self._recalled is not None
        later = later and row == self.document.line_count - 1
        if (earlier or later) and self.recall(-1 if earlier else 1):
            event.prevent_default()
            event.stop()
            return
        if event.key == "backspace" and not self.text:
            self.post_message(self.EmptyBackspace())
        if event.character == "@" and self._word_starts():
            event.prevent_default()
            event.stop()
            self.post_message(self.AttachWanted())
            return
        if event.key in ("shift+enter", "ctrl+j", "ctrl+enter"):
            event.prevent_default()
            event.stop()
            self.insert("\n")
            return
        await super()._on_key(event)

    def _word_starts(self) -> bool:
        row, column = self.cursor_location
        before = self.document[row][:column]
        return not before or before[-1].isspace()

    async def _on_paste(self, event: events.Paste) -> None:
        paths = pasted_paths(event.text)
        if paths:
            event.prevent_default()
            event.stop()
            self.post_message(self.PathsPasted(paths))
            return
        await super()._on_paste(event)


def pasted_paths(text: str) -> list[Path]:
    """The files a paste names, if it names only files: absolute paths (or ``~/``, or
    file:// URLs), one a line, or several on a line quoted or with escaped spaces, as
    terminals write a dropped file. Anything else (a relative name among them) is text to
    type, and gives []."""
    text = text.strip()
    if not text or len(text) > 4096:
        return []
    try:
        words = text.splitlines() if "\n" in text else shlex.split(text)
    except ValueError:  # an unclosed quote: text
        return []
    paths = []
    for word in (w.strip() for w in words):
        if word.startswith("file://"):
            word = unquote(urlparse(word).path)
        if not word.startswith(("/", "~")):
            return []
        path = Path(word).expanduser()
        try:
            if not path.is_file():
                return []
        except OSError:
            return []
        paths.append(path)
    return paths
