"""The arena's leaderboard: a rating per model from your blind votes, with its 95 % interval,
battles, wins-ties-losses and win rate; the head-to-head tallies below. Filter by tag and time
(``tag:coding since:30d``); Ctrl+S writes it as CSV. How votes count: ``services.arena``."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, Label
from textual.worker import get_current_worker

from ...services.arena import Leaderboard, judge_battles, leaderboard, leaderboard_csv
from ...services.history_search import parse_query
from ...store import ChatStore
from ..text import plain
from ..widgets.footer import CodaFooter
from .base import CodaScreen

HOW = "Bradley-Terry, 95 % interval · a tie or “all bad” is half a win each · void votes out"


class LeaderboardScreen(CodaScreen):
    DEFAULT_CSS = """
    LeaderboardScreen > Vertical { padding: 0 1; }
    LeaderboardScreen Label { color: $text-muted; height: auto; width: 100%; }
    LeaderboardScreen #board-filter { margin: 0; }
    LeaderboardScreen #standings { height: 2fr; }
    LeaderboardScreen #head-to-head { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="leaderboard_close"),
        Binding("ctrl+s", "export", "Export CSV", id="leaderboard_export"),
    ]
    PALETTE = (("export", "Leaderboard: export CSV", "Ratings and counts, one row a model"),)

    def __init__(self, store: ChatStore) -> None:
        super().__init__()
        self.store = store
        self.board: Leaderboard | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Content("Arena leaderboard · counting…"), id="board-title")
            yield Input(
                placeholder="filter: tag:coding since:30d · judge: a judge model's board",
                id="board-filter",
            )
            yield DataTable(id="standings", cursor_type="row", zebra_stripes=True)
            yield Label("Head to head (wins · ties · wins)")
            yield DataTable(id="head-to-head", cursor_type="row")
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        standings = self.query_one("#standings", DataTable)
        standings.add_columns("#", "model", "rating", "95 %", "battles", "W-T-L", "win %")
        self.query_one("#head-to-head", DataTable).add_columns("model", "", "model")
        self.count("")
        self.query_one("#board-filter", Input).focus()

    @on(Input.Changed, "#board-filter")
    def filtered(self, event: Input.Changed) -> None:
        self.count(event.value)

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def count(self, text: str) -> None:
        words = text.split()
        tags = [t.partition(":")[2] for t in words if t.startswith("tag:")]
        judged = "judge" in words
        rest = " ".join(t for t in words if not t.startswith("tag:") and t != "judge")
        query = parse_query(rest)
        since = query.filters.get("since")
        if judged:  # a judge model's verdicts: their own board, never mixed with votes
            board = leaderboard([], results=judge_battles(self.store.verdicts(since=since)))
        else:
            board = leaderboard(self.store.votes(tag=tags[-1] if tags else None, since=since))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show, board, query.problem, judged)

    def show(self, board: Leaderboard, problem: str, judged: bool = False) -> None:
        self.board = board
        standings = self.query_one("#standings", DataTable)
        standings.clear()
        for rank, s in enumerate(board.standings, 1):
            standings.add_row(
                str(rank),
                plain(s.model),  # names from configs and servers: text, never markup
                f"{s.rating:.0f}",
                f"{s.low:.0f}–{s.high:.0f}",
                str(s.battles),
                f"{s.wins}-{s.ties}-{s.losses}",
                f"{100 * s.win_rate:.0f}",
            )
        pairs = self.query_one("#head-to-head", DataTable)
        pairs.clear()
        for (a, b), (a_won, ties, b_won) in board.head_to_head.items():
            pairs.add_row(plain(a), f"{a_won} · {ties} · {b_won}", plain(b))
        counted = "no votes yet"
        if board.votes:
            counted = f"{board.votes} vote{'s' * (board.votes != 1)} ({board.void} void)"
        if judged:
            counted = f"a judge model's verdicts: {board.votes} battles, not your votes"
        title = f"Arena leaderboard · {counted} · {HOW}"
        if not board.votes:
            title += " · Ctrl+R in compare starts a blind round"
        if problem:
            title += f" · {problem}"
        self.query_one("#board-title", Label).update(Content(title))

    def action_export(self) -> None:
        if self.board is None or not self.board.standings:
            self.notify("Nothing to export yet", severity="warning")
            return
        path = Path.cwd() / "coda-leaderboard.csv"
        try:
            path.write_text(leaderboard_csv(self.board), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error")
            return
        self.notify(f"Saved {path.name} in {path.parent}")
