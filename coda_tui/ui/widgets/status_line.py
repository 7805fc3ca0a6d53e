"""A one-line readout (figures, status) that repaints itself without a layout pass.

``Static.update`` asks for a new layout, as its size may change; a line of fixed height never
does, and these lines change ten times a second while answers stream.
"""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget


class StatusLine(Widget):
    DEFAULT_CSS = """
    StatusLine { height: 1; }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self._content = Content("")

    def show(self, content: Content) -> None:
        # Content's == looks at the text only; a change of highlight must repaint too.
        if (content.plain, content.spans) != (self._content.plain, self._content.spans):
            self._content = content
            self.refresh()

    @property
    def content(self) -> Content:
        return self._content

    def render(self) -> Content:
        return self._content
