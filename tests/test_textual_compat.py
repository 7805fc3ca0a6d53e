"""The private Textual and Rich internals coda-tui leans on (all in ui/textual_compat.py) are
still there: an upgrade that removes one fails here, by name, not as a slow or broken screen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from coda_tui.ui import textual_compat

UI = Path(textual_compat.__file__).parent
PRIVATE = ("_size_updated", "_layout_updates", "_layout_required", "parsed")


def test_every_private_name_relied_on_is_still_there() -> None:
    assert textual_compat.missing() == []


def test_no_other_module_reaches_into_them() -> None:
    """Overriding a private hook (``_size_updated``, ``_on_key``) needs its name in the class;
    reading or writing private state happens in textual_compat only."""
    offenders = []
    for path in UI.rglob("*.py"):
        if path.name == "textual_compat.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE:
                offenders.append(f"{path.relative_to(UI)}:{node.lineno} .{node.attr}")
    assert offenders == []


def test_a_change_underneath_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.widget import Widget

    def resized(self: Widget, size: object, virtual_size: object) -> bool:  # a new signature
        return False

    monkeypatch.setattr(Widget, "_size_updated", resized)
    assert textual_compat.missing() == [
        "Widget._size_updated(size, virtual_size, container_size, layout)"
    ]
