"""Model output is untrusted: every control character is made visible instead of letting it act
on the terminal. Shared by the TUI and ``coda-tui ask``, which prints to a terminal too."""

from __future__ import annotations

_KEEP = {"\n", "\t"}
_VISIBLE = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in _KEEP}
_VISIBLE[0x7F] = "\u2421"
# C1 controls (0x80-0x9f) include CSI (0x9b), which some terminals honour like ESC [.
_VISIBLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})


def visible_text(text: str) -> str:
    """``text`` with control characters shown as symbols (ESC -> ␛), so none reach the terminal."""
    return text.translate(_VISIBLE)
