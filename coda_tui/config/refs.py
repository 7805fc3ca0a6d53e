"""``${VAR}`` and ``${VAR:-default}`` references to environment variables.

Config files keep the reference text; it is resolved only when a value is used, so a key lives in
the environment and never in a file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

REFERENCE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
WHOLE_REFERENCE = re.compile(rf"^{REFERENCE.pattern}$")


class UnsetVariableError(LookupError):
    """A ``${VAR}`` reference names a variable that is not set and has no default."""

    def __init__(self, name: str) -> None:
        super().__init__(f"environment variable {name} is not set")
        self.name = name


def is_reference(value: str) -> bool:
    """True when the whole value is one ``${VAR}`` reference (what may stand in a secret field)."""
    return WHOLE_REFERENCE.match(value.strip()) is not None


def resolve(value: str, environ: Mapping[str, str] | None = None) -> str:
    """Replace every reference in ``value``; an unset variable without default raises."""
    env = os.environ if environ is None else environ

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env and env[name] != "":
            return env[name]
        if default is not None:
            return default
        raise UnsetVariableError(name)

    return REFERENCE.sub(replace, value)


def resolve_tree(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """``resolve`` applied to every string inside nested dicts and lists."""
    if isinstance(value, str):
        return resolve(value, environ)
    if isinstance(value, dict):
        return {key: resolve_tree(item, environ) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_tree(item, environ) for item in value]
    return value
