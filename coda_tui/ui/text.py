"""Model output is untrusted: make every control character visible instead of letting it act."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

_KEEP = {"\n", "\t"}
_VISIBLE = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in _KEEP}
_VISIBLE[0x7F] = "\u2421"
# C1 controls (0x80-0x9f) include CSI (0x9b), which some terminals honour like ESC [.
_VISIBLE.update({code: "\ufffd" for code in range(0x80, 0xA0)})


def visible_text(text: str) -> str:
    """``text`` with control characters shown as symbols (ESC -> ␛), so none reach the terminal."""
    return text.translate(_VISIBLE)


def plain(text: str) -> Text:
    """A table cell that shows ``text`` as it is: DataTable reads a bare ``str`` as Rich markup."""
    return Text(visible_text(text), end="")


def short_path(path: Path) -> str:
    """A path as a user reads it: ``./…`` inside the working directory, ``~/…`` inside home."""
    for base, prefix in ((Path.cwd(), "."), (Path.home(), "~")):
        try:
            return f"{prefix}/{path.relative_to(base)}"
        except ValueError:
            continue
    return str(path)
