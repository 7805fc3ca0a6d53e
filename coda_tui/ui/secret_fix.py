"""A literal key in a config file: the app works with it, but no settings change can be saved
to that file while it is there. At start the user is offered to swap it for a ``${VAR}``
reference; the key stays in use for this session and is never written or shown."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import ConfigWriteError, read_layer, write_layer
from ..config.keys import layer_file
from ..config.writer import raw_secret_fields, reference_raw_secrets
from .text import short_path

if TYPE_CHECKING:
    from .app import CodaApp


def variable_for(dotted: str, data: dict[str, object]) -> str:
    """The variable a key moves to: the vendor's own where there is one (OPENAI_API_KEY for
    an OpenAI section), else one named after the section and field."""
    parts = dotted.split(".")
    if len(parts) == 3 and parts[0] == "providers" and parts[2] == "api_key":
        section = (data.get("providers") or {}).get(parts[1]) or {}  # type: ignore[attr-defined]
        if not section.get("api_base"):
            from ..providers.litellm.shapes import provider_of
            from ..providers.litellm.vendors import KEY_VARIABLES

            vendor = provider_of(str(section.get("model") or ""))
            if vendor in KEY_VARIABLES:
                return KEY_VARIABLES[vendor]
    words = [part for part in parts if part not in ("providers", "headers")]
    return re.sub(r"[^A-Z0-9]+", "_", "_".join(words).upper()).strip("_")


def literal_secrets(layer: str) -> tuple[Path, list[str]]:
    path = layer_file(layer)
    try:
        return path, sorted(raw_secret_fields(read_layer(path)))
    except (OSError, ValueError):
        return path, []  # a broken file is reported by the loader


def offer_references(app: CodaApp) -> None:
    """For each editable layer holding a literal key, ask to replace it with a reference."""
    from .dialogs import ConfirmScreen

    for layer in ("user", "project"):
        path, fields = literal_secrets(layer)
        if not fields:
            continue
        question = (
            f"{short_path(path)} holds a literal key in {', '.join(fields)}. It works, but "
            "no setting can be saved to that file while it is there. Replace it with an "
            "environment variable reference? The key stays in use for this session."
        )

        def answered(yes: bool | None, path: Path = path) -> None:
            if yes:
                replace_in(app, path)
            else:
                app.notify(
                    "Settings cannot be saved to that file until its key is a ${VAR} reference",
                    severity="warning",
                    timeout=10,
                )

        app.push_screen(ConfirmScreen(question, confirm="Replace"), answered)


def replace_in(app: CodaApp, path: Path) -> None:
    data = read_layer(path)
    moved = reference_raw_secrets(data, lambda dotted: variable_for(dotted, data))
    try:
        write_layer(path, data, app.loaded.sections)
    except (ConfigWriteError, OSError) as exc:
        app.notify(f"Not replaced: {exc}", severity="error", timeout=15)
        return
    for dotted, (_, literal) in moved.items():
        parts = dotted.split(".")
        if parts[0] != "providers":
            continue
        if parts[2] == "api_key":
            app.use_for_session(parts[1], api_key=literal)
        elif parts[2] == "headers":  # the headers as loaded still hold the literal
            section = app.loaded.config.providers.get(parts[1])
            app.use_for_session(parts[1], headers=dict(getattr(section, "headers", {})))
    app.reload_config()
    names = sorted({variable for variable, _ in moved.values()})
    app.notify(
        f"Replaced in {short_path(path)}. Export {', '.join(names)} in your shell profile "
        "for the next session.",
        timeout=20,
    )
