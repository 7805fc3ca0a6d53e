"""The coda-tui application: wires modes, app-wide keys, the config and the chat store."""

from __future__ import annotations

import gc
import importlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.signal import Signal

from ..config.paths import user_config_file
from ..config.peek import peek_ui
from .commands import MODE_COMMANDS, CodaCommands
from .failures import ReportsFailures
from .intents import ChatWith, CompareWith, Intent, OpenChat
from .screens.base import CodaScreen
from .screens.chat import ChatScreen
from .widgets.frame_clock import FrameClock

if TYPE_CHECKING:
    from ..config import LoadedConfig
    from ..providers import ProviderFactory
    from ..services import ModelCatalog
    from ..services.mcp_hub import McpHub
    from ..store import ChatStore, SearchHit


def _screen(module: str, name: str) -> Screen[None]:
    """A mode's screen, its module imported the first time the mode opens: startup pays only
    for the chat screen it shows."""
    screen_class = getattr(importlib.import_module(f".screens.{module}", __package__), name)
    return cast("Screen[None]", screen_class())


class CodaApp(ReportsFailures, App[None]):
    TITLE = "coda-tui"
    # The chat screen's file too: it is the first screen, and a screen bringing a file the app
    # has not read makes Textual parse every rule again before the first frame (10-15 ms).
    CSS_PATH = ["app.tcss", "screens/chat.tcss"]
    MODES = {
        "chat": ChatScreen,
        "compare": lambda: _screen("compare", "CompareScreen"),
        "models": lambda: _screen("models", "ModelsScreen"),
        "ollama": lambda: _screen("ollama", "OllamaScreen"),
        "providers": lambda: _screen("providers", "ProvidersScreen"),
        "settings": lambda: _screen("settings", "SettingsScreen"),
    }
    DEFAULT_MODE = "chat"
    COMMANDS = App.COMMANDS | {CodaCommands}
    BINDINGS = [
        # On the mode bar, not in the footer: at 80 columns the footer had no room for them.
        *(
            Binding(
                f"f{number}",
                f"switch_mode('{mode}')",
                title,
                id=f"mode_{mode}",
                priority=True,
                show=False,
            )
            for number, (mode, title, _) in enumerate(MODE_COMMANDS, start=1)
        ),
        Binding("ctrl+f", "search_history", "Search", id="search_history", show=False),
        Binding("ctrl+q", "quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        loaded: LoadedConfig | None = None,
        *,
        store: ChatStore | None = None,
        reload: Callable[[], LoadedConfig] | None = None,
        config_file: Path | None = None,
    ):
        """With ``loaded`` the app starts from it; without, the first frame is drawn from the
        raw ``[ui]`` table and the config is read, validated and applied right after it."""
        super().__init__()
        self.reload = reload or _load_config
        """Reads the layers again the way they were first read (the same --config and flags)."""
        self.session_settings: dict[str, dict[str, Any]] = {}
        """Typed-in keys for this run, per provider: memory only, never written anywhere."""
        self.config_changed: Signal[LoadedConfig] = Signal(self, "config-changed")
        self.first_run = not user_config_file().exists()
        self.store = store
        self.store_error = ""
        self.indexing: tuple[int, int] | None = None
        """(messages still to index for search, of how many) while that runs."""
        self.booted = False
        """The config is loaded and the factory, catalog and store exist (see ``_boot``)."""
        self._mcp_hub: McpHub | None = None
        self._early_ui: dict[str, Any] = {}
        if loaded is not None:
            self._boot(loaded)
        else:
            self._early_ui = peek_ui(config_file)

    def _boot(self, loaded: LoadedConfig) -> None:
        """What everything after the first frame stands on: config, providers, history."""
        from ..store import ChatStore, history_path

        self.loaded = loaded
        self._new_factory()
        if self.store is None and loaded.config.history.enabled:
            where = history_path(loaded.config.history.path)
            try:
                self.store = ChatStore(where)
            except (sqlite3.Error, OSError) as exc:
                self.store_error = (
                    f"Chat history is off: {where} cannot be opened ({exc}). This session's "
                    "chats are not saved; export (Ctrl+S) still works. Set [history] path, or "
                    "CODA_DATA_DIR, to a folder you can write."
                )
        self.booted = True

    def on_mount(self) -> None:
        if self.booted:
            self._apply_config()
            return
        # Paint first: the theme and keymap as the files say, unvalidated, for the first frame;
        # reading and validating the config (pydantic, the schema, the providers) comes after.
        theme = self._early_ui.get("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        keymap = self._early_ui.get("keymap")
        if isinstance(keymap, dict) and all(isinstance(v, str) for v in keymap.values()):
            self.set_keymap(keymap)
        self.call_after_refresh(self._boot_after_first_frame)

    def _boot_after_first_frame(self) -> None:
        """On the event loop, not in a thread: keys pressed meanwhile wait in the queue and are
        handled by screens that are ready for them (about 0.2 s)."""
        try:
            loaded = self.reload()
        except Exception as exc:  # a bug here must not leave the app at "Starting…"
            from ..config import CodaConfig, ConfigProblem, LoadedConfig

            problem = f"config not read ({type(exc).__name__}: {exc}); running on the defaults"
            loaded = LoadedConfig(CodaConfig(), problems=[ConfigProblem(None, None, problem)])
        self._boot(loaded)
        self._apply_config()
        for screen in self.screen_stack:
            if isinstance(screen, CodaScreen):
                screen.booted()

    def _apply_config(self) -> None:
        config = self.loaded.config
        if config.ui.theme in self.available_themes:
            self.theme = config.ui.theme
        else:
            self.notify(f"Unknown theme {config.ui.theme!r}", severity="warning")
        if config.ui.keymap:
            self.set_keymap(config.ui.keymap)
        for problem in self.loaded.problems:
            self.notify(str(problem), title="Config problem", severity="warning", timeout=15)
        if self.store_error:
            self.notify(self.store_error, severity="warning", timeout=15)
        self.call_after_refresh(self.warm_up)
        self.call_after_refresh(self.check_literal_keys)
        if self.store is not None:
            self.index_history()

    @work(thread=True, exit_on_error=False, group="index")
    def index_history(self) -> None:
        """Index for search what an earlier release wrote, newest first, while the app is
        used (an upgrade does not wait for it); the search screen shows how far it got. A
        failure here costs search its older messages, never the app."""
        store = self.store
        if store is None:
            return

        def progress(left: int, total: int) -> None:
            self.indexing = (left, total) if left else None

        try:
            left, total = store.index_progress()
            if not left:
                return
            self.indexing = (left, total)
            self.call_from_thread(
                self.notify,
                f"Indexing {total:,} messages for search, newest first; search covers what "
                "is done so far",
                timeout=8,
            )
            store.index_rest(progress)
        except sqlite3.Error as exc:
            self.indexing = None
            self.call_from_thread(
                self.notify,
                f"Older messages could not be indexed for search ({exc}); new ones are. "
                f"The history itself is unchanged: {store.path}",
                severity="warning",
                timeout=15,
            )
            return
        self.call_from_thread(self.notify, "Every message can be searched now", timeout=4)

    def check_literal_keys(self) -> None:
        from .secret_fix import offer_references

        offer_references(self)

    @work(thread=True, exit_on_error=False)
    def warm_up(self) -> None:
        """After the first frame: import what the first answer will need."""
        from .widgets.answer_markdown import warm_up as warm_rendering

        gc.freeze()  # start-up's objects: a full collection in the meantime need not walk them
        warm_rendering()
        from ..providers.litellm.settings import LiteLLMSettings

        config = self.loaded.config
        sections = [s for s in config.providers.values() if isinstance(s, LiteLLMSettings)]
        if sections:
            from ..providers.litellm.provider import warm_up

            warm_up(sections, remote_price_map=config.litellm.remote_price_map)
        # What is loaded by now lives as long as the app: full collections can skip it.
        gc.freeze()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = False,
    ) -> None:
        """Every notification is plain text, whatever the caller asks: they carry server
        errors, file and model names, and Textual would read ``[@click=app.quit]`` in them as
        markup (an action a click runs), and ``[providers.x]`` as a style."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def action_copy_selection(self) -> None:
        """The palette's Ctrl+C: what the mouse selected on this screen, or how to select."""
        from .screens.base import CodaScreen

        screen = self.screen
        if isinstance(screen, CodaScreen) and screen.get_selected_text():
            screen.action_copy_text()
            return
        self.notify(
            "Nothing is selected: drag the mouse across messages (double-click: a whole "
            "message), then Ctrl+C",
            severity="warning",
        )

    def action_search_history(self) -> None:
        """Search every saved chat; the hit chosen opens in the chat mode at its message."""
        if self.store is None:
            self.notify(self.store_error or "Chat history is off", severity="warning")
            return
        from .screens.search import SearchScreen

        def chosen(hit: SearchHit | None) -> None:
            if hit is not None:
                self.post_message(OpenChat(hit.chat_id, hit.message_id))

        self.push_screen(SearchScreen(self.store), chosen)

    def action_leaderboard(self) -> None:
        """The arena's ratings from the votes in the history."""
        if self.store is None:
            self.notify(self.store_error or "Chat history is off", severity="warning")
            return
        from .screens.leaderboard import LeaderboardScreen

        self.push_screen(LeaderboardScreen(self.store))

    def action_tools(self) -> None:
        """The MCP servers, their state and their tools."""
        from .screens.tools import ToolsScreen

        self.push_screen(ToolsScreen(self.mcp_hub))

    def action_run_prompt_set(self) -> None:
        """Ask for a prompt set and the models, then run it as a grid."""
        from ..services.prompt_sets import PromptSetError, Target, load_prompt_set
        from .dialogs import TextPromptScreen
        from .screens.prompt_grid import PromptGridScreen

        config = self.loaded.config
        models = ",".join(
            f"{pane.provider}:{pane.model or self.factory.default_model(pane.provider) or '?'}"
            for pane in config.compare.panes
        )

        def with_models(path: Path, text: str | None) -> None:
            if not text or not text.strip():
                return
            try:
                cases = load_prompt_set(path)
                targets = [Target.parse(part) for part in text.split(",") if part.strip()]
            except (PromptSetError, ValueError) as exc:
                self.notify(str(exc), severity="error", timeout=15)
                return
            self.push_screen(PromptGridScreen(path.name, cases, targets, store=self.store))

        def with_path(text: str | None) -> None:
            if not text or not text.strip():
                return
            path = Path(text.strip()).expanduser()
            title = "Models, comma-separated (PROVIDER:MODEL; the compare panes are offered)"
            self.push_screen(TextPromptScreen(title, models), lambda m: with_models(path, m))

        title = 'Prompt set to run (.jsonl: one {"prompt": …} a line, or .toml)'
        self.push_screen(TextPromptScreen(title, str(Path.cwd()) + "/"), with_path)

    def action_open_run(self) -> None:
        """A saved prompt-set run, as its grid."""
        if self.store is None:
            self.notify(self.store_error or "Chat history is off", severity="warning")
            return
        from .screens.prompt_grid import reopen
        from .screens.prompt_grid_dialogs import RunPickerScreen

        runs = self.store.runs()
        if not runs:
            self.notify("No saved runs yet: the palette's “Arena: run a prompt set” makes one")
            return
        store = self.store

        def chosen(run_id: int | None) -> None:
            if run_id is not None:
                self.push_screen(reopen(store, run_id))

        self.push_screen(RunPickerScreen(runs), chosen)

    @on(OpenChat)
    @on(ChatWith)
    @on(CompareWith)
    async def deliver(self, intent: Intent) -> None:
        """A mode asked another for something: open that mode and hand the intent to it."""
        if self.current_mode != intent.mode:
            await self.switch_mode(intent.mode)
        self.screen.post_message(intent.again())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            FrameClock.of(self).hold()  # the key's frame before the answers' next one
        await super().on_event(event)

    def reload_config(self) -> None:
        """After a layer was written: read the layers again and rebuild what depends on them.

        Providers are built again from the new settings on their next use; the old ones close
        once their answers end. Open chats keep their model, new ones start from the new
        defaults.
        """
        self.loaded = self.reload()
        self.first_run = not user_config_file().exists()
        self._new_factory()
        if self._mcp_hub is not None:  # servers from the old settings stop; new ones on demand
            self.run_worker(self._mcp_hub.aclose(), group="mcp", exit_on_error=False)
            self._mcp_hub = None
        from ..providers import ProviderRegistry

        self.run_worker(
            ProviderRegistry.aretire_instances(), group="providers", exit_on_error=False
        )
        theme = self.loaded.config.ui.theme
        if theme not in self.available_themes:
            self.notify(f"Unknown theme {theme!r}: Ctrl+P, 'theme' lists them", severity="warning")
        elif theme != self.theme:
            self.theme = theme
        self.config_changed.publish(self.loaded)

    async def on_unmount(self) -> None:
        """Close every provider's connections, and stop the MCP servers, before the loop goes."""
        if not self.booted:
            return
        from ..providers import ProviderRegistry

        await ProviderRegistry.aclose_instances()
        if self._mcp_hub is not None:
            await self._mcp_hub.aclose()

    @property
    def mcp_hub(self) -> McpHub:
        """The MCP servers of the config as it now is; none started until tools are wanted."""
        if self._mcp_hub is None:
            from ..services.mcp_hub import McpHub

            self._mcp_hub = McpHub(self.loaded.config.mcp.servers)
        return self._mcp_hub

    def use_for_session(self, provider: str, **settings: Any) -> None:
        """Settings (a typed key) used for this run only; never reach a file."""
        self.session_settings.setdefault(provider, {}).update(settings)
        self._new_factory()

    def _new_factory(self) -> None:
        """Providers from the settings as they now are, and a model catalog asked anew (every
        provider's models, listed once and shared by every screen)."""
        from ..providers import ProviderFactory
        from ..services import ModelCatalog

        self.factory: ProviderFactory = ProviderFactory(self.loaded, session=self.session_settings)
        self.catalog: ModelCatalog = ModelCatalog(self.factory)

    def watch_theme(self, theme: str) -> None:
        if self.booted and self.is_mounted and theme != self.loaded.config.ui.theme:
            self.loaded.config.ui.theme = theme
            self.save_theme(theme)

    @work(thread=True, exit_on_error=False)
    def save_theme(self, theme: str) -> None:
        """Remember the theme in the user config; a broken file is left as it is."""
        from ..config import ConfigWriteError, set_value

        try:
            set_value(user_config_file(), "ui.theme", theme, self.loaded.sections)
        except (ConfigWriteError, OSError, ValueError) as exc:
            self.call_from_thread(self.notify, f"Theme not saved: {exc}", severity="warning")


def _load_config() -> LoadedConfig:
    from ..providers import load_config  # each provider section checked by its provider

    return load_config()
