"""A prompt set run in the app: a grid of prompts by models filling in as answers finish (time,
tokens, cost, or the error), each model's column at its own pace. Enter opens a cell; ``d`` on
one cell then ``d`` on another shows the two answers' word-level diff; Ctrl+S exports (.md,
.csv or .json by the name given). A finished or stopped run is saved in the history and can be
opened again from the palette ("Arena: open a saved run")."""

from __future__ import annotations

import random
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Label

from ...services.judge import DEFAULT_RUBRIC, judge_pair
from ...services.prompt_sets import (
    CaseResult,
    PromptCase,
    Target,
    cell_summary,
    from_row,
    ordered,
    results_csv,
    results_json,
    results_markdown,
    run_prompt_set,
)
from ...services.untrusted import visible_text
from ..dialogs import TextPromptScreen
from ..widgets.footer import CodaFooter
from ..widgets.result_grid import ResultGrid
from .base import CodaScreen
from .prompt_grid_dialogs import AnswerScreen, DiffScreen, RubricScreen

if TYPE_CHECKING:
    from ...store import ChatStore

CONCURRENCY = 3
"""Answers at once per model in the app (the CLI's --concurrency)."""
REDRAW_EVERY = 0.25
"""Seconds between grid redraws while a run fills it."""
CELL_WIDTH = 30
"""``cell_summary`` at its longest: "12.34 s · 1234 tok · $0.000123", or an error's 30."""


