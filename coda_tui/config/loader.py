"""Load the layered config and remember which layer set each value.

Layers, lowest to highest: built-in defaults < system (/etc/coda/config.toml) < user
(platformdirs user config dir) < project (./.coda/config.toml) < ``--config FILE`` < flags.

A broken layer never stops the app: a TOML syntax error drops that file, an invalid value drops
that one key, and each problem is reported with the file's path and line.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import paths
from .schema import CodaConfig, SectionTypes
from .validate import UNKNOWN_TYPE, build_config, config_errors

KeyPath = tuple[str, ...]


@dataclass(frozen=True)
class Layer:
    """One source of settings: its name in the order above, and its file if it has one."""

    name: str
    path: Path | None = None

    def __str__(self) -> str:
        return f"{self.name} ({self.path})" if self.path else self.name


DEFAULT_LAYER = Layer("default")


@dataclass(frozen=True)
class ConfigProblem:
    path: Path | None
    line: int | None
    message: str

    def __str__(self) -> str:
        where = str(self.path) if self.path else "command line"
        if self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


@dataclass
class LoadedConfig:
    config: CodaConfig
    layers: list[Layer] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)
    provenance: dict[KeyPath, Layer] = field(default_factory=dict)
    sections: SectionTypes | None = None
    """What checked the provider sections (and checks them again when a layer is written)."""

    def source_of(self, dotted: str) -> Layer:
        """The layer that set ``dotted`` (e.g. ``"defaults.temperature"``), else the default."""
        key = tuple(dotted.split("."))
        while key:
            if key in self.provenance:
                return self.provenance[key]
            key = key[:-1]
        return DEFAULT_LAYER


def load_config(
    *,
    config_file: Path | None = None,
    flags: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
    sections: SectionTypes | None = None,
) -> LoadedConfig:
    """Read every layer that exists and merge them into one validated ``CodaConfig``.

    ``sections`` checks each provider section against its provider's own settings (the
    registry: ``coda_tui.providers.load_config`` passes it); without it sections are read as
    written (``OpenSection``), for tools that only read the files.
    """
    candidates = [Layer(name, path) for name, path in paths.layer_files(config_file, cwd)]

    result = LoadedConfig(config=CodaConfig(), sections=sections)
    merged: dict[str, Any] = {}
    texts: dict[Layer, str] = {}
    for layer in candidates:
        assert layer.path is not None
        if not layer.path.exists():
            if layer.name == "file":
                result.problems.append(ConfigProblem(layer.path, None, "file not found"))
            continue
        data, text = _read_toml(layer.path, result.problems)
        if data is None:
            continue
        texts[layer] = text
        data = _drop_invalid(data, _locator(layer.path, text), result, sections)
        _merge(merged, data, layer, result.provenance, ())
        result.layers.append(layer)
    if flags:
        flag_layer = Layer("flag")
        data = _drop_invalid(copy.deepcopy(dict(flags)), _locator(None, ""), result, sections)
        _merge(merged, data, flag_layer, result.provenance, ())
        result.layers.append(flag_layer)

    def locate(key: KeyPath) -> tuple[Path | None, int | None]:
        layer = result.source_of(".".join(key))
        return layer.path, _line_of(texts.get(layer, ""), key)

    merged = _drop_invalid(merged, locate, result, sections)
    result.config = build_config(merged, sections)
    return result


def _locator(path: Path | None, text: str) -> Callable[[KeyPath], tuple[Path | None, int | None]]:
    return lambda key: (path, _line_of(text, key))


def _read_toml(path: Path, problems: list[ConfigProblem]) -> tuple[dict[str, Any] | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ConfigProblem(path, None, f"cannot read: {exc}"))
        return None, ""
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        problems.append(ConfigProblem(path, line, f"invalid TOML, file ignored: {exc}"))
        return None, text


def _describe(error: Mapping[str, Any], key: KeyPath) -> str:
    name = ".".join(key)
    if error["type"] == "extra_forbidden":
        return f"unknown key {name!r}, ignored"
    if error["type"] == UNKNOWN_TYPE:
        return f"{name}: {error['msg']}; section ignored"
    return f"{name}: {error['msg']}; ignored"


def _drop_invalid(
    data: dict[str, Any],
    locate: Callable[[KeyPath], tuple[Path | None, int | None]],
    result: LoadedConfig,
    sections: SectionTypes | None,
) -> dict[str, Any]:
    """Remove each invalid key from ``data``, reporting it, until the rest validates."""
    while True:
        errors = config_errors(data, sections)
        if not errors:
            return data
        summary = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
        dropped = False
        for error in errors:
            key = _data_key(data, error["loc"])
            if not key:
                continue
            path, line = locate(key)
            result.problems.append(ConfigProblem(path, line, _describe(error, key)))
            dropped = _delete(data, key) or dropped
        if not dropped:  # an error we cannot pin to a key: give up on this whole source
            path, line = locate(())
            message = f"invalid settings ignored: {summary}"
            result.problems.append(ConfigProblem(path, line, message))
            return {}


def _data_key(data: Any, loc: tuple[int | str, ...]) -> KeyPath:
    """The key path in ``data`` that a pydantic error location points at (skips union tags)."""
    key: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part in node:
            key.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            break
    return tuple(key)


def _delete(data: dict[str, Any], key: KeyPath) -> bool:
    node: Any = data
    for part in key[:-1]:
        node = node.get(part) if isinstance(node, dict) else None
    if isinstance(node, dict) and key[-1] in node:
        del node[key[-1]]
        return True
    return False


def _merge(
    target: dict[str, Any],
    source: Mapping[str, Any],
    layer: Layer,
    provenance: dict[KeyPath, Layer],
    prefix: KeyPath,
) -> None:
    for name, value in source.items():
        key = (*prefix, name)
        if isinstance(value, dict) and isinstance(target.get(name), dict):
            _merge(target[name], value, layer, provenance, key)
        elif isinstance(value, dict):
            target[name] = {}
            _merge(target[name], value, layer, provenance, key)
            provenance[key] = layer
        else:
            target[name] = value
            provenance[key] = layer


_HEADER = re.compile(r"^\[\[?\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY_PART = r"""(?:[A-Za-z0-9_\-]+|"[^"]*"|'[^']*')"""
_ASSIGNMENT = re.compile(rf"^({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")


def _split_key(text: str) -> KeyPath:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_\-]+)", text)
    return tuple(next(p for p in groups if p) if any(groups) else "" for groups in parts)


def _line_of(text: str, key: KeyPath) -> int | None:
    """The line in a TOML text that sets ``key`` (or opens its table)."""
    if not key:
        return None
    table: KeyPath = ()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = _HEADER.match(line)
        if header:
            table = _split_key(header.group(1))
            if table == key:
                return number
            continue
        assignment = _ASSIGNMENT.match(line)
        if assignment:
            full = table + _split_key(assignment.group(1))
            if full == key[: len(full)]:
                return number
    return None
