"""One turn of a conversation: who said it, what was said, and how it ended."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from ..text import fence_language, visible_text
from ..textual_compat import settle_size

if TYPE_CHECKING:
    from ...services.tool_rounds import ToolStep
    from ...store import Attachment

_CODE_BLOCK = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1\s*$", re.DOTALL | re.MULTILINE)


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """(language, contents) of every fenced code block, numbered from 1 as the answer shows."""
    return [
        (
            fence_language(match.group(0).split("\n", 1)[0]),
            match.group(2).rstrip("\n"),
        )
        for match in _CODE_BLOCK.finditer(markdown)
    ]


def plain_text(markdown: str) -> str:
    """The answer without its Markdown marks, for pasting where they would show: paragraphs,
    headings, list items ("- ", "1. ") and quotes ("> ") as text, code as it is; a link keeps
    its address after its text."""
    from markdown_it import MarkdownIt

    blocks: list[tuple[str, bool]] = []  # (text, inside a list)
    marks: list[list[str | bool]] = []  # open list items and quotes: [mark, shown already]
    numbers: list[int | None] = []  # per open list: its next item's number (None: bullets)

    def lead() -> str:
        """The marks before a block: a list item's only before its first block."""
        text = ""
        for mark in marks:
            symbol, shown = str(mark[0]), bool(mark[1])
            text += " " * len(symbol) if shown and symbol != "> " else symbol
            mark[1] = True
        return text

    for token in MarkdownIt().enable("strikethrough").enable("table").parse(markdown):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrs.get("start", 1) if kind == "ordered_list_open" else None
            numbers.append(None if start is None else int(start))
        elif kind in ("bullet_list_close", "ordered_list_close"):
            numbers.pop()
        elif kind == "list_item_open":
            number = numbers[-1] if numbers else None
            marks.append(["- " if number is None else f"{number}. ", False])
            if number is not None:
                numbers[-1] = number + 1
        elif kind == "blockquote_open":
            marks.append(["> ", False])
        elif kind in ("list_item_close", "blockquote_close"):
            marks.pop()
        elif kind in ("fence", "code_block"):
            blocks.append((token.content.rstrip("\n"), False))
        elif kind == "inline":
            parts: list[str] = []
            href = ""
            for child in token.children or []:
                if child.type in ("text", "code_inline"):
                    parts.append(child.content)
                elif child.type in ("softbreak", "hardbreak"):
                    parts.append("\n")
                elif child.type == "link_open":
                    href = str(child.attrs.get("href", ""))
                elif child.type == "link_close" and href:
                    parts.append(f" ({href})")
                    href = ""
            quoted = "> " * sum(1 for mark in marks if mark[0] == "> ")
            text = lead() + "".join(parts).replace("\n", "\n" + quoted)
            blocks.append((text, any(mark[0] != "> " for mark in marks)))
    joined = ""
    for index, (text, listed) in enumerate(blocks):
        if index:  # a list's items one a line; other blocks a blank line apart
            joined += "\n" if listed and blocks[index - 1][1] else "\n\n"
        joined += text
    return joined


def code_blocks(markdown: str) -> list[str]:
    """The contents of every fenced code block, for "copy code"."""
    return [contents for _, contents in fenced_blocks(markdown)]


EXTENSIONS = {
    "python": "py",
    "py": "py",
    "bash": "sh",
    "sh": "sh",
    "shell": "sh",
    "zsh": "sh",
    "javascript": "js",
    "js": "js",
    "typescript": "ts",
    "ts": "ts",
    "rust": "rs",
    "go": "go",
    "json": "json",
    "toml": "toml",
    "yaml": "yaml",
    "yml": "yaml",
    "html": "html",
    "css": "css",
    "sql": "sql",
    "c": "c",
    "cpp": "cpp",
    "c++": "cpp",
    "java": "java",
    "ruby": "rb",
    "markdown": "md",
    "md": "md",
    "dockerfile": "Dockerfile",
}
"""A saved code block's file name comes from its language."""


def suggested_name(language: str, number: int) -> str:
    extension = EXTENSIONS.get(language.lower(), "txt")
    return "Dockerfile" if extension == "Dockerfile" else f"snippet-{number}.{extension}"


