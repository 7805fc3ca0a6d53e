"""Setting up a provider from the providers screen: which kinds there are, the form's values,
the section it saves, and what is already on this machine.

Every kind comes from a provider's spec (``ProviderRegistry.specs()``, plugins included): a
provider set up here needs no table anywhere else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from ..config import ProviderSettings
from ..config.refs import is_reference
from ..providers.registry import ProviderRegistry
from ..providers.spec import KEY_FIELD, SESSION_KEY_FIELD, Detected, ProviderKind

__all__ = [
    "KEY_FIELD",
    "SESSION_KEY_FIELD",
    "FormError",
    "all_kinds",
    "detect",
    "form_values",
    "kind_of",
    "section_from_form",
]


def all_kinds() -> list[ProviderKind]:
    """Every kind of every registered provider, in registration order (built-ins first)."""
    return [kind for spec in ProviderRegistry.specs() for kind in spec.kinds]


def kind_of(name: str, section: ProviderSettings | None) -> ProviderKind:
    """The kind a configured section is (by name, else type and model prefix)."""
    kinds = all_kinds()
    by_key = {kind.key: kind for kind in kinds}
    if name in by_key and (section is None or section.type == by_key[name].type):
        return by_key[name]
    if section is None:
        return by_key["mock"]
    of_type = [kind for kind in kinds if kind.type == section.type]
    if len(of_type) > 1:  # several presets over one type (litellm): by address, then prefix
        local = next((kind for kind in of_type if kind.api_base), of_type[-1])
        if getattr(section, "api_base", None):
            return local
        prefix = (section.model or "").split("/", 1)[0]
        return next((kind for kind in of_type if kind.key == prefix), local)
    if of_type:
        return of_type[0]
    return ProviderKind(section.type, section.type, section.type)  # registered with no kinds


def form_values(kind: ProviderKind, section: ProviderSettings | None) -> dict[str, str]:
    """The form's starting text: the section's values, else the kind's suggestions."""
    values = {"model": kind.model, KEY_FIELD: kind.key_variable, "api_base": kind.api_base}
    if section is not None:
        for form_field in kind.fields:
            value = getattr(section, form_field.name, None)
            if value is not None and form_field.name in section.model_fields_set:
                values[form_field.name] = str(value)
        api_key = getattr(section, "api_key", None)
        if api_key is not None and is_reference(api_key.get_secret_value()):
            reference = api_key.get_secret_value().removeprefix("${").removesuffix("}")
            values[KEY_FIELD] = reference.split(":-")[0]
    values[SESSION_KEY_FIELD] = ""
    return values


class FormError(ValueError):
    """A form value that cannot be saved; the message says which and why."""


VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
"""Capitals, digits and _: a lower-case or dashed word here is far more likely a pasted key."""


def section_from_form(kind: ProviderKind, values: dict[str, str]) -> dict[str, Any]:
    """What the form saves: a ``[providers.NAME]`` table with no secret in it."""
    section: dict[str, Any] = {"type": kind.type}
    for form_field in kind.fields:
        text = values.get(form_field.name, "").strip()
        if not text or form_field.name == SESSION_KEY_FIELD:
            continue
        if form_field.name == KEY_FIELD:
            name = text.removeprefix("${").removesuffix("}")
            if not VARIABLE.match(name):
                raise FormError(
                    "the key variable must be a name such as OPENAI_API_KEY (capitals, digits, _); "
                    "paste a key itself in the session-only field"
                )
            section["api_key"] = "${" + name + "}"
        elif form_field.name == "timeout":
            try:
                section["timeout"] = float(text)
            except ValueError:
                raise FormError(f"timeout must be a number of seconds, not {text!r}") from None
        else:
            section[form_field.name] = text
    return section


def detect(kind: ProviderKind, environ: Mapping[str, str] | None = None) -> Detected | None:
    """Cheap local checks, each provider's own (an Ollama probe is async: the screen's)."""
    return kind.detected(os.environ if environ is None else environ)
