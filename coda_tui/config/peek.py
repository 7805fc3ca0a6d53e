"""The ``[ui]`` table read straight from the layers' TOML, for the TUI's first frame.

Validating the config needs pydantic and the schema (about 0.1 s to import); the first frame
needs only the theme and the keymap, so it is drawn with what this finds and the validated
config follows a moment later. Anything odd here is skipped: the loader reports it properly.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .paths import layer_files


def peek_ui(config_file: Path | None = None) -> dict[str, Any]:
    """The merged ``[ui]`` table of every readable layer, unvalidated (higher layers win)."""
    ui: dict[str, Any] = {}
    for _, path in layer_files(config_file):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("ui")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if not isinstance(table, dict):
            continue
        for key, value in table.items():
            if isinstance(value, dict) and isinstance(ui.get(key), dict):
                ui[key] = {**ui[key], **value}
            else:
                ui[key] = value
    return ui
