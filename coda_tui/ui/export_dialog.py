"""Export a chat: ask where (the current folder is offered), then write Markdown and JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App

from .dialogs import TextPromptScreen

if TYPE_CHECKING:
    from ..services.chat_session import ChatSession
    from ..store import ChatStore


def export_chat(app: App[object], session: ChatSession, store: ChatStore | None) -> None:
    from ..services.chat_export import exportable, write_export

    exported = exportable(session, store)
    if exported is None:
        app.notify("Nothing to export yet", severity="warning")
        return
    suggested = Path.cwd() / f"coda-chat-{exported[0].id or 'unsaved'}.md"

    def chosen(text: str | None) -> None:
        if text and text.strip():
            try:
                written = write_export(Path(text.strip()).expanduser(), *exported)
            except OSError as exc:
                app.notify(f"Export failed: {exc}", severity="error")
                return
            app.notify(f"Saved {written}")

    app.push_screen(
        TextPromptScreen("Export to (Markdown; the JSON goes beside it)", str(suggested)), chosen
    )
