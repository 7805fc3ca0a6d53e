"""Copying that works everywhere: the system clipboard where there is one (pyperclip: pbcopy,
wl-copy, xclip, xsel, Windows), else the terminal's, through OSC 52 (over SSH, in tmux with
set-clipboard on). Which one took the text is said to the user, with its size.
"""

from __future__ import annotations

from textual.app import App

from .textual_compat import remember_copied

SYSTEM = "system"
TERMINAL = "terminal"


def copy_text(app: App[object], text: str) -> str:
    """Copy ``text``; returns SYSTEM or TERMINAL, whichever took it. The system clipboard is
    looked for each time (a DISPLAY or an SSH session can come and go between two copies)."""
    import pyperclip  # on the first copy, not at start-up

    try:
        copy, _paste = pyperclip.determine_clipboard()
        copy(text)
    except (pyperclip.PyperclipException, OSError):
        app.copy_to_clipboard(text)  # OSC 52 (and Textual's own paste)
        return TERMINAL
    remember_copied(app, text)  # Textual's paste has it too; no OSC 52 on top
    return SYSTEM


def copied_note(where: str, what: str, text: str) -> str:
    """What to tell the user: where ``what`` went, how many characters; for OSC 52, what to do
    when nothing pastes (whether the terminal took it cannot be known from here)."""
    size = f"{what} ({len(text):,} characters)"
    if where == SYSTEM:
        return f"Copied {size} to the system clipboard"
    return (
        f"Sent {size} to the terminal's clipboard (OSC 52: no system clipboard here). Nothing "
        "to paste? Allow clipboard access (OSC 52) in your terminal; in tmux, "
        "set -g set-clipboard on"
    )
