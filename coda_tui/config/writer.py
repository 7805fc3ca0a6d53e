"""Write one config layer safely.

The file is replaced atomically (temp file, fsync, rename) with mode 0600, the previous version is
kept as ``config.toml.bak``, and a raw secret is refused: a key/token/secret/password field may only
hold a ``${VAR}`` reference, and a credential-bearing header (Authorization, *-Key, *Token*,
Cookie) only references after its scheme word ("Bearer ${TOKEN}"), so an API key typed into the
UI can never reach the disk.
Comments in the file are not preserved (tomli-w writes plain TOML).
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from .refs import REFERENCE, is_reference
from .schema import SectionTypes
from .validate import config_errors

SECRET_FIELD = re.compile(
    r"(?:^|_)(?:key|apikey|token|secret|password|passwd|passphrase|pass_phrase)$",
    re.IGNORECASE,
)


CREDENTIAL_HEADER = re.compile(
    r"authorization|cookie|token|secret|password|(?:^|[-_])(?:api[-_]?)?key$", re.IGNORECASE
)
"""Header names whose value is a credential: Authorization, Proxy-Authorization, X-API-Key,
api-key, X-Auth-Token, Cookie..."""
_SCHEME_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")


class ConfigWriteError(ValueError):
    """The layer was not written; the file on disk is unchanged."""


class RawSecretError(ConfigWriteError):
    """A secret field holds a literal value. The message names the field, never the value."""


def literal_header_secret(value: object) -> bool:
    """A header value that holds a credential itself rather than ``${VAR}`` references: what is
    left once references are taken out may be a scheme word ("Bearer") and nothing else."""
    if not isinstance(value, str):
        return value is not None
    if not REFERENCE.search(value):
        return value.strip() != ""
    rest = REFERENCE.sub("", value).strip()
    return rest != "" and _SCHEME_WORD.fullmatch(rest) is None


def header_holds_secret(name: object, value: object) -> bool:
    """A header that carries a credential (by its name) written out literally."""
    return CREDENTIAL_HEADER.search(str(name)) is not None and literal_header_secret(value)


def raw_secret_fields(data: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    """Dotted names of secret fields whose value is not a ``${VAR}`` reference, and of
    credential headers whose value holds a literal secret."""
    for name, value in data.items():
        dotted = f"{prefix}{name}"
        if isinstance(value, Mapping):
            if name == "headers":
                yield from (
                    f"{dotted}.{header}"
                    for header, text in value.items()
                    if header_holds_secret(header, text)
                )
            else:
                yield from raw_secret_fields(value, dotted + ".")
        elif SECRET_FIELD.search(str(name)) and value not in (None, ""):
            is_ref = isinstance(value, str) and is_reference(value)
            if not is_ref:
                yield dotted


def reference_raw_secrets(
    data: dict[str, Any], variable_for: Callable[[str], str]
) -> dict[str, tuple[str, str]]:
    """Replace every literal secret in ``data`` with a ``${VAR}`` reference, in place.

    Returns each dotted field with its variable and the literal it held, so the caller can
    keep using the key for the session and tell the user which variable to export. A
    header keeps its scheme word: "Bearer sk-..." becomes "Bearer ${VAR}".
    """
    moved: dict[str, tuple[str, str]] = {}
    for dotted in sorted(raw_secret_fields(data)):
        *parents, leaf = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        literal = str(node[leaf])
        variable = variable_for(dotted)
        scheme, _, rest = literal.partition(" ")
        in_header = len(parents) > 1 and parents[-1] == "headers"
        if in_header and rest and _SCHEME_WORD.fullmatch(scheme):
            node[leaf] = f"{scheme} ${{{variable}}}"
            literal = rest
        else:
            node[leaf] = f"${{{variable}}}"
        moved[dotted] = (variable, literal)
    return moved


def backup_path(path: Path) -> Path:
    return path.with_name(path.name + ".bak")


def read_layer(path: Path) -> dict[str, Any]:
    """The raw TOML of one layer (``{}`` when the file does not exist)."""
    if not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def write_layer(path: Path, data: Mapping[str, Any], sections: SectionTypes | None = None) -> None:
    """Replace the layer at ``path`` with ``data``, after checking it is valid and secret-free.
    ``sections`` checks provider sections by their own settings (the registry, from above)."""
    secrets = sorted(raw_secret_fields(data))
    if secrets:
        names = ", ".join(secrets)
        raise RawSecretError(
            f"refusing to write a literal secret in {names}; "
            'save an environment variable reference such as "${OPENAI_API_KEY}" instead'
        )
    errors = config_errors(copy.deepcopy(dict(data)), sections)
    if errors:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'])}: {error['msg']}" for error in errors
        )
        raise ConfigWriteError(f"not written, invalid settings: {problems}")
    text = tomli_w.dumps(dict(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        _atomic_write(backup_path(path), path.read_bytes())
    _atomic_write(path, text.encode("utf-8"))


def assign(data: dict[str, Any], dotted: str, value: Any) -> None:
    """Set (or with ``None`` remove) one dotted key in a layer's data."""
    *parents, leaf = dotted.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigWriteError(f"{dotted}: {part} is not a table")
    if value is None:
        node.pop(leaf, None)
    else:
        node[leaf] = value


def set_value(
    path: Path, dotted: str, value: Any, sections: SectionTypes | None = None
) -> dict[str, Any]:
    """Set (or with ``None`` remove) one key in the layer at ``path``; returns the new layer."""
    data = read_layer(path)
    assign(data, dotted, value)
    write_layer(path, data, sections)
    return data


def restore_backup(path: Path) -> None:
    """Put ``config.toml.bak`` back in place (the current file becomes the new backup)."""
    backup = backup_path(path)
    if not backup.exists():
        raise ConfigWriteError(f"no backup to restore at {backup}")
    previous = backup.read_bytes()
    current = path.read_bytes() if path.exists() else None
    _atomic_write(path, previous)
    if current is not None:
        _atomic_write(backup, current)


def _atomic_write(path: Path, payload: bytes) -> None:
    # mkstemp creates the file with mode 0600, so the secret-free file is still private.
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
