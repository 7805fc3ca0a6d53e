"""Search every saved chat as you type; Enter opens the chat at the message found.

The query runs in a thread (a one-letter prefix over 100,000 messages takes a quarter of a
second), the newest typing wins, and snippets show their hits highlighted. Chat text is
untrusted: it is shown as text, never as markup.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content, Span
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from ...services.history_search import parse_query
from ...services.untrusted import visible_text
from ...store import ChatStore, SearchHit
from ..dialogs import DIALOG_CSS, ListPickerScreen
from ..failures import ReportsFailures

HELP = "Words to find; narrow with provider:NAME model:NAME role:user|assistant since:7d"


def hit_line(hit: SearchHit) -> Content:
    """``date · chat title · role`` then the snippet, its hits in bold."""
    day = datetime.fromtimestamp(hit.created_at).strftime("%Y-%m-%d")
    head = f"{day} · {visible_text(hit.chat_title)[:40]} · {hit.role}\n  "
    text, spans = head, []
    for piece, is_hit in hit.parts():
        piece = visible_text(piece.replace("\n", " "))
        if is_hit:
            spans.append(Span(len(text), len(text) + len(piece), "bold $accent"))
        text += piece
    return Content(text, spans=spans)


class SearchScreen(ReportsFailures, ListPickerScreen[SearchHit]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="SearchScreen")
        + """
    SearchScreen > Vertical { width: 100; height: 30; }
    SearchScreen > Vertical > Label { height: auto; color: $text-muted; }
    SearchScreen OptionList { height: 1fr; }
    """
    )

    def __init__(self, store: ChatStore) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Search every chat — Enter opens it at the message")
            yield Input(placeholder="words to find", id="search-text")
            yield Label(HELP, id="search-status")
            yield OptionList(id="search-hits")

    @on(Input.Changed, "#search-text")
    def typed(self, event: Input.Changed) -> None:
        self.run_search(event.value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, text: str) -> None:
        query = parse_query(text)
        hits = self.store.search(query.words, **query.filters) if query.words.strip() else []
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, text, hits, query.problem)

    def show(self, text: str, hits: list[SearchHit], problem: str) -> None:
        self.items = hits
        options = self.query_one("#search-hits", OptionList)
        options.clear_options()
        options.add_options(Option(hit_line(hit), id=str(i)) for i, hit in enumerate(hits))
        if hits:
            options.highlighted = 0
        if problem:
            status = problem
        elif not text.strip():
            status = HELP
        else:
            status = f"{len(hits)} found" if hits else "Nothing found"
        indexing = getattr(self.app, "indexing", None)
        if indexing and text.strip():
            left, total = indexing
            status += f" · indexing older messages: {100 * (total - left) // max(total, 1)}%"
        self.query_one("#search-status", Label).update(Content(status))
