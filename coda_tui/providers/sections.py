"""The config as the app and scripts load it: each provider section checked by its provider.

``config.load_config`` reads and merges the layers but knows no provider (config sits below
them); this passes the registry in, so a section's type must name a known provider and its keys
must be that provider's ``Settings``, each problem reported with its file and line.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import loader
from ..config.loader import ConfigProblem, LoadedConfig
from .registry import ProviderRegistry


def load_config(
    *,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
) -> LoadedConfig:
    loaded = loader.load_config(
        config_file=config_file, flags=flags, cwd=cwd, sections=ProviderRegistry
    )
    loaded.problems += [ConfigProblem(None, None, text) for text in ProviderRegistry.problems]
    return loaded
