"""Work that streams progress in the Ollama panel: pulls on any host (several at once, each with
bytes, speed and ETA), "copy to host" (a pull of the same name there), resuming a pull the
network cut, and models created from another one (duplicate with a new system prompt, or a
Modelfile)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.worker import Worker

from ...providers import ProviderConnectionError, ProviderError
from ...providers.ollama.types import PullProgress, full_name
from ..dialogs import ChoiceScreen, TextPromptScreen
from ..text import visible_text
from ..widgets.pull_progress import PullProgressBar

if TYPE_CHECKING:
    from .ollama import OllamaScreen

    _Base = OllamaScreen
else:
    _Base = object

Progress = Callable[[], AsyncIterator[PullProgress]]


class OllamaJobs(_Base):
    """Mixed into the Ollama screen."""

    def __init__(self) -> None:
        super().__init__()
        self.pulls: dict[PullProgressBar, Worker[None]] = {}
        self.streams: dict[PullProgressBar, Progress] = {}
        """How to start each bar's work again (a resume asks the same thing again)."""

    def compose_jobs(self) -> ComposeResult:
        yield Vertical(id="pulls")

    # -- pulls --------------------------------------------------------------------------------

    def action_pull(self) -> None:
        def chosen(name: str | None) -> None:
            if name and name.strip():
                self.start_pull(name.strip())

        where = f" to {self.provider_name}" if len(self.hosts) > 1 else ""
        prompt = f"Pull which model{where}? (e.g. llama3.2:3b)"
        self.app.push_screen(TextPromptScreen(prompt), chosen)

    def start_pull(self, name: str, host: str | None = None, source: str = "") -> PullProgressBar:
        """``source``: the host it is copied from (a pull by name: the model must be in the
        registry, which one made with create on ``source`` is not)."""
        host = host or self.provider_name
        provider = self.provider_for(host)
        return self.start_job(name, host, lambda: provider.pull_model(name), "pulled", source)

    def start_job(
        self, name: str, host: str, progress: Progress, done: str, source: str = ""
    ) -> PullProgressBar:
        bar = PullProgressBar(name, host, shown_host=len(self.hosts) > 1, source=source)
        self.query_one("#pulls").mount(bar)
        self.streams[bar] = progress
        self.pulls[bar] = self.run_job(bar, done)
        return bar

    @work(exit_on_error=False, group="ollama-pulls")
    async def run_job(self, bar: PullProgressBar, done: str) -> None:
        try:
            async with contextlib.aclosing(self.streams[bar]()) as progress:
                async for update in progress:
                    bar.add(update)
        except ProviderError as error:
            cut = isinstance(error, ProviderConnectionError) and done == "pulled"
            message = f"failed: {error}"
            if bar.source and "file does not exist" in str(error):
                message = (
                    f"failed: {bar.model} is not in the registry, so {bar.host} cannot pull it "
                    f"(made on {bar.source}? copy to host pulls by name)"
                )
            if cut:
                where = f" at {bar.stats.bytes_text()}" if bar.stats.total_bytes else ""
                message = f"cut off{where} · ↻ or R resumes"
            bar.finish(message, failed=True, resumable=cut)
            return
        except asyncio.CancelledError:
            self.streams.pop(bar, None)
            await bar.remove()
            self.notify(f"{'Pull' if done == 'pulled' else 'Create'} of {bar.model} cancelled")
            raise
        finally:
            self.pulls.pop(bar, None)
        bar.finish(f"✓ {done}")
        where = f" on {bar.host}" if bar.shown_host else ""
        self.notify(visible_text(f"{done.capitalize()} {bar.model}{where}"))
        self.streams.pop(bar, None)
        self.set_timer(3, bar.remove)
        self.job_done(bar)

    def job_done(self, bar: PullProgressBar) -> None:
        """The host it ran on has a new model: its list, or its line among the hosts."""
        self.infos.pop((bar.host, full_name(bar.model)), None)  # its details asked anew
        if bar.host == self.provider_name:
            self.refresh_models()
            return
        host = self.host(bar.host)
        if host is not None:
            self.run_worker(self.reprobe(host), group="ollama-hosts", exit_on_error=False)

    def on_pull_progress_bar_cancel_requested(self, event: PullProgressBar.CancelRequested) -> None:
        worker = self.pulls.get(event.bar)
        if worker is not None:
            worker.cancel()

    def on_pull_progress_bar_resume_requested(self, event: PullProgressBar.ResumeRequested) -> None:
        self.resume(event.bar)

    def resume(self, bar: PullProgressBar) -> None:
        if bar in self.pulls or bar not in self.streams:
            return
        bar.restart()
        self.pulls[bar] = self.run_job(bar, "pulled")

    def action_resume_pulls(self) -> None:
        failed = [bar for bar in self.query(PullProgressBar) if bar.resumable]
        if not failed:
            self.notify("No pull the network cut, to resume", severity="warning")
        for bar in failed:
            self.resume(bar)

    def action_cancel_last_pull(self) -> None:
        """Esc: the pull started last stops (its ✕ stops any one)."""
        if self.pulls:
            list(self.pulls.values())[-1].cancel()

    # -- to another host ------------------------------------------------------------------------

    def action_copy_to_host(self) -> None:
        model = self._selected_or_warn()
        if model is None:
            return
        others = [host for host in self.hosts if host.name != self.provider_name]
        if not others:
            self.notify("One Ollama host: add another in Providers (F5)", severity="warning")
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                self.start_pull(model.id, others[index].name, source=self.provider_name)

        labels = [f"{host.name} ({host.summary()})" for host in others]
        title = f"Pull {visible_text(model.id)} on which host?"
        self.app.push_screen(ChoiceScreen(title, labels, width=60), chosen)

    # -- new models -----------------------------------------------------------------------------

    def action_duplicate(self) -> None:
        from .modelfile_editor import DuplicateScreen  # with the editor: on first use

        model = self._selected_or_warn()
        if model is None:
            return
        self.app.push_screen(DuplicateScreen(self.provider, model.id), self.duplicate_chosen)

    def duplicate_chosen(self, answer: tuple[str, str, str] | None) -> None:
        if answer is None:
            return
        name, base, system = answer
        body = {"model": name, "from": base, "system": system}
        provider = self.provider
        self.start_job(name, self.provider_name, lambda: provider.create_model(body), "created")

    def action_modelfile(self) -> None:
        from .modelfile_editor import ModelfileScreen  # TextArea and the parser: on first use

        base = self.target_name() or ""  # none (no models yet): a Modelfile to fill in
        editor = ModelfileScreen(self.provider, self.provider_name, base)
        self.app.push_screen(editor, self.modelfile_done)

    def modelfile_done(self, created: str | None) -> None:
        if created:
            self.refresh_models()
