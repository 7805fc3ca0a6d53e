"""Which providers exist (their specs), and the cache of their instances.

Providers are known by their ``ProviderSpec``: the built-in packages, then every installed
package's entry point in the ``coda_tui.providers`` group, read the first time the registry is
asked (not at import). A spec names its class by import path, imported on first use, so the
registry costs nothing even though LiteLLM and the OCI SDK take seconds to import.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import threading
import weakref
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr

from ..config.schema import ProviderSettings
from .base import BaseProvider
from .errors import ConfigurationError
from .spec import ProviderSpec

BUILTIN_SPECS = (
    "coda_tui.providers.mock",
    "coda_tui.providers.ollama",
    "coda_tui.providers.litellm",
    "coda_tui.providers.oci",
)
"""Packages whose ``SPEC`` is a built-in provider."""
ENTRY_POINT_GROUP = "coda_tui.providers"
"""Where an installed package names its ``ProviderSpec`` (see README, "Writing a provider")."""


def _canonical(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot hash a {type(value).__name__} in provider settings")


def config_key(name: str, provider_type: str, settings: dict[str, Any]) -> str:
    """A stable cache key: sha256 of canonical JSON, equal across runs (unlike ``hash()``)."""
    payload = json.dumps(
        {"name": name, "type": provider_type, "settings": settings},
        sort_keys=True,
        separators=(",", ":"),
        default=_canonical,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class ProviderRegistry:
    """Class-level registry: provider type -> spec (and class), resolved config -> instance.

    It is also the config loader's ``SectionTypes``: each section is checked by the ``Settings``
    model of the provider its type names.
    """

    _specs: ClassVar[dict[str, ProviderSpec]] = {}
    _classes: ClassVar[dict[str, type[BaseProvider]]] = {}
    _discovered: ClassVar[bool] = False
    problems: ClassVar[list[str]] = []
    """Installed providers that could not be loaded, each said once in a line."""
    _instances: ClassVar[dict[str, BaseProvider]] = {}
    _every: ClassVar[weakref.WeakSet[BaseProvider]] = weakref.WeakSet()
    """Every instance still alive, cached or retired: what exit closes."""
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def _discover(cls) -> None:
        """The built-in specs, then the installed ones (a plugin never replaces a built-in)."""
        if cls._discovered:
            return
        cls._discovered = True
        for package in BUILTIN_SPECS:
            builtin: ProviderSpec = importlib.import_module(package).SPEC
            cls._specs.setdefault(builtin.type, builtin)
        for point in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = point.load()
                spec = loaded if isinstance(loaded, ProviderSpec) else _spec_of_class(loaded)
            except Exception as exc:  # a broken plugin must not stop the app
                cls.problems.append(f"provider plugin {point.value!r} not loaded: {exc}")
                continue
            if cls._specs.get(spec.type) == spec:  # read before (discover_again)
                continue
            if spec.type in cls._specs:
                cls.problems.append(f"provider plugin {point.value!r}: {spec.type!r} is taken")
                continue
            cls._specs[spec.type] = spec

    @classmethod
    def discover_again(cls) -> None:
        """Read the entry points again: a provider package was installed while running."""
        cls._discovered = False
        cls.problems.clear()
        cls._discover()

    @classmethod
    def register(
        cls, provider_type: str, provider: type[BaseProvider] | str | ProviderSpec
    ) -> None:
        """Add a provider: its spec, its class, or a ``"module:Class"`` path (imported now for
        its ``Settings``; a spec defers the import until first use)."""
        cls._discover()
        if isinstance(provider, ProviderSpec):
            spec = provider
        else:
            provider_class = _imported(provider) if isinstance(provider, str) else provider
            spec = _spec_of_class(provider_class, provider_type)
            cls._classes[provider_type] = provider_class
        cls._specs[provider_type] = spec

    @classmethod
    def spec(cls, provider_type: str) -> ProviderSpec | None:
        cls._discover()
        return cls._specs.get(provider_type)

    @classmethod
    def specs(cls) -> list[ProviderSpec]:
        cls._discover()
        return list(cls._specs.values())

    @classmethod
    def list_providers(cls) -> list[str]:
        cls._discover()
        return sorted(cls._specs)

    # SectionTypes, for config.load_config
    @classmethod
    def settings_class(cls, type_name: str) -> type[ProviderSettings] | None:
        spec = cls.spec(type_name)
        return spec.settings if spec is not None else None

    @classmethod
    def known_types(cls) -> list[str]:
        return cls.list_providers()

    @classmethod
    def get_provider_class(cls, provider_type: str) -> type[BaseProvider]:
        spec = cls.spec(provider_type)
        if spec is None:
            known = ", ".join(cls.list_providers())
            raise ConfigurationError(
                f"unknown provider {provider_type!r}",
                hint=f"known providers: {known}",
            )
        provider_class = cls._classes.get(provider_type)
        if provider_class is None:
            provider_class = cls._classes[provider_type] = _imported(spec.provider)
        return provider_class

    @classmethod
    def create(
        cls, name: str, *, provider_type: str | None = None, **settings: Any
    ) -> BaseProvider:
        """The instance for these exact settings, built once and then reused."""
        provider_type = provider_type or name
        provider_class = cls.get_provider_class(provider_type)
        key = config_key(name, provider_type, settings)
        with cls._lock:
            instance = cls._instances.get(key)
            if instance is None:
                instance = provider_class(name=name, **settings)
                cls._instances[key] = instance
                cls._every.add(instance)
            return instance

    @classmethod
    def instance_count(cls) -> int:
        return len(cls._instances)

    @classmethod
    def clear_instances(cls) -> list[BaseProvider]:
        """Forget every cached instance; returns them so the caller can ``aclose`` them."""
        with cls._lock:
            instances = list(cls._instances.values())
            cls._instances.clear()
        return instances

    @classmethod
    async def aretire_instances(cls) -> None:
        """Forget every cached instance and close each once its open streams end: after a
        config reload, what is asked for next is built from the new settings."""
        for instance in cls.clear_instances():
            await instance.aclose_when_idle()

    @classmethod
    async def aclose_instances(cls) -> None:
        """Close every instance, cached or retired (at exit)."""
        cls.clear_instances()
        for instance in list(cls._every):
            await instance.aclose()


def _imported(path: str) -> type[BaseProvider]:
    module_name, _, attribute = path.partition(":")
    provider_class = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(provider_class, type) and issubclass(provider_class, BaseProvider)):
        raise ConfigurationError(f"{path} is not a provider class (a BaseProvider subclass)")
    return provider_class


def _spec_of_class(provider_class: Any, provider_type: str | None = None) -> ProviderSpec:
    """A spec for a bare provider class (the seed's ``register(type, cls)``): its ``Settings``
    check the sections, and it has no set-up kinds."""
    if not (isinstance(provider_class, type) and issubclass(provider_class, BaseProvider)):
        raise TypeError(f"{provider_class!r} is neither a ProviderSpec nor a BaseProvider class")
    path = f"{provider_class.__module__}:{provider_class.__qualname__}"
    return ProviderSpec(
        provider_type or provider_class.provider_type, provider_class.Settings, path
    )
