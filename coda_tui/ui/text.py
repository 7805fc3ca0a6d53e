"""Text as the screens show it: untrusted text made visible, table cells, short paths."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text

from ..services.untrusted import visible_text

__all__ = ["fence_language", "plain", "short_path", "visible_text"]


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


def fence_language(fence: str) -> str:
    """The language a code fence names (```python -> python); "" when it names none."""
    return fence.strip().lstrip("`~").strip().split(" ")[0]
