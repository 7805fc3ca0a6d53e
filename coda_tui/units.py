"""Sizes as people read them; shared by every layer (the store's export, the screens)."""

from __future__ import annotations


def human_bytes(count: float) -> str:
    """``1.2 KB``, ``340 B``: decimal units, as disks and Ollama count them."""
    for unit in ("B", "KB", "MB"):
        if abs(count) < 1000:
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    return f"{count:.1f} GB"
