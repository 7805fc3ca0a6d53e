"""What happens when a background task fails: one handler for every worker in the app.

Workers run with ``exit_on_error=False`` (a failed listing must not close the app), and each
catches the errors it expects where it can show them in place (a card, a pane, a label). What
nobody expected used to vanish: Textual tells only the worker's own node (its ``StateChanged``
message does not bubble), so every node that runs workers takes this mixin, and a failure is
said once, with what failed and, for a provider error, its fix.
"""

from __future__ import annotations

import logging

from textual.app import App
from textual.worker import Worker, WorkerState

log = logging.getLogger("coda_tui")


def describe(worker: Worker[object]) -> str:
    from ..providers.errors import ProviderError  # not before the first frame: pydantic

    error = worker.error
    task = worker.name or "a background task"
    if isinstance(error, ProviderError):
        hint = f" — {error.hint}" if error.hint else ""
        return f"{task}: {error.message}{hint}"
    return f"{task} failed: {type(error).__name__}: {error} (a bug in coda-tui; please report it)"


class ReportsFailures:
    """Mixed into every screen, widget and app that runs workers (before its Textual base)."""

    app: App[object]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        if isinstance(event.worker.error, KeyboardInterrupt):
            return
        text = describe(event.worker)
        log.error(text, exc_info=event.worker.error)
        self.app.notify(text, title="Something failed", severity="error", timeout=15)