class MessageScroll(VerticalScroll):
    """The scrolling list of a conversation's messages; it grows every frame an answer
    streams, and its new size needs no second layout (see ``settle_size``).

    The scrollbar's column is kept from the start: when an answer first outgrows the screen,
    its text does not re-wrap a column narrower (a jump to read, and every visible block
    rendered again in the middle of the stream).
    """

    DEFAULT_CSS = """
    MessageScroll { scrollbar-gutter: stable; }
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return settle_size(super(), size, virtual_size, container_size)


class MessageHeader(Static):
    """Who wrote a message, and its branch: a drag across messages copies what they said."""

    ALLOW_SELECT = False


class MessageView(Vertical, can_focus=True):
    """A message; assistant answers stream into their body. Text is shown, never interpreted."""

    DEFAULT_CSS = """
    MessageView { height: auto; margin: 0 1 1 1; padding: 0 1; border-left: thick $primary; }
    MessageView.assistant { border-left: thick $secondary; }
    MessageView.system { border-left: thick $warning; }
    MessageView:focus { border-left: thick $accent; }
    MessageView.-found { border-left: thick $success; background: $success 10%; }
    MessageView .message-header { color: $text-muted; height: 1; }
    MessageView .message-attachments { color: $text-muted; height: auto; }
    MessageView .message-thumbnails { height: auto; }
    MessageView .message-thumbnails Thumbnail { margin-right: 2; }
    MessageView .message-body { margin: 0; padding: 0; }
    MessageView .message-status { color: $text-warning; height: auto; }
    MessageView .message-error { color: $text-error; height: auto; }
    MessageView .message-hint { color: $text-muted; height: auto; }
    """

    _BRANCH = Binding.Group("Branch")
    BINDINGS = [
        # What changes the chat is the screen's (it has the session); these keys name it.
        Binding(
            "left",
            "screen.branch(-1)",
            "Older branch",
            id="previous_branch",
            group=_BRANCH,
            tooltip="The older answer to the same message",
        ),
        Binding(
            "right",
            "screen.branch(1)",
            "Newer branch",
            id="next_branch",
            group=_BRANCH,
            tooltip="The newer answer to the same message",
        ),
        Binding("e", "screen.edit_message", "Edit", id="edit_message", tooltip="Edit, resend"),
        Binding("r", "screen.regenerate", "Again", id="regenerate", tooltip="Answer again"),
        Binding(
            "m",
            "screen.regenerate_with",
            "Other model",
            id="regenerate_with",
            tooltip="Answer again with another model",
        ),
        Binding("f", "screen.fork", "Fork", id="fork_chat", tooltip="New chat up to here"),
        Binding("c", "copy", "Copy", id="copy_message", tooltip="Copy this message"),
        Binding("y", "copy_code", "Code", id="copy_code", tooltip="Copy its code blocks"),
        Binding(
            "t", "copy_plain", "Text", id="copy_plain", show=False, tooltip="Copy as plain text"
        ),
        *(
            Binding(str(n), f"copy_block({n})", f"Copy block {n}", id=f"copy_block_{n}", show=False)
            for n in range(1, 10)
        ),
        Binding("s", "save_block", "Save block", id="save_block", show=False),
        Binding("up", "step(-1)", "Up", id="message_up", show=False),
        Binding("down", "step(1)", "Down", id="message_down", show=False),
    ]

    def __init__(
        self,
        role: str,
        content: str = "",
        *,
        label: str | None = None,
        status: str = "complete",
        message_id: int | None = None,
        branch: tuple[int, int] = (1, 1),
        attachments: list[Attachment] | None = None,
        tool_steps: list[ToolStep] | None = None,
    ) -> None:
        super().__init__(classes=role)
        self.role = role
        self.message_id = message_id
        self.status = status
        self.branch = branch
        """(which, of how many) answers to the same message this is: ``< 2/3 >``."""
        self._label = label or {"user": "You", "assistant": "Assistant"}.get(role, role.title())
        from .answer_markdown import AnswerMarkdown  # after the first frame (warm_up loads it)

        self.body = AnswerMarkdown(visible_text(content), classes="message-body")
        self.attachments = list(attachments or [])
        self.tool_steps = list(tool_steps or [])
        """The tool calls a saved answer made, shown as finished cards above its text."""
        self._status_line = Static("", classes="message-status")
        self._status_line.display = False

    def _header(self) -> Content:
        which, count = self.branch
        if count < 2:
            return Content(self._label)
        return Content.assemble(self._label, "  ", (f"< {which}/{count} >", "bold"))

    def compose(self) -> ComposeResult:
        yield MessageHeader(self._header(), classes="message-header")
        if self.attachments:
            from .attachment_bar import chips

            yield MessageHeader(chips(self.attachments), classes="message-attachments")
            images = [a for a in self.attachments if a.kind == "image"]
            if images:
                from textual.containers import Horizontal

                from .thumbnail import Thumbnail

                with Horizontal(classes="message-thumbnails"):
                    for image in images:
                        yield Thumbnail(image.path)
        if self.tool_steps:
            from .tool_card import ToolCard

            for step in self.tool_steps:
                card = ToolCard(step.name, step.arguments)
                card.finish(step)
                yield card
        yield self.body
        yield self._status_line

    def on_mount(self) -> None:
        self.set_status(self.status)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return settle_size(super(), size, virtual_size, container_size)

    def action_step(self, step: int) -> None:
        """Up/Down: the message above or below; below the last one, the prompt."""
        views = list(self.screen.query(MessageView))
        index = views.index(self) + step
        # set_focus now, not focus() (which waits for the next turn of the loop): the key
        # after this one, typed at once, goes to the message it means.
        if 0 <= index < len(views):
            self.screen.set_focus(views[index])
        elif index >= len(views):
            self.screen.focus_next()

    def waiting_on_tools(self) -> None:
        """A tool card speaks for the answer now: no "waiting for the first token"."""
        if self.status == "streaming":
            self._status_line.display = False

    def feed(self, text: str) -> None:
        if self._status_line.display and self.status == "streaming":
            self._status_line.display = False  # the first token is here
        self.body.feed(visible_text(text))

    async def finish(self) -> None:
        await self.body.finish()

    @property
    def text(self) -> str:
        return self.body.text

    def set_status(self, status: str, note: str = "") -> None:
        self.status = status
        message = {
            "stopped": "⏹ stopped",
            "length": "✂ cut at max tokens (Ctrl+T raises it)",
            "interrupted": "⚠ interrupted: coda-tui closed before this answer ended",
            "replaced": "⟲ answered again: ←/→ shows the other answers",
            "streaming": "" if self.body.text else "… waiting for the first token",
            "error": "",
            "complete": "",
        }.get(status, status)
        if note:
            message = f"{message} — {note}" if message else note
        self._status_line.update(Content(message))
        self._status_line.display = bool(message)

    async def show_error(self, message: str, hint: str) -> None:
        await self.mount(Static(Content(visible_text(message)), classes="message-error"))
        if hint:
            await self.mount(Static(Content(f"→ {visible_text(hint)}"), classes="message-hint"))

    def action_copy(self) -> None:
        self._copy(self.text, "the message")

    def _copy(self, text: str, what: str) -> None:
        from ..clipboard import copied_note, copy_text

        self.notify(copied_note(copy_text(self.app, text), what, text))

    def action_copy_plain(self) -> None:
        """The message without its Markdown marks (c copies it as Markdown)."""
        self._copy(plain_text(self.text), "the message as plain text")

    def action_copy_block(self, number: int) -> None:
        """Block ``number`` (as its label says) exactly, without its fences."""
        blocks = code_blocks(self.text)
        if not 1 <= number <= len(blocks):
            count = f"{len(blocks)} code block{'s' * (len(blocks) != 1)}"
            self.notify(f"No code block {number}: this message has {count}", severity="warning")
            return
        self._copy(blocks[number - 1], f"code block {number}")

    def action_save_block(self) -> None:
        """Ask which block and where (a name from its language is offered), then write it."""
        from pathlib import Path

        from ..dialogs import TextPromptScreen

        blocks = fenced_blocks(self.text)
        if not blocks:
            self.notify("No code block in this message", severity="warning")
            return
        language = blocks[0][0]
        offered = f"1 {Path.cwd() / suggested_name(language, 1)}"

        def chosen(text: str | None) -> None:
            if not text or not text.strip():
                return
            number, _, where = text.strip().partition(" ")
            if not number.isdigit() or not 1 <= int(number) <= len(blocks) or not where.strip():
                self.notify(f"Write a block number (1-{len(blocks)}), a space, then a path")
                return
            path = Path(where.strip()).expanduser()
            try:
                path.write_text(blocks[int(number) - 1][1] + "\n", encoding="utf-8")
            except OSError as exc:
                self.notify(f"Not saved: {exc}", severity="error")
                return
            self.notify(f"Saved code block {number} to {path}")

        title = f"Save code block: its number (1-{len(blocks)}), a space, the file"
        self.app.push_screen(TextPromptScreen(title, offered), chosen)

    def action_copy_code(self) -> None:
        blocks = code_blocks(self.text)
        if not blocks:
            self.notify("No code block in this message", severity="warning")
            return
        self._copy("\n\n".join(blocks), f"{len(blocks)} code block{'s' * (len(blocks) > 1)}")
