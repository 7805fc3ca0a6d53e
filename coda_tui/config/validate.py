"""Check merged settings against the schema and each provider section against its own model.

Errors come back as pydantic's error dicts with a location from the root of the config, so the
loader can drop exactly the key at fault (and name its file and line) and keep the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from .schema import CodaConfig, OpenSection, ProviderSettings, SectionTypes

UNKNOWN_TYPE = "unknown_provider_type"


def _section_class(
    name: str, section: Mapping[str, Any], sections: SectionTypes | None
) -> tuple[str, type[ProviderSettings] | None]:
    type_name = section.get("type", name)
    if sections is None:
        return str(type_name), OpenSection
    if not isinstance(type_name, str):
        return str(type_name), None
    return type_name, sections.settings_class(type_name)


def config_errors(data: Mapping[str, Any], sections: SectionTypes | None) -> list[dict[str, Any]]:
    """Every problem in ``data``; empty when ``build_config`` will succeed."""
    errors: list[dict[str, Any]] = []
    try:
        CodaConfig.model_validate({k: v for k, v in data.items() if k != "providers"})
    except ValidationError as exc:
        errors += [dict(error) for error in exc.errors()]
    providers = data.get("providers", {})
    if not isinstance(providers, Mapping):
        return [*errors, {"loc": ("providers",), "type": "dict_type", "msg": "must be a table"}]
    for name, section in providers.items():
        if not isinstance(section, Mapping):
            errors.append(
                {"loc": ("providers", name), "type": "dict_type", "msg": "must be a table"}
            )
            continue
        type_name, model = _section_class(name, section, sections)
        if model is None:
            known = ", ".join(sections.known_types()) if sections else ""
            message = f"unknown provider type {type_name!r}; set type to one of {known}"
            errors.append({"loc": ("providers", name), "type": UNKNOWN_TYPE, "msg": message})
            continue
        try:
            _typed(model, section, type_name)
        except ValidationError as exc:
            errors += [{**e, "loc": ("providers", name, *e["loc"])} for e in exc.errors()]
    return errors


def build_config(data: Mapping[str, Any], sections: SectionTypes | None) -> CodaConfig:
    """The validated config, each provider section typed by its own ``Settings`` model.
    Raises ``ValidationError`` (or ``ValueError`` for an unknown type) on bad input."""
    config = CodaConfig.model_validate({k: v for k, v in data.items() if k != "providers"})
    typed: dict[str, ProviderSettings] = {}
    for name, section in dict(data.get("providers", {})).items():
        type_name, model = _section_class(name, section, sections)
        if model is None:
            raise ValueError(f"[providers.{name}]: unknown provider type {type_name!r}")
        typed[name] = _typed(model, section, type_name)
    config.providers = typed
    return config


def _typed(
    model: type[ProviderSettings], section: Mapping[str, Any], type_name: str
) -> ProviderSettings:
    """The section as ``model``, its ``type`` the one the registry matched: a Settings model
    may serve several types (a class registered with another provider's Settings)."""
    keys = {key: value for key, value in section.items() if key != "type"}
    return model.model_validate(keys).model_copy(update={"type": type_name})
