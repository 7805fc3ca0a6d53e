"""The layered TOML config: schema, loading with provenance, ``${VAR}`` references, safe writing.

Imports neither Textual nor any provider SDK. Names load on first use (PEP 562): the TUI reads
``config.paths`` and ``config.peek`` before its first frame without paying for pydantic and the
schema, which load once the frame is on screen.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .loader import DEFAULT_LAYER, ConfigProblem, Layer, LoadedConfig, load_config
    from .refs import UnsetVariableError, is_reference, resolve, resolve_tree
    from .schema import (
        CodaConfig,
        DefaultsSection,
        McpServer,
        OpenSection,
        ProviderSettings,
        SectionTypes,
    )
    from .writer import (
        ConfigWriteError,
        RawSecretError,
        read_layer,
        restore_backup,
        set_value,
        write_layer,
    )

_HOME = {
    "loader": ("DEFAULT_LAYER", "ConfigProblem", "Layer", "LoadedConfig", "load_config"),
    "refs": ("UnsetVariableError", "is_reference", "resolve", "resolve_tree"),
    "schema": (
        "CodaConfig",
        "DefaultsSection",
        "McpServer",
        "OpenSection",
        "ProviderSettings",
        "SectionTypes",
    ),
    "writer": (
        "ConfigWriteError",
        "RawSecretError",
        "read_layer",
        "restore_backup",
        "set_value",
        "write_layer",
    ),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}

__all__ = [
    "DEFAULT_LAYER",
    "CodaConfig",
    "ConfigProblem",
    "ConfigWriteError",
    "DefaultsSection",
    "Layer",
    "LoadedConfig",
    "McpServer",
    "OpenSection",
    "ProviderSettings",
    "RawSecretError",
    "SectionTypes",
    "UnsetVariableError",
    "is_reference",
    "load_config",
    "read_layer",
    "resolve",
    "resolve_tree",
    "restore_backup",
    "set_value",
    "write_layer",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain global
    return value
