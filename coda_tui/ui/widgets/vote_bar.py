"""The question after a blind round: which answer is better. It takes the focus, so its keys are
plain letters (a, b… for a pane, t tie, x all bad), shown in the footer as well."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

LABELS = "abcd"


class VoteBar(Static, can_focus=True):
    DEFAULT_CSS = """
    VoteBar {
        height: auto; margin: 0 1; padding: 0 1; background: $boost; border-left: thick $accent;
    }
    VoteBar:focus { background: $accent 20%; }
    """

    BINDINGS = [  # short labels: the bar itself spells them out
        *(
            Binding(key, f"vote('win', {index})", key.upper(), id=f"vote_{key}")
            for index, key in enumerate(LABELS)
        ),
        Binding("t", "vote('tie')", "Tie", id="vote_tie", tooltip="As good as each other"),
        Binding("x", "vote('bad')", "Bad", id="vote_bad", tooltip="Every answer is bad"),
        Binding("g", "tag", "Tag", id="vote_tag", tooltip="What kind of prompt (coding…)"),
        Binding("escape", "skip", "Skip", id="vote_skip", tooltip="No vote; names shown"),
    ]

    @dataclass
    class Voted(Message):
        outcome: str
        """win, tie or bad; "" to skip."""
        winner: int | None = None

    class TagRequested(Message):
        pass

    def __init__(self, count: int, tag: str) -> None:
        super().__init__(id="vote-bar")
        self.count = count
        self.tag = tag

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        panes = " · ".join(f"{LABELS[i]} {LABELS[i].upper()} better" for i in range(self.count))
        everyone = "both" if self.count == 2 else "all"
        tag = f"g tag: {self.tag}" if self.tag else "g tag"
        self.update(
            Content.assemble(
                ("Which answer is better? ", "bold"),
                f"{panes} · t tie · x {everyone} bad · {tag} · Esc skip",
            )
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "vote" and parameters[:1] == ("win",):
            return int(parameters[1]) < self.count  # type: ignore[call-overload]
        return True

    def action_vote(self, outcome: str, winner: int | None = None) -> None:
        self.post_message(self.Voted(outcome, winner))

    def action_skip(self) -> None:
        self.post_message(self.Voted(""))

    def action_tag(self) -> None:
        self.post_message(self.TagRequested())
