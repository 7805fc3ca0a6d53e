"""The prompt-set grid's dialogs: a cell in full, two cells' diff, the judge's rubric, and the
saved runs to open."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ...services.prompt_sets import CaseResult, cell_summary, word_diff
from ...services.untrusted import visible_text
from ..dialogs import DIALOG_CSS, ListPickerScreen
from ..widgets.footer import CodaFooter


class RubricScreen(ModalScreen[str | None]):
    """The judge's rubric, to edit before it judges (kept with each verdict)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RubricScreen")
        + """
    RubricScreen > Vertical { width: 90%; height: 80%; }
    RubricScreen TextArea { height: 1fr; }
    """
    )
    BINDINGS = [
        Binding("ctrl+s", "accept", "Judge", id="rubric_accept", priority=True),
        Binding("escape", "cancel", "Cancel", id="rubric_cancel"),
    ]

    def __init__(self, rubric: str) -> None:
        super().__init__()
        self.rubric = rubric

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("The judge's rubric: edit it, then Ctrl+S judges (Esc cancels)")
            yield TextArea(self.rubric, id="rubric", soft_wrap=True)
        yield CodaFooter(compact=True)

    def action_accept(self) -> None:
        self.dismiss(self.query_one("#rubric", TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AnswerScreen(ModalScreen[None]):
    """One cell in full: prompt, model, figures, the answer as text."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="AnswerScreen")
        + """
    AnswerScreen > Vertical { width: 90%; height: 90%; }
    AnswerScreen VerticalScroll { height: 1fr; }
    AnswerScreen Label { width: 100%; color: $text-muted; }
    """
    )
    BINDINGS = [Binding("escape", "app.pop_screen", "Close", id="answer_close")]

    def __init__(self, result: CaseResult) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        r = self.result
        with Vertical():
            yield Label(Content(f"{r.case.id} · {r.target.provider}:{r.target.model}"))
            yield Label(Content(visible_text(cell_summary(r))))
            with VerticalScroll():
                yield Static(Content(visible_text(r.case.text)), classes="prompt")
                yield Static(Content(visible_text(r.error or r.answer)), id="answer")


class DiffScreen(ModalScreen[None]):
    """Two answers word by word: what the second removed (red, struck) and added (green)."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="DiffScreen")
        + """
    DiffScreen > Vertical { width: 90%; height: 90%; }
    DiffScreen VerticalScroll { height: 1fr; }
    DiffScreen Label { width: 100%; color: $text-muted; }
    """
    )
    BINDINGS = [Binding("escape", "app.pop_screen", "Close", id="diff_close")]

    def __init__(self, first: CaseResult, second: CaseResult) -> None:
        super().__init__()
        self.first, self.second = first, second

    def compose(self) -> ComposeResult:
        a, b = self.first, self.second
        with Vertical():
            yield Label(
                Content(
                    f"{a.case.id} {a.target.provider}:{a.target.model} → "
                    f"{b.case.id} {b.target.provider}:{b.target.model}"
                )
            )
            yield Label(Content.assemble(("removed", "red strike"), " · ", ("added", "green")))
            with VerticalScroll():
                yield Static(self.diff(), id="diff")

    def diff(self) -> Content:
        styles = {"same": "", "removed": "red strike", "added": "green"}
        pieces = word_diff(self.first.answer, self.second.answer)
        return Content.assemble(*((visible_text(text), styles[op]) for op, text in pieces))


class RunPickerScreen(ListPickerScreen[int]):
    """The saved prompt-set runs, newest first."""

    DEFAULT_CSS = (
        DIALOG_CSS.format(name="RunPickerScreen")
        + """
    RunPickerScreen OptionList { height: auto; max-height: 16; }
    """
    )

    def __init__(self, runs: list[tuple[int, float, str, list[str]]]) -> None:
        super().__init__()
        self.runs = runs
        self.items = [run_id for run_id, *_ in runs]

    def compose(self) -> ComposeResult:
        from datetime import datetime

        with Vertical():
            yield Label("Open a saved prompt-set run")
            options = []
            for index, (run_id, when, name, targets) in enumerate(self.runs):
                day = datetime.fromtimestamp(when).strftime("%Y-%m-%d %H:%M")
                text = f"{run_id} · {day} · {name} · {', '.join(targets)}"
                options.append(Option(visible_text(text), id=str(index)))
            yield OptionList(*options)

    def on_mount(self) -> None:
        self.options.focus()
        if self.items:
            self.options.highlighted = 0
