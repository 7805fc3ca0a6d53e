"""Compare: one prompt, several models answering side by side at the same time.

Each pane streams in its own worker, so a slow or failing pane never holds up another. Figures
update live; the best time to first token, speed, total time and cost are highlighted.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal

from ...services.chat_session import ChatParams
from ...services.metrics import format_cost
from ..commands import COMPARE_COMMANDS
from ..intents import CompareWith, OpenChat
from ..widgets.compare_pane import ComparePane
from ..widgets.footer import CodaFooter
from ..widgets.mode_bar import ModeBar
from ..widgets.prompt import PromptInput
from ..widgets.tool_card import ToolCard
from .base import CodaScreen
from .chat_settings import ChatSettingsScreen
from .compare_arena import ARENA_BINDINGS, CompareArena
from .model_picker import ModelChoice, ModelPickerScreen

if TYPE_CHECKING:
    from ...config import LoadedConfig
    from ..tool_runner import CardToolRunner

MAX_PANES = 4


def best_panes(panes: list[ComparePane]) -> dict[str, int]:
    """For each figure, the pane whose value beats every other pane's (a tie marks none).
    Only complete answers compete: one that failed or was stopped early is not the fastest."""
    figures: dict[str, list[tuple[float, int]]] = {"ttft": [], "speed": [], "total": [], "cost": []}
    for pane in panes:
        metrics = pane.metrics
        if metrics is None or metrics.finished is None or pane.outcome != "complete":
            continue
        if metrics.ttft is not None:
            figures["ttft"].append((metrics.ttft, pane.number))
        if metrics.tokens_per_second is not None:
            figures["speed"].append((-metrics.tokens_per_second, pane.number))
        figures["total"].append((metrics.total_seconds, pane.number))
        if metrics.cost is not None:
            figures["cost"].append((metrics.cost, pane.number))
    best = {}
    for key, values in figures.items():
        ranked = sorted(values)
        if len(ranked) > 1 and ranked[0][0] < ranked[1][0]:
            best[key] = ranked[0][1]
    return best


def comparison_markdown(panes: list[ComparePane]) -> str:
    """Every prompt with each pane's answer, and the last round's figures as a table."""
    lines = ["# Comparison", "", "| pane | model | TTFT | tok/s | tokens | total | cost |"]
    lines.append("| --- | --- | --- | --- | --- | --- | --- |")
    for pane in panes:
        m = pane.metrics
        model = f"{pane.session.provider} · {pane.session.model}"
        model += f" ({pane.ended_early})" if pane.ended_early else ""
        if m is None:
            lines.append(f"| {pane.number} | {model} | | | | | |")
            continue
        ttft = f"{m.ttft:.2f} s" if m.ttft is not None else ""
        speed = f"{m.tokens_per_second:.0f}" if m.tokens_per_second is not None else ""
        cost = format_cost(m.cost) if m.cost is not None else ""
        lines.append(
            f"| {pane.number} | {model} | {ttft} | {speed} | {m.output_tokens} "
            f"| {m.total_seconds:.2f} s | {cost} |"
        )
    rounds = max((len(p.session.turns) for p in panes), default=0)
    prompt_number = 0
    for index in range(rounds):
        for pane in panes:
            turns = pane.session.turns
            if index >= len(turns):
                continue
            turn = turns[index]
            if turn.role == "user" and pane is panes[0]:
                prompt_number += 1
                lines += ["", f"## Prompt {prompt_number}", "", turn.content]
            elif turn.role == "assistant":
                status = f" — {turn.status}" if turn.status in ("stopped", "error") else ""
                heading = f"### {pane.number}: {pane.session.provider} · {pane.session.model}"
                lines += ["", heading + status, "", turn.content.rstrip()]
    return "\n".join(lines) + "\n"


def starting_panes(loaded: LoadedConfig) -> list[tuple[str, str | None]]:
    """``[compare] panes`` when set; else the default provider beside the first other one set
    up (two Mock models on a machine with nothing set up). The built-in two Mock panes showed
    on every launch, after a provider was set up too."""
    config = loaded.config
    if loaded.source_of("compare.panes").name != "default":
        return [(pane.provider, pane.model) for pane in config.compare.panes]
    first = config.defaults.provider
    others = [name for name, section in config.providers.items() if name != first]
    real = [name for name in others if config.providers[name].type != "mock"]
    if real or others:
        return [(first, None), ((real or others)[0], None)]
    if first == "mock":
        return [("mock", None), ("mock", "mock-priced")]
    return [(first, None), ("mock", None)]


class CompareScreen(CompareArena, CodaScreen):
    CSS_PATH = "compare.tcss"
    PALETTE = COMPARE_COMMANDS
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("escape", "stop_all", "Stop", id="compare_stop_all", tooltip="Stop every pane"),
        Binding("ctrl+o", "pick_model", "Model", id="compare_model", tooltip="Selected pane"),
        Binding("ctrl+t", "params", "Params", id="compare_params", tooltip="For every pane"),
        Binding("ctrl+b", "add_pane", "+Pane", id="compare_add_pane", tooltip="Add a pane"),
        Binding("ctrl+g", "toggle_sync", "Sync scroll", id="compare_sync", show=False),
        Binding("ctrl+s", "export", "Export", id="compare_export", show=False),
        Binding("ctrl+n", "new_comparison", "New", id="compare_new", show=False),
        # F-keys reach the app in every terminal; Alt+digit does not (tmux and xterm send
        # another character), and the prompt keeps Ctrl+arrows for moving by word.
        Binding("f7", "select_pane(-1)", "◀Pane", id="compare_prev_pane", show=False),
        Binding("f8", "select_pane(1)", "Pane▶", id="compare_next_pane", tooltip="Select"),
        Binding("f9", "stop_selected", "Stop pane", id="compare_stop_pane", tooltip="Selected"),
        *ARENA_BINDINGS,
    ]

    def __init__(self) -> None:
        super().__init__()
        self.sync_scroll = False
        self.selected = 1
        self._syncing = False
        self.allowed_tools: set[str] = set()
        """MCP tools allowed without asking in this comparison (a on a card)."""
        self._reported: set[str] = set()

    @property
    def panes(self) -> list[ComparePane]:
        return list(self.query(ComparePane))

    def _pane(self, number: int, provider: str, model: str | None) -> ComparePane:
        model = model or self.coda.factory.default_model(provider) or ""
        return ComparePane(
            number,
            provider,
            model,
            ChatParams.from_defaults(self.coda.loaded.config.defaults),
        )

    def compose(self) -> ComposeResult:
        yield ModeBar("compare")
        with Horizontal(id="panes"):
            for number, (provider, model) in enumerate(starting_panes(self.coda.loaded), 1):
                yield self._pane(number, provider, model)
        yield PromptInput(
            id="compare-prompt",
            placeholder="One prompt for every pane — Enter · Ctrl+R blind arena",
        )
        yield CodaFooter(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "compare"
        self.query_one(PromptInput).focus()
        self.select(self.selected)
        self.blind_on_mount()
        self.call_after_refresh(self.discover_models, self.panes)

    @work(group="discovery", exit_on_error=False)
    async def discover_models(self, panes: list[ComparePane]) -> None:
        """Prices and context of each pane's model, for its figures."""
        for pane in panes:
            listing = await self.coda.catalog.listing(pane.session.provider)
            models = listing.models
            pane.model_info = next((m for m in models if m.id == pane.session.model), None)

    # -- sending ----------------------------------------------------------------------------------

    @on(PromptInput.Submitted, "#compare-prompt")
    async def send(self, event: PromptInput.Submitted) -> None:
        if any(pane.is_streaming for pane in self.panes):
            self.notify("Wait for every pane, or press Esc to stop them", severity="warning")
            return
        event.prompt.clear()
        text = event.text.strip()
        if self.blind:
            await self.start_round(text)
            return
        for pane in self.panes:
            await pane.send(text, self.coda.factory, await self._tools_for(pane))

    async def _tools_for(self, pane: ComparePane) -> CardToolRunner | None:
        """The MCP tools for the pane's next answer; "always" holds for this comparison. A
        blind round offers none: a card would wait on one pane while the others ran on."""
        from ..tool_runner import tool_runner

        return await tool_runner(
            self.app,
            self.coda.mcp_hub,
            pane.model_info,
            self.coda.loaded.config.mcp.max_rounds,
            self.allowed_tools,
            pane.messages,
            self._reported,
        )

    def refresh_metrics(self, *, idle_too: bool = False) -> None:
        panes = self.panes
        if not idle_too and not any(pane.is_streaming for pane in panes):
            return  # nothing moves: keep an idle app idle
        best = best_panes(panes)
        for pane in panes:
            pane.show_metrics(best)

    @on(ComparePane.Progressed)
    def pane_progressed(self) -> None:
        self.refresh_metrics()

    @on(ComparePane.Finished)
    async def pane_finished(self) -> None:
        self.refresh_metrics(idle_too=True)
        if self.blind:
            await self.round_answered()
        elif isinstance(self.focused, ToolCard) and not any(p.is_streaming for p in self.panes):
            self.query_one("#compare-prompt").focus()  # every card has had its say

    def action_stop_all(self) -> None:
        for pane in self.panes:
            pane.stop()

    def action_stop_selected(self) -> None:
        self._selected_pane().stop()

    def action_select_pane(self, step: int) -> None:
        panes = self.panes
        index = panes.index(self._selected_pane()) + step
        self.select(panes[index % len(panes)].number)

    def select(self, number: int) -> None:
        """Mark the pane the pane keys act on (the prompt keeps the focus)."""
        self.selected = number
        for pane in self.panes:
            pane.set_class(pane.number == number, "-selected")

    # -- panes ------------------------------------------------------------------------------------

    def on_descendant_focus(self) -> None:
        focused = self.focused
        while focused is not None and not isinstance(focused, ComparePane):
            focused = focused.parent  # type: ignore[assignment]
        if isinstance(focused, ComparePane):
            self.select(focused.number)

    def _selected_pane(self) -> ComparePane:
        panes = self.panes
        return next((p for p in panes if p.number == self.selected), panes[0])

    def action_pick_model(self) -> None:
        self._pick_model(self._selected_pane())

    @on(ComparePane.ModelRequested)
    def model_requested(self, event: ComparePane.ModelRequested) -> None:
        self._pick_model(event.pane)

    def _pick_model(self, pane: ComparePane) -> None:
        def chosen(choice: ModelChoice | None) -> None:
            if choice is not None:
                pane.set_model(choice.provider, choice.model)

        self.app.push_screen(ModelPickerScreen(self.coda.catalog), chosen)

    def action_params(self) -> None:
        """The same system prompt and sampling for every pane (the default)."""
        self._edit_params(self.panes, self.panes[0].session.params)

    @on(ComparePane.ParamsRequested)
    def pane_params(self, event: ComparePane.ParamsRequested) -> None:
        self._edit_params([event.pane], event.pane.session.params)

    def _edit_params(self, panes: list[ComparePane], current: ChatParams) -> None:
        def chosen(params: ChatParams | None) -> None:
            if params is not None:
                for pane in panes:
                    pane.session.set_params(params)

        self.app.push_screen(ChatSettingsScreen(current), chosen)

    async def action_add_pane(self) -> None:
        panes = self.panes
        if len(panes) >= MAX_PANES:
            self.notify(f"At most {MAX_PANES} panes", severity="warning")
            return
        number = max(p.number for p in panes) + 1
        last = panes[-1].session
        pane = self._pane(number, last.provider, last.model)
        await self.query_one("#panes").mount(pane)
        self.discover_models([pane])  # its price, for its cost (and the cheapest mark)

    @on(CompareWith)
    async def compare_with(self, intent: CompareWith) -> None:
        intent.stop()
        await self.add_model(intent.choice)

    async def add_model(self, choice: ModelChoice) -> None:
        """A new pane on this model; with every pane taken, the selected pane switches to it."""
        panes = self.panes
        if len(panes) < MAX_PANES:
            pane = self._pane(max(p.number for p in panes) + 1, choice.provider, choice.model.id)
            await self.query_one("#panes").mount(pane)
        else:
            pane = self._selected_pane()
        pane.set_model(choice.provider, choice.model)
        self.notify(f"Pane {pane.number}: {choice.provider} · {choice.model.id}")

    @on(ComparePane.CloseRequested)
    async def close_pane(self, event: ComparePane.CloseRequested) -> None:
        if len(self.panes) == 1:
            self.notify("A comparison needs one pane at least", severity="warning")
            return
        event.pane.stop()
        await event.pane.remove()

    @on(ComparePane.PromoteRequested)
    async def promote(self, event: ComparePane.PromoteRequested) -> None:
        session = event.pane.session
        if not session.turns:
            self.notify("Send a prompt first: there is nothing to continue", severity="warning")
            return
        if self.coda.store is None:
            self.notify("Chat history is off: there is no chat to continue in", severity="warning")
            return
        record = session.record or session.persist(self.coda.store)
        if record is None:
            self.notify(session.save_error or "The chat could not be saved", severity="error")
            return
        self.post_message(OpenChat(record.id))

    async def action_new_comparison(self) -> None:
        self.action_stop_all()
        self.allowed_tools.clear()  # "always" was for the comparison it was said in
        for pane in self.panes:
            await pane.remove()
        container = self.query_one("#panes")
        for number, (provider, model) in enumerate(starting_panes(self.coda.loaded), 1):
            await container.mount(self._pane(number, provider, model))

    # -- scroll and export --------------------------------------------------------------------

    def action_toggle_sync(self) -> None:
        self.sync_scroll = not self.sync_scroll
        if self.sync_scroll:
            for pane in self.panes:
                self.watch(pane.messages, "scroll_y", self._scrolled_from(pane), init=False)
        self.notify(f"Sync scroll {'on' if self.sync_scroll else 'off'}")

    def _scrolled_from(self, source: ComparePane):  # type: ignore[no-untyped-def]
        def follow(_old: float, _new: float) -> None:
            if not self.sync_scroll or self._syncing:
                return
            self._syncing = True
            try:
                view = source.messages
                fraction = view.scroll_y / view.max_scroll_y if view.max_scroll_y else 1.0
                for pane in self.panes:
                    if pane is not source:
                        target = pane.messages
                        target.scroll_to(y=fraction * target.max_scroll_y, animate=False)
            finally:
                self._syncing = False

        return follow

    def action_export(self) -> None:
        panes = self.panes
        if self.round_prompt:
            self.notify("Vote first: the export names every model", severity="warning")
            return
        if not any(p.session.turns for p in panes):
            self.notify("Nothing to export yet", severity="warning")
            return
        record = panes[0].session.record
        path = Path.cwd() / f"coda-compare-{record.id if record else 0}.md"
        try:
            path.write_text(comparison_markdown(panes), encoding="utf-8")
        except OSError as exc:
            self.notify(f"Export failed: {exc}", severity="error")
            return
        self.notify(f"Saved {path.name} in {path.parent}")
