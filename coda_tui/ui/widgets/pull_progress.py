"""One model pull (or create) on one host: a bar with bytes, speed and ETA, repainted at most ten
times a second; a failed one can be resumed where it stopped (Ollama keeps what it downloaded)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from time import monotonic

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button, Label, ProgressBar

from ...providers.ollama.types import PullProgress
from ...units import human_bytes
from ..text import visible_text

REDRAW_INTERVAL = 0.1
"""Ollama sends a progress line per chunk written, thousands a second on a fast link."""

SPEED_WINDOW = 3.0


def human_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    return f"{seconds // 60}:{seconds % 60:02d}"


@dataclass
class PullStats:
    """What a pull has done so far, summed over its layers (each layer has a digest)."""

    status: str = "starting"
    totals: dict[str, int] = field(default_factory=dict)
    completed: dict[str, int] = field(default_factory=dict)
    samples: deque[tuple[float, int]] = field(default_factory=deque)
    updates: int = 0

    def add(self, progress: PullProgress, now: float | None = None) -> None:
        now = monotonic() if now is None else now
        self.updates += 1
        self.status = progress.status
        if progress.digest and progress.total:
            self.totals[progress.digest] = progress.total
            self.completed[progress.digest] = progress.completed or 0
            self.samples.append((now, self.done_bytes))
            while len(self.samples) > 2 and now - self.samples[0][0] > SPEED_WINDOW:
                self.samples.popleft()

    @property
    def total_bytes(self) -> int:
        return sum(self.totals.values())

    @property
    def done_bytes(self) -> int:
        return sum(self.completed.values())

    @property
    def speed(self) -> float | None:
        """Bytes per second over the last few seconds."""
        if len(self.samples) < 2:
            return None
        (start, first), (end, last) = self.samples[0], self.samples[-1]
        return (last - first) / (end - start) if end > start else None

    def bytes_text(self) -> str:
        """``1.6 GB / 4.1 GB``."""
        return f"{human_bytes(self.done_bytes)} / {human_bytes(self.total_bytes)}"

    def summary(self) -> str:
        if not self.total_bytes:
            return self.status
        parts = [self.bytes_text()]
        speed = self.speed
        if speed:
            parts.append(f"{human_bytes(speed)}/s")
            remaining = self.total_bytes - self.done_bytes
            if remaining > 0:
                parts.append(f"ETA {human_duration(remaining / speed)}")
        if not self.status.startswith("pulling ") or self.done_bytes >= self.total_bytes:
            parts.append(self.status)
        return " · ".join(parts)


class PullProgressBar(Horizontal):
    """A pull in the Ollama panel; the screen feeds it and it decides when to repaint."""

    DEFAULT_CSS = """
    PullProgressBar { height: 1; margin: 0 1; }
    PullProgressBar .pull-name { width: 25; padding-right: 1; text-style: bold; }
    PullProgressBar ProgressBar { width: 44; }
    PullProgressBar .pull-stats { width: 1fr; color: $text-muted; }
    PullProgressBar.-failed { height: auto; }
    PullProgressBar.-failed ProgressBar { display: none; }
    PullProgressBar.-failed .pull-stats { color: $error; }
    PullProgressBar .pull-cancel, PullProgressBar .pull-resume {
        min-width: 0; width: auto; height: 1; margin: 0 0 0 1;
        border: none !important;  /* Button's :ansi style has a tall border, in tmux too */
    }
    PullProgressBar .pull-resume { display: none; }
    PullProgressBar.-resumable .pull-resume { display: block; }
    """

    @dataclass
    class Asked(Message):
        """The bar's ✕ or ↻ was pressed; the screen runs the pulls."""

        bar: PullProgressBar

        @property
        def control(self) -> PullProgressBar:
            return self.bar

    class CancelRequested(Asked):
        pass

    class ResumeRequested(Asked):
        pass

    def __init__(
        self, model: str, host: str = "", *, shown_host: bool = False, source: str = ""
    ) -> None:
        super().__init__(classes="pull")
        self.model = model
        self.host = host
        """The Ollama host it runs on (a provider name)."""
        self.shown_host = shown_host
        self.source = source
        """For a copy to this host: the host it came from."""
        self.stats = PullStats()
        self.repaints = 0
        self.finished = False
        self._dirty = False

    def compose(self) -> ComposeResult:
        name = f"{self.model} → {self.host}" if self.shown_host else self.model
        yield Label(Content(visible_text(name)), classes="pull-name")
        yield ProgressBar(show_eta=False)
        yield Label(Content("starting"), classes="pull-stats")
        yield Button("↻", tooltip="Resume: Ollama goes on from what it has", classes="pull-resume")
        yield Button("✕", tooltip="Cancel this pull", classes="pull-cancel")

    def on_mount(self) -> None:
        self.set_interval(REDRAW_INTERVAL, self._repaint)

    def add(self, progress: PullProgress) -> None:
        """Cheap: remembered now, painted by the next tick."""
        self.stats.add(progress)
        self._dirty = True

    def _repaint(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        self.repaints += 1
        stats = self.stats
        bar = self.query_one(ProgressBar)
        if stats.total_bytes:
            bar.update(total=stats.total_bytes, progress=stats.done_bytes)
        self.query_one(".pull-stats", Label).update(Content(visible_text(stats.summary())))

    def finish(self, message: str, *, failed: bool = False, resumable: bool = False) -> None:
        """``resumable``: cut by the network, so asking again goes on from the bytes kept."""
        self._dirty = True
        self._repaint()
        self.finished = True
        self.set_class(failed, "-failed")
        self.set_class(resumable, "-resumable")
        self.query_one(".pull-stats", Label).update(Content(visible_text(message)))
        self.query_one(".pull-cancel", Button).tooltip = "Dismiss"

    @property
    def resumable(self) -> bool:
        return self.has_class("-resumable")

    def restart(self) -> None:
        """Again from the start of the bookkeeping; the server reports the bytes it kept."""
        self.stats = PullStats()
        self.finished = False
        self.remove_class("-failed", "-resumable")
        self.query_one(".pull-cancel", Button).tooltip = "Cancel this pull"
        self.query_one(".pull-stats", Label).update(Content("resuming"))

    @on(Button.Pressed, ".pull-resume")
    def resume_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.ResumeRequested(self))

    @on(Button.Pressed, ".pull-cancel")
    def cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if self.finished:
            self.remove()
        else:
            self.post_message(self.CancelRequested(self))
