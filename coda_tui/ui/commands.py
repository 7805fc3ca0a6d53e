"""Command palette entries: every mode, and the actions of the screen it was opened on
(a screen lists them in its ``PALETTE``)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from .app import CodaApp

MODE_COMMANDS = (
    ("chat", "Chat", "Talk to one model"),
    ("compare", "Compare", "Two models side by side"),
    ("models", "Models", "Every model of every provider"),
    ("ollama", "Ollama", "Manage local Ollama models"),
    ("providers", "Providers", "Set up providers and keys"),
    ("settings", "Settings", "Every config key and where it comes from"),
)

APP_COMMANDS = (
    ("search_history", "Search every chat", "Words in any saved chat or title (Ctrl+F)"),
    ("leaderboard", "Arena leaderboard", "Ratings from your blind votes (Ctrl+L in compare)"),
    ("run_prompt_set", "Arena: run a prompt set", "A JSONL or TOML file against several models"),
    ("open_run", "Arena: open a saved run", "A prompt set's grid again: read, diff, export"),
    ("copy_selection", "Copy the selected text", "Drag the mouse across messages; Ctrl+C"),
    ("tools", "Tools: MCP servers and their tools", "State, errors, schemas; turn tools off"),
)
"""Actions of the app itself, in the palette on every screen."""

CHAT_COMMANDS = (
    ("pick_model", "Chat: choose model", "Pick a provider and model for this chat"),
    ("chat_settings", "Chat: system prompt and parameters", "Temperature, max tokens"),
    ("new_chat", "Chat: new chat", "Start an empty chat"),
    ("retry", "Chat: answer the last prompt again", "The old answer stays, a sibling (Ctrl+R)"),
    ("edit_message", "Chat: edit a sent prompt", "The selected one, else the last (e)"),
    ("regenerate", "Chat: answer again", "The selected answer, else the last (r)"),
    ("regenerate_with", "Chat: answer again with another model", "Pick the model (m)"),
    ("branch(-1)", "Chat: previous branch", "The older answer to that message (←)"),
    ("branch(1)", "Chat: next branch", "The newer answer to that message (→)"),
    ("fork", "Chat: fork into a new chat", "This chat up to the selected message (f)"),
    ("export", "Chat: export", "Save this chat as Markdown and JSON"),
    ("toggle_history", "Chat: history", "Reopen, rename or delete saved chats"),
    ("copy_last", "Chat: copy last answer", "Copy the last answer to the clipboard"),
    ("copy_last_plain", "Chat: copy the last answer as plain text", "No Markdown marks (t)"),
    ("copy_last_code", "Chat: copy code from the last answer", "Every code block, no fences"),
    ("copy_code_block", "Chat: copy code block N", "By the number on its label (1-9 on a message)"),
    ("save_code_block", "Chat: save a code block to a file", "Named from its language (s)"),
    ("find_in_chat", "Chat: find in this chat", "Words in this chat's messages (Ctrl+G)"),
    ("find_next(-1)", "Chat: previous match", "An older message with the words (F7)"),
    ("find_next(1)", "Chat: next match", "A newer message with the words (F8)"),
    ("attach_file", "Chat: attach a file or image", "Fuzzy-find it in this directory (@)"),
    ("remove_attachment", "Chat: remove the last attachment", "Backspace on an empty prompt"),
    ("clear_attachments", "Chat: remove every attachment", "Send the next prompt alone"),
    ("toggle_tools", "Chat: MCP tools on or off", "For this chat; a new chat has them again"),
)

COMPARE_COMMANDS = (
    ("stop_all", "Compare: stop every pane", "Keep what each pane has so far"),
    ("select_pane(1)", "Compare: select the next pane", "What the pane keys act on (F8)"),
    ("select_pane(-1)", "Compare: select the previous pane", "F7"),
    ("stop_selected", "Compare: stop the selected pane", "The others go on (F9)"),
    ("pick_model", "Compare: choose the selected pane's model", "Any provider's model"),
    ("params", "Compare: system prompt and parameters", "The same for every pane"),
    ("add_pane", "Compare: add a pane", "Up to four"),
    ("toggle_sync", "Compare: sync scrolling", "Scroll every pane together"),
    ("export", "Compare: export", "Save the comparison as Markdown"),
    ("new_comparison", "Compare: new comparison", "Empty panes on the configured models"),
    ("toggle_blind", "Compare: blind arena on or off", "Random order, names after the vote"),
)

OLLAMA_COMMANDS = (
    ("next_host", "Ollama: next host", "h: act on the next Ollama server (Enter on a host too)"),
    ("pull", "Ollama: pull a model", "Download a model by name to this host, with progress"),
    ("copy_to_host", "Ollama: copy to another host", "t: pull the same model on another host"),
    ("delete", "Ollama: delete model", "Remove the selected model from disk"),
    ("copy", "Ollama: copy model", "Copy or rename the selected model"),
    ("unload", "Ollama: unload model", "Free the memory the selected model holds"),
    ("unload_all", "Ollama: unload all", "U: free every model this host holds in memory"),
    ("pin", "Ollama: pin or unpin model", "P: keep it loaded (keep_alive -1), for every chat"),
    ("keep_alive", "Ollama: keep alive for this model", "k: how long chats keep it loaded"),
    ("modelfile", "Ollama: new model from a Modelfile", "e: edit the base's Modelfile, create"),
    ("duplicate", "Ollama: duplicate with a new system prompt", "s, then Enter"),
    ("details", "Ollama: model details", "Modelfile, parameters, template, license"),
    ("sort", "Ollama: sort models", "o: name, size, context or modified; again reverses"),
    ("refresh", "Ollama: refresh", "Ask the servers again"),
    ("resume_pulls", "Ollama: resume failed pulls", "R: Ollama goes on from what it has"),
    ("cancel_last_pull", "Ollama: stop the last pull", "Esc; each pull's ✕ stops that one"),
)

MODELS_COMMANDS = (
    ("chat_with", "Models: chat with this model", "Open the chat on the highlighted model"),
    ("add_to_compare", "Models: add to compare", "A new compare pane on this model"),
    ("sort", "Models: sort", "Choose a column; the current one again reverses it"),
    ("refresh", "Models: refresh", "Ask every provider again"),
)

SETTINGS_COMMANDS = (
    ("edit", "Settings: edit the selected key", "Write it to the user or project file"),
    (
        "revert",
        "Settings: revert the user file",
        "Put back the file as it was before the last save",
    ),
)

PROVIDERS_COMMANDS = (
    ("edit", "Providers: set up the selected provider", "Settings, key variable, save"),
    ("test", "Providers: test the connection", "List the models and ask for one token"),
)


class CodaCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = cast("CodaApp", self.app)
        commands: list[tuple[str, str, object]] = [
            (f"Mode: {title}", help_text, partial(app.switch_mode, mode))
            for mode, title, help_text in MODE_COMMANDS
        ]
        commands += [
            (title, help_text, partial(app.run_action, action))
            for action, title, help_text in APP_COMMANDS
        ]
        screen = self.screen  # the screen the palette was opened on
        commands += [
            (title, help_text, partial(screen.run_action, action))
            for action, title, help_text in getattr(screen, "PALETTE", ())
        ]
        return commands

    async def discover(self) -> Hits:
        for title, help_text, callback in self._commands():
            yield DiscoveryHit(title, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)  # type: ignore[arg-type]