class PromptGridScreen(CodaScreen):
    DEFAULT_CSS = """
    PromptGridScreen > Vertical { padding: 0 1; }
    PromptGridScreen #grid-title { color: $text-muted; height: auto; width: 100%; }
    PromptGridScreen #grid { height: 1fr; }
    """
    BINDINGS = [
        Binding(
            "escape", "leave", "Stop/Back", id="grid_leave", tooltip="Stop the run, or go back"
        ),
        Binding("enter", "open_cell", "Open", id="grid_open", tooltip="The answer in full"),
        Binding("d", "diff", "Diff", id="grid_diff", tooltip="Mark a cell, then diff another"),
        Binding("ctrl+s", "export", "Export", id="grid_export", tooltip=".md, .csv or .json"),
        Binding("j", "judge", "Judge", id="grid_judge", tooltip="A model compares the answers"),
    ]
    PALETTE = (
        ("open_cell", "Prompt set: open the cell", "The answer in full (Enter)"),
        ("diff", "Prompt set: diff two cells", "d on one cell, then d on another"),
        ("export", "Prompt set: export", "Markdown, CSV or JSON by the file's name"),
        ("judge", "Prompt set: judge with a model", "Each pair of answers, by a rubric (j)"),
    )

    def __init__(
        self,
        name: str,
        cases: list[PromptCase],
        targets: list[Target],
        results: list[CaseResult] | None = None,
        store: ChatStore | None = None,
    ) -> None:
        super().__init__()
        self.set_name = name
        self.cases = cases
        self._row_of = {case.id: row for row, case in enumerate(cases)}
        self.targets = targets
        self.results: dict[tuple[str, Target], CaseResult] = {
            (r.case.id, r.target): r for r in results or []
        }
        self.store = store
        self.running = results is None
        self.marked: tuple[int, int] | None = None
        self.saved_id: int | None = None
        self.judging = ""
        """How far a judge has got ("3/15"), while it works."""
        self._pending: set[tuple[int, int]] = set()
        """Cells (row, column) whose result is not on the grid yet: drawn together, at most
        every ``REDRAW_EVERY``."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("", id="grid-title")
            headers = ["prompt", *(self._key(target) for target in self.targets)]
            widths = [24, *(max(len(h), CELL_WIDTH) for h in headers[1:])]
            yield ResultGrid(headers, widths, id="grid")
        yield CodaFooter(compact=True)

    @property
    def grid(self) -> ResultGrid:
        return self.query_one("#grid", ResultGrid)

    def on_mount(self) -> None:
        grid = self.grid
        blank = [""] * len(self.targets)
        grid.rows = [[visible_text(f"{case.id} · {case.text}"), *blank] for case in self.cases]
        self._show_cells(self._every_cell())
        grid.focus()
        if self.running:
            self.run_set()

    def _key(self, target: Target) -> str:
        return f"{target.provider}:{target.model}"

    def _every_cell(self) -> set[tuple[int, int]]:
        columns = range(1, len(self.targets) + 1)
        return {(row, column) for row in range(len(self.cases)) for column in columns}

    def _cell(self, case: PromptCase, target: Target) -> tuple[str, str]:
        """A cell's text and style (an error in red); "…" waits for its answer, and a stopped
        run's empty cells say nothing."""
        result = self.results.get((case.id, target))
        if result is None:
            return "…" if self.running else "", ""
        return visible_text(cell_summary(result)), "red" if result.error else ""

    def _show_title(self) -> None:
        done, total = len(self.results), len(self.cases) * len(self.targets)
        failed = sum(1 for r in self.results.values() if r.error)
        state = "running" if self.running else "done" if done == total else "stopped"
        if self.saved_id is not None:
            state += f" · saved as run {self.saved_id}"
        if self.judging:
            state += f" · judging {self.judging}"
        text = f"{self.set_name} · {len(self.cases)} prompts × {len(self.targets)} models · "
        text += f"{done}/{total} {state}" + (f" · {failed} failed" if failed else "")
        self.query_one("#grid-title", Label).update(Content(text))

    @work(exclusive=True, group="prompt-set", exit_on_error=False)
    async def run_set(self) -> None:
        try:
            async for result in run_prompt_set(
                self.cases,
                self.targets,
                self.coda.factory,
                concurrency=CONCURRENCY,
                catalog=self.coda.catalog,
            ):
                self.results[(result.case.id, result.target)] = result
                if not self._pending:
                    self.set_timer(REDRAW_EVERY, self._show_pending)
                row = self._row_of[result.case.id]
                self._pending.add((row, self.targets.index(result.target) + 1))
        finally:
            self.running = False
            self._save()
            self._pending.clear()
            self._show_cells(self._every_cell())

    def _show_pending(self) -> None:
        """The results that came since the last redraw, drawn at once (answers come in
        bursts)."""
        pending, self._pending = self._pending, set()
        self._show_cells(pending)

    def _show_cells(self, cells: set[tuple[int, int]]) -> None:
        for row, column in cells:
            self.grid.update_cell(
                row, column, *self._cell(self.cases[row], self.targets[column - 1])
            )
        self.grid.redraw()
        self._show_title()

    def _save(self) -> None:
        if self.store is None or not self.results:
            return
        rows = [r.row() for r in self.ordered()]
        self.saved_id = self.store.save_run(
            self.set_name, [self._key(t) for t in self.targets], rows
        )

    def ordered(self) -> list[CaseResult]:
        return ordered(list(self.results.values()), self.cases, self.targets)

    # -- cells ------------------------------------------------------------------------------------

    def _at(self, row: int, column: int) -> CaseResult | None:
        if column < 1 or row >= len(self.cases):
            return None
        return self.results.get((self.cases[row].id, self.targets[column - 1]))

    def _current(self) -> CaseResult | None:
        row, column = self.grid.cursor
        return self._at(row, column)

    def on_result_grid_chosen(self, event: ResultGrid.Chosen) -> None:
        event.stop()  # Enter on the grid (it takes the key before the screen)
        self.action_open_cell()

    def action_open_cell(self) -> None:
        result = self._current()
        if result is None:
            self.notify("Nothing here yet: pick a model's cell", severity="warning")
            return
        self.app.push_screen(AnswerScreen(result))

    def action_diff(self) -> None:
        row, column = self.grid.cursor
        result = self._at(row, column)
        if result is None:
            self.notify("Pick a cell with an answer", severity="warning")
            return
        if self.marked is None or self.marked == (row, column):
            self.marked = (row, column)
            self.notify("Marked: d on another cell shows what differs")
            return
        first = self._at(*self.marked)
        self.marked = None
        if first is not None:
            self.app.push_screen(DiffScreen(first, result))

    def action_export(self) -> None:
        if not self.results:
            self.notify("Nothing to export yet", severity="warning")
            return
        suggested = Path.cwd() / f"coda-run-{self.saved_id or 'unsaved'}.md"

        def chosen(text: str | None) -> None:
            if not text or not text.strip():
                return
            path = Path(text.strip()).expanduser()
            results = self.ordered()
            writers = {".json": results_json, ".csv": results_csv}
            body = writers.get(path.suffix, lambda r: results_markdown(r, self.targets))(results)
            try:
                path.write_text(body, encoding="utf-8")
            except OSError as exc:
                self.notify(f"Export failed: {exc}", severity="error")
                return
            self.notify(f"Saved {path.name} in {path.parent}")

        title = "Export to (.md, .csv or .json)"
        self.app.push_screen(TextPromptScreen(title, str(suggested)), chosen)

    # -- a judge model ----------------------------------------------------------------------------

    def action_judge(self) -> None:
        """Ask for the judge model and its rubric, then judge every pair of answers."""
        if self.running or self.judging:
            self.notify("Wait for the run to end", severity="warning")
            return
        if len(self.targets) < 2:
            self.notify("A judge compares two models' answers: run two or more", severity="warning")
            return
        defaults = self.coda.loaded.config.defaults
        model = self.coda.factory.default_model(defaults.provider) or ""
        rubric = (self.store.last_rubric() if self.store else None) or DEFAULT_RUBRIC

        def with_rubric(judge: Target, text: str | None) -> None:
            if text and text.strip():
                self.judge_all(judge, text.strip())

        def with_judge(text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                judge = Target.parse(text)
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            self.app.push_screen(RubricScreen(rubric), lambda r: with_rubric(judge, r))

        title = "Judge model (PROVIDER:MODEL); its verdicts are kept apart from your votes"
        self.app.push_screen(TextPromptScreen(title, f"{defaults.provider}:{model}"), with_judge)

    @work(exclusive=True, group="judge", exit_on_error=False)
    async def judge_all(self, judge: Target, rubric: str) -> None:
        pairs = [
            (self.results[(case.id, a)], self.results[(case.id, b)])
            for case in self.cases
            for i, a in enumerate(self.targets)
            for b in self.targets[i + 1 :]
            if (case.id, a) in self.results
            and (case.id, b) in self.results
            and not self.results[(case.id, a)].error
            and not self.results[(case.id, b)].error
        ]
        rng = random.Random()
        counts: dict[str, int] = {}
        try:
            for done, (a, b) in enumerate(pairs, start=1):
                self.judging = f"{done}/{len(pairs)}"
                self._show_title()
                verdict = await judge_pair(self.coda.factory, judge, rubric, a, b, rng)
                counts[verdict.outcome] = counts.get(verdict.outcome, 0) + 1
                if self.store is not None:
                    self.store.add_verdict(
                        self.saved_id,
                        verdict.prompt_id,
                        self._key(judge),
                        self._key(a.target),
                        self._key(b.target),
                        verdict.outcome,
                        verdict.reason,
                        rubric,
                    )
        finally:
            self.judging = ""
            self._show_title()
        said = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        self.notify(
            f"{self._key(judge)} judged {len(pairs)} pairs ({said or 'none'}); kept apart from "
            "your votes: type judge in the leaderboard's filter to see its board",
            timeout=12,
        )

    def action_leave(self) -> None:
        if self.running:
            self.workers.cancel_group(self, "prompt-set")
            self.notify("Run stopped; what finished is kept. Esc again goes back")
            return
        self.app.pop_screen()


def reopen(store: ChatStore, run_id: int) -> PromptGridScreen:
    """A saved run as a grid again, to read, diff and export."""
    name, targets, rows = store.run(run_id)
    results = [from_row(row) for row in rows]
    parsed = [Target(*text.split(":", 1)) for text in targets]
    cases: dict[str, PromptCase] = {}
    for result in results:
        cases.setdefault(result.case.id, result.case)
    grid = PromptGridScreen(name, list(cases.values()), parsed, results, store)
    grid.saved_id = run_id
    return grid
