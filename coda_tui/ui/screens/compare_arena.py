"""The blind arena in compare (Ctrl+R, or ``[compare] blind = true``): each prompt goes to the
panes' models in a random order, the panes named A, B… only; when every answer is in, a vote
(a/b… better, t tie, x all bad), then the names and prices. Figures (time to first token,
speed) stay visible throughout. A round in which an answer names its own model or maker, or
one fails, cannot be judged blind: it is voided with the reason, and the names are shown.
Votes go to the history with prompt, answers, models and a tag; the leaderboard (Ctrl+L)
counts them.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from textual.binding import Binding

from ...services.arena import LABELS, blind_order, void_reason
from ...store import Contestant
from ..dialogs import TextPromptScreen
from ..widgets.prompt import PromptInput
from ..widgets.vote_bar import VoteBar

if TYPE_CHECKING:
    from .compare import CompareScreen

    _Base = CompareScreen
else:
    _Base = object

ARENA_BINDINGS = [
    Binding(
        "ctrl+r",
        "toggle_blind",
        "Blind",
        id="compare_blind",
        show=False,  # no room at 80 columns: the prompt's placeholder names it
        tooltip="Blind arena: random order, names after your vote",
    ),
    Binding("ctrl+l", "leaderboard", "Board", id="compare_leaderboard", show=False),
]


_LOCKED = {
    "pick_model",
    "params",
    "add_pane",
    "select_pane",
    "stop_selected",
    "new_comparison",
    "export",
    "toggle_sync",
}
"""What a blind round puts aside until the vote: each could change or show a pane's model."""


class CompareArena(_Base):
    """Mixed into the compare screen."""

    def __init__(self) -> None:
        super().__init__()
        self.blind = False
        self.rng = random.Random()
        self.round_prompt = ""
        """The blind round's prompt while it waits for answers or a vote; "" otherwise."""
        self.tag = ""
        self.asking = False
        """The vote bar is up (or going up): every pane's Finished arrives, one asks."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.round_prompt and action in _LOCKED:
            return False
        if self.asking and action == "stop_all":
            return False  # Esc skips the vote then
        return super().check_action(action, parameters)

    def blind_on_mount(self) -> None:
        self.blind = self.coda.loaded.config.compare.blind
        self._show_blind_state()

    def _show_blind_state(self) -> None:
        self.sub_title = "compare · blind" if self.blind else "compare"
        for label, pane in zip(LABELS, self.panes, strict=False):
            if self.blind and not self.round_prompt:
                pane.set_blind(label, hidden=True)
            elif not self.blind:
                pane.set_blind(None, hidden=False)

    async def action_toggle_blind(self) -> None:
        if any(pane.is_streaming for pane in self.panes):
            self.notify("Wait for every pane, or press Esc to stop them", severity="warning")
            return
        if self.round_prompt:
            await self._end_round("")  # switched off mid-round: no vote, names shown
        self.blind = not self.blind
        self._show_blind_state()
        self.notify(
            "Blind arena: each prompt goes to these models in a random order, named A, B… "
            "until you vote"
            if self.blind
            else "Blind arena off: panes show their models"
        )

    # -- a round ----------------------------------------------------------------------------------

    async def start_round(self, text: str) -> None:
        """Shuffle the panes' models, start every pane afresh, send them the prompt."""
        if self.round_prompt:
            await self._end_round("")  # a vote not given: the new prompt skips it
        panes = self.panes
        models = [(p.session.provider, p.session.model) for p in panes]
        infos = {(p.session.provider, p.session.model): p.model_info for p in panes}
        for label, pane, (provider, model) in zip(
            LABELS, panes, blind_order(models, self.rng), strict=False
        ):
            await pane.restart(provider, model, infos.get((provider, model)))
            pane.set_blind(label, hidden=True)
        self.round_prompt = text
        self.refresh_bindings()
        for pane in panes:
            await pane.send(text, self.coda.factory)

    async def round_answered(self) -> None:
        """Every pane done: ask for the vote, or void the round and say why."""
        panes = self.panes
        if not self.round_prompt or self.asking or any(pane.is_streaming for pane in panes):
            return
        failed = [p.blind_label for p in panes if p.outcome != "complete"]
        if failed:
            reason = f"{', '.join(str(label) for label in failed)} did not finish"
            await self._end_round("void", reason=reason)
            return
        reason = void_reason(self._contestants())
        if reason:
            await self._end_round("void", reason=reason)
            return
        self.asking = True
        self.refresh_bindings()
        bar = VoteBar(len(panes), self.tag)
        await self.mount(bar, before=self.query_one("#compare-prompt"))
        bar.focus()

    def _contestants(self) -> list[Contestant]:
        contestants = []
        for pane in self.panes:
            turns = [t for t in pane.session.turns if t.role == "assistant"]
            last = turns[-1] if turns else None
            contestants.append(
                Contestant(
                    pane.blind_label or str(pane.number),
                    pane.session.provider,
                    pane.session.model,
                    pane.answer,
                    last.status if last else "error",
                    dict(last.metrics) if last else {},
                )
            )
        return contestants

    # Handlers by name, not @on: this is a mixin, and @on needs a Textual class.
    async def on_vote_bar_voted(self, event: VoteBar.Voted) -> None:
        event.stop()
        await self._end_round(event.outcome, winner=event.winner)

    async def _end_round(
        self, outcome: str, *, winner: int | None = None, reason: str = ""
    ) -> None:
        """Save the vote (none for "": skipped), show every name and price."""
        prompt, self.round_prompt = self.round_prompt, ""
        self.asking = False
        self.refresh_bindings()
        contestants = self._contestants()
        for bar in self.query(VoteBar):
            await bar.remove()
        store = self.coda.store
        if outcome and store is not None:
            params = self.panes[0].session.params
            store.add_vote(
                prompt,
                contestants,
                outcome,
                winner=winner,
                tag=self.tag,
                void_reason=reason,
                params={"system_prompt": params.system_prompt, **params.as_dict()},
            )
        for pane in self.panes:
            pane.set_blind(pane.blind_label, hidden=False)
        self.refresh_metrics(idle_too=True)  # the prices, now
        names = ", ".join(f"{c.label}: {c.model} ({c.provider})" for c in contestants)
        said = {
            "win": f"{contestants[winner].label} won" if winner is not None else "",
            "tie": "A tie",
            "bad": "All bad",
            "void": f"No vote: {reason}",
            "": "Skipped",
        }[outcome]
        kept = "" if outcome in ("", "void") or store is not None else " (history off: not kept)"
        severity = "warning" if outcome == "void" else "information"
        self.notify(f"{said}{kept}. {names}", severity=severity, timeout=10)
        self.query_one("#compare-prompt", PromptInput).focus()

    def on_vote_bar_tag_requested(self, event: VoteBar.TagRequested) -> None:
        event.stop()

        def chosen(text: str | None) -> None:
            if text is not None:
                self.tag = text.strip()
                for bar in self.query(VoteBar):
                    bar.tag = self.tag
                    bar.show()
                    bar.focus()

        tags = self.coda.store.vote_tags() if self.coda.store else []
        title = "Tag this vote (kept for the next ones)"
        if tags:
            title += f": {', '.join(tags[:6])}"
        self.app.push_screen(TextPromptScreen(title, self.tag), chosen)

    def action_leaderboard(self) -> None:
        self.coda.action_leaderboard()
