"""The layered TOML config: schema, loading with provenance, ``${VAR}`` references, safe writing.

Imports neither Textual nor any provider SDK, so the CLI and the providers can use it cheaply.
"""

from .loader import DEFAULT_LAYER, ConfigProblem, Layer, LoadedConfig, load_config
from .refs import UnsetVariableError, is_reference, resolve, resolve_tree
from .schema import (
    PROVIDER_TYPES,
    CodaConfig,
    DefaultsSection,
    LiteLLMSettings,
    MockSettings,
    OCIGenAISettings,
    OllamaSettings,
    ProviderSettings,
)
from .writer import (
    ConfigWriteError,
    RawSecretError,
    read_layer,
    restore_backup,
    set_value,
    write_layer,
)

__all__ = [
    "DEFAULT_LAYER",
    "PROVIDER_TYPES",
    "CodaConfig",
    "ConfigProblem",
    "ConfigWriteError",
    "DefaultsSection",
    "Layer",
    "LiteLLMSettings",
    "LoadedConfig",
    "MockSettings",
    "OCIGenAISettings",
    "OllamaSettings",
    "ProviderSettings",
    "RawSecretError",
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
