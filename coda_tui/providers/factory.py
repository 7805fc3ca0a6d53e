"""Build providers from the layered config.

Settings are merged in this order, highest first: call arguments > the ``[providers.NAME]``
section > factory overrides > the global ``[defaults]`` keys > the provider's environment
variables (OLLAMA_HOST, OCI_COMPARTMENT_ID, ...). ``${VAR}`` references are resolved here, at use.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import SecretStr, ValidationError

from ..config.loader import LoadedConfig
from ..config.refs import WHOLE_REFERENCE, UnsetVariableError, resolve_tree
from ..config.schema import CodaConfig
from ..config.validate import build_config
from .base import BaseProvider
from .errors import ConfigurationError, ProviderError
from .registry import ProviderRegistry

GLOBAL_KEYS = ("temperature", "max_tokens", "top_p", "timeout")


def _as_config(config: CodaConfig | LoadedConfig | Mapping[str, Any] | None) -> CodaConfig:
    if config is None:
        return CodaConfig()
    if isinstance(config, CodaConfig):
        return config
    if isinstance(config, LoadedConfig):
        return config.config
    try:
        return build_config(dict(config), ProviderRegistry)
    except ValidationError as exc:
        raise ConfigurationError(
            f"invalid config: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}",
            hint="see config.example.toml for every key",
        ) from None
    except ValueError as exc:  # an unknown provider type
        raise ConfigurationError(str(exc), hint="see config.example.toml") from None


def _reveal(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value.get_secret_value() if isinstance(value, SecretStr) else value
        for key, value in values.items()
    }


class ProviderFactory:
    """Creates (cached) provider instances for the names in a config."""

    def __init__(
        self,
        config: CodaConfig | LoadedConfig | Mapping[str, Any] | None = None,
        *,
        environ: Mapping[str, str] | None = None,
        session: Mapping[str, Mapping[str, Any]] | None = None,
        **overrides: Any,
    ) -> None:
        self.config = _as_config(config)
        from_flag = isinstance(config, LoadedConfig) and (
            config.source_of("defaults.model").name == "flag"
        )
        self.model_flag = self.config.defaults.model if from_flag else None
        """``--model``: above every file, the default provider's section included."""
        self.environ = os.environ if environ is None else environ
        self.overrides = overrides
        self.session: dict[str, dict[str, Any]] = {k: dict(v) for k, v in (session or {}).items()}
        """Per-provider settings for this process only (a key typed in the app), never saved."""

    def provider_type(self, name: str) -> str:
        section = self.config.providers.get(name)
        return section.type if section is not None else name

    def available(self) -> list[str]:
        """Names a user can create: configured sections plus every registered type."""
        return sorted(set(self.config.providers) | set(ProviderRegistry.list_providers()))

    def not_set_up(self, name: str, error: ProviderError) -> bool:
        """True when ``error`` only says that a built-in provider nobody configured needs
        setting up: in a list of every provider's models that is noise, not a failure."""
        return isinstance(error, ConfigurationError) and name not in self.config.providers

    def settings_for(self, name: str, **params: Any) -> dict[str, Any]:
        """The merged, resolved settings ``create`` would use."""
        provider_class = self._provider_class(name)
        merged: dict[str, Any] = {}
        for setting, variable in provider_class.env_vars.items():
            if self.environ.get(variable):
                merged[setting] = self.environ[variable]
        defaults = self.config.defaults
        for key in GLOBAL_KEYS:
            if getattr(defaults, key) is not None:
                merged[key] = getattr(defaults, key)
        if defaults.model and name == defaults.provider:
            merged["model"] = defaults.model
        merged.update(self.overrides)
        section = self.config.providers.get(name)
        if section is not None:
            merged.update(_reveal(section.model_dump(exclude_unset=True, exclude={"type"})))
        if self.model_flag and name == defaults.provider:
            merged["model"] = self.model_flag
        merged.update(self.session.get(name, {}))
        merged.update(params)
        return self._resolve(name, merged)

    def default_model(self, name: str) -> str | None:
        """The model ``create(name)`` would use, without importing the provider's module
        (Ollama's pulls in httpx): what the UI shows before the first request."""
        section = self.config.providers.get(name)
        if self.model_flag and name == self.config.defaults.provider:
            return self.model_flag
        if section is not None and section.model:
            return section.model
        defaults = self.config.defaults
        if defaults.model and name == defaults.provider:
            return defaults.model
        spec = ProviderRegistry.spec(section.type if section is not None else name)
        return spec.default_model if spec is not None else None

    def create(self, name: str | None = None, **params: Any) -> BaseProvider:
        """The provider called ``name`` (default: ``[defaults] provider``), from the cache if
        these settings were seen before."""
        name = name or self.config.defaults.provider
        settings = self.settings_for(name, **params)
        provider = ProviderRegistry.create(name, provider_type=self.provider_type(name), **settings)
        provider.key_reference = self._key_reference(name, params)
        return provider

    def _key_reference(self, name: str, params: Mapping[str, Any]) -> str | None:
        """``WALK_KEY`` when the key in use is the section's ``api_key = "${WALK_KEY}"``."""
        if "api_key" in params or "api_key" in self.session.get(name, {}):
            return None
        key = getattr(self.config.providers.get(name), "api_key", None)
        text = key.get_secret_value() if isinstance(key, SecretStr) else None
        match = WHOLE_REFERENCE.match(text.strip()) if text else None
        return match.group(1) if match else None

    def _provider_class(self, name: str) -> type[BaseProvider]:
        provider_type = self.provider_type(name)
        try:
            return ProviderRegistry.get_provider_class(provider_type)
        except ConfigurationError:
            if provider_type != name:
                raise ConfigurationError(
                    f"provider type {provider_type!r} of [providers.{name}] is not available",
                    hint="known types: " + ", ".join(ProviderRegistry.list_providers()),
                ) from None
            known = ", ".join(self.available())
            raise ConfigurationError(
                f"unknown provider {name!r}",
                hint=f"known providers: {known}; or add a [providers.{name}] section with a type",
            ) from None

    def _resolve(self, name: str, settings: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, Any] = {}
        for key, value in settings.items():
            try:
                resolved[key] = resolve_tree(value, self.environ)
            except UnsetVariableError as exc:
                raise ConfigurationError(
                    f"{key} refers to ${{{exc.name}}}, which is not set",
                    provider=name,
                    hint=f"export {exc.name}=... before starting coda-tui",
                ) from None
        return resolved
