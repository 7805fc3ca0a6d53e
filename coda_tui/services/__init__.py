"""The application layer between screens and providers: no Textual here.

Screens, the CLI and scripts ask these for what every one of them needs the same way; providers,
config and store below never import them. Names load on first use (PEP 562), so a module that
needs only ``untrusted`` does not load the providers.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .catalog import DISCOVERY_TIMEOUT, Listing, ModelCatalog

__all__ = ["DISCOVERY_TIMEOUT", "Listing", "ModelCatalog"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".catalog", __name__), name)
    globals()[name] = value
    return value
