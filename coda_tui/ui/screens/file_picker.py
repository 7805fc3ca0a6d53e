"""Pick a file or image to attach: the working directory's files as git would list them, found
by a fuzzy match on their path while typing (Textual's own matcher scores and highlights)."""

from __future__ import annotations

import re
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...services.attachments import Candidate, project_files
from ...units import human_bytes
from ..dialogs import DIALOG_CSS, ListPickerScreen

SHOWN = 100
"""Matches listed; more is scrolling nobody does, and each is an option to build."""
SCORED = 500
"""Matches scored, shortest paths first: the matcher takes about 10 us a path, and the first
letters of a query match most of a big tree."""


def subsequence(query: str) -> re.Pattern[str]:
    """Paths holding the query's characters in order, as a pattern that never backtracks
    (``a[^b]*b``): a quick cut before the matcher scores what is left."""
    parts = [re.escape(query[0])]
    parts += [f"[^{re.escape(char)}]*{re.escape(char)}" for char in query[1:]]
    return re.compile("".join(parts), re.IGNORECASE)


def describe(candidate: Candidate) -> str:
    size = human_bytes(candidate.size)
    return f"image · {size}" if candidate.image else f"{size} · ~{candidate.tokens:,} tokens"


class FilePickerScreen(ListPickerScreen[Candidate]):
    DEFAULT_CSS = (
        DIALOG_CSS.format(name="FilePickerScreen")
        + """
    FilePickerScreen > Vertical { width: 90; height: 24; }
    FilePickerScreen > Vertical > Label { height: auto; }
    FilePickerScreen #listing { color: $text-muted; height: 1; }
    FilePickerScreen OptionList { height: 1fr; }
    """
    )

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.files: list[Candidate] = []
        self._narrowed: tuple[str, list[Candidate]] = ("", [])
        """The last query and what it matched: a query typed further searches only those."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Attach a file or image — type part of its path, Enter attaches")
            yield Input(placeholder="path", id="filter")
            yield Static("listing files…", id="listing")
            yield OptionList(id="files")

    def on_mount(self) -> None:
        self.list_files()

    @work(thread=True, exclusive=True, group="files", exit_on_error=False)
    def list_files(self) -> None:
        files, cut = project_files(self.root)
        self.app.call_from_thread(self._listed, files, cut)

    def _listed(self, files: list[Candidate], cut: bool) -> None:
        self.files = files
        count = f"the first {len(files):,}" if cut else f"{len(files):,}"
        self.query_one("#listing", Static).update(
            Content(f"{count} files in {self.root.name}/ (.gitignore respected, no binaries)")
        )
        self._narrowed = ("", [])
        self.show()

    def matches(self, query: str) -> list[tuple[Candidate, Content]]:
        """The best ``SHOWN`` matches, best first, each path with its matched letters marked."""
        if not query:
            return [(c, Content(c.path)) for c in self.files[:SHOWN]]
        last, found = self._narrowed
        pool = found if last and query.startswith(last) else self.files
        pattern = subsequence(query)
        found = [c for c in pool if pattern.search(c.path)]
        self._narrowed = (query, found)
        matcher = Matcher(query)
        scored = [
            (matcher.match(c.path), c) for c in sorted(found, key=lambda c: len(c.path))[:SCORED]
        ]
        best = sorted(
            (pair for pair in scored if pair[0] > 0), key=lambda pair: (-pair[0], pair[1].path)
        )
        return [(c, matcher.highlight(c.path)) for _, c in best[:SHOWN]]

    @on(Input.Changed, "#filter")
    def show(self) -> None:
        query = self.query_one("#filter", Input).value.strip()
        options = self.query_one("#files", OptionList)
        options.clear_options()
        shown = self.matches(query)
        self.items = [candidate for candidate, _ in shown]
        options.add_options(
            Option(Content.assemble(path, "  ", (describe(candidate), "dim")), id=str(index))
            for index, (candidate, path) in enumerate(shown)
        )
        if shown:
            options.highlighted = 0
