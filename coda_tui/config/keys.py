"""Every config key as a row: its effective value, the layer it comes from, what it is for.

What the settings screen lists and edits; kept here, free of Textual, so it is tested alone.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr

from . import paths
from .loader import DEFAULT_LAYER, Layer, LoadedConfig
from .refs import is_reference
from .writer import assign, header_holds_secret, read_layer, write_layer

HIDDEN = "•••••• (hidden)"


@dataclass(frozen=True)
class SettingRow:
    key: str
    value: Any
    layer: Layer
    description: str

    @property
    def shown(self) -> str:
        return show_value(self.value)


def setting_rows(loaded: LoadedConfig) -> list[SettingRow]:
    """Every key of the schema, and of each configured provider section, in file order."""
    rows: list[SettingRow] = []

    def walk(model: BaseModel, prefix: str) -> None:
        for name in type(model).model_fields:
            value = getattr(model, name)
            key = f"{prefix}{name}"
            if name == "providers" and not prefix:
                for section_name, section in value.items():
                    walk(section, f"providers.{section_name}.")
            elif isinstance(value, BaseModel):
                walk(value, key + ".")
            else:
                about = field_docs(type(model)).get(name, "")
                rows.append(SettingRow(key, value, set_by(loaded, key), about))

    walk(loaded.config, "")
    return rows


@functools.cache
def field_docs(model: type[BaseModel]) -> dict[str, str]:
    """The docstring under each field of ``model`` and its bases, read from their source."""
    docs: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or cls is BaseModel:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for field_node, doc_node in itertools.pairwise(body):
            if (
                isinstance(field_node, ast.AnnAssign)
                and isinstance(field_node.target, ast.Name)
                and isinstance(doc_node, ast.Expr)
                and isinstance(doc_node.value, ast.Constant)
                and isinstance(doc_node.value.value, str)
            ):
                docs[field_node.target.id] = inspect.cleandoc(doc_node.value.value)
    return docs


def set_by(loaded: LoadedConfig, key: str) -> Layer:
    """The layer that wrote this very key (not merely its table); a table-valued key such as
    ``ui.keymap`` is set by the highest layer that wrote any entry of it."""
    path = tuple(key.split("."))
    found = [
        layer
        for where, layer in loaded.provenance.items()
        if where == path or where[: len(path)] == path
    ]
    if not found:
        return DEFAULT_LAYER
    order = {layer: index for index, layer in enumerate(loaded.layers)}
    return max(found, key=lambda layer: order.get(layer, -1))


def show_value(value: Any) -> str:
    """How a value reads on screen; a secret only ever as its ``${VAR}`` reference."""
    if isinstance(value, SecretStr):
        secret = value.get_secret_value()
        return secret if is_reference(secret) else HIDDEN
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # headers: a credential shows only as its references
        return json.dumps(
            {
                name: HIDDEN if header_holds_secret(name, item) else item
                for name, item in value.items()
            }
        )
    if isinstance(value, list):
        return json.dumps(
            [v.model_dump(exclude_none=True) if isinstance(v, BaseModel) else v for v in value]
        )
    return str(value)


def parse_value(text: str) -> Any:
    """A TOML value (``0.7``, ``true``, ``["a"]``, ``{ provider = "mock" }``), or else the text
    itself, so a model name needs no quotes. Empty means unset."""
    text = text.strip()
    if not text:
        return None
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError:
        return text


def layer_file(layer: str) -> Path:
    """The file an editable layer lives in."""
    if layer == "user":
        return paths.user_config_file()
    if layer == "project":
        return paths.project_config_file()
    raise ValueError(f"the {layer} layer is not edited from here")


def save_setting(loaded: LoadedConfig, layer: str, key: str, value: Any) -> Path:
    """Write one key to a layer (``None`` removes it there, so lower layers show through).

    A provider key written to a layer that lacks the section's ``type`` gets it too: without it
    a section named ``oci`` would be read as type ``oci``. Raises ConfigWriteError (invalid
    value, a literal secret) or ValueError (a layer file that is not valid TOML); on any error the
    file is unchanged.
    """
    path = layer_file(layer)
    data = read_layer(path)
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "providers" and value is not None:
        section = loaded.config.providers.get(parts[1])
        current = data.get("providers", {}).get(parts[1], {})
        if section is not None and section.type != parts[1] and "type" not in current:
            assign(data, f"providers.{parts[1]}.type", section.type)
    assign(data, key, value)
    # One write: the .bak is the file as it was before this edit.
    write_layer(path, data, loaded.sections)
    return path
