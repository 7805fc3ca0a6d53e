"""When streaming answers paint: together, twenty times a second, after the user's keys.

One timer paints every answer that is streaming, together: with two compare panes that is one
layout a frame instead of one per pane.
"""

from __future__ import annotations

import weakref
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App
from textual.timer import Timer

if TYPE_CHECKING:
    from .answer_markdown import AnswerMarkdown

# 20 paints a second: smooth to read, and the loop keeps time for keys and the socket.
FRAME_SECONDS = 1 / 20
INPUT_FIRST = 0.1
"""Seconds answers wait to paint after a key press (FrameClock.hold)..."""
MOST_HELD = 0.3
"""...but never longer than this since their last paint, however fast the typing."""


class FrameClock:
    """The app's one clock for streaming answers.

    Input comes first: a frame of two growing answers costs tens of milliseconds, and a key
    that lands behind one shows that much later. For a moment after each key press (``hold``)
    answers wait, so the key's own frame is small; they catch up when typing pauses, and
    steady typing still lets them paint a few times a second.
    """

    _clocks: ClassVar[weakref.WeakKeyDictionary[App[Any], FrameClock]] = weakref.WeakKeyDictionary()

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.waiting: set[AnswerMarkdown] = set()
        self.timer: Timer | None = None
        self.held_until = 0.0
        self.painted_at = 0.0

    @classmethod
    def of(cls, app: App[Any]) -> FrameClock:
        clock = cls._clocks.get(app)
        if clock is None:
            clock = cls._clocks[app] = cls(app)
        return clock

    def hold(self) -> None:
        """A key was pressed: no answer paints for INPUT_FIRST seconds."""
        self.held_until = monotonic() + INPUT_FIRST

    def request(self, widget: AnswerMarkdown) -> None:
        self.waiting.add(widget)
        if self.timer is None:
            self.timer = self.app.set_timer(FRAME_SECONDS, self.tick)

    def cancel(self, widget: AnswerMarkdown) -> None:
        self.waiting.discard(widget)

    def tick(self) -> None:
        self.timer = None
        now = monotonic()
        held = min(self.held_until - now, self.painted_at + MOST_HELD - now)
        if held > 0:
            self.timer = self.app.set_timer(held, self.tick)
            return
        self.painted_at = now
        widgets, self.waiting = self.waiting, set()
        for widget in widgets:
            if widget.is_mounted:
                widget.paint()
