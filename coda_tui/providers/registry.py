"""Which provider classes exist, and the cache of their instances.

Built-in classes are registered by import path and imported on first use, so importing the
registry costs nothing even though LiteLLM and the OCI SDK take seconds to import.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import threading
import weakref
from pathlib import Path
from typing import Any, ClassVar

from pydantic import SecretStr

from .base import BaseProvider
from .errors import ConfigurationError

BUILTIN_PROVIDERS: dict[str, str] = {
    "mock": "coda_tui.providers.mock_provider:MockProvider",
    "ollama": "coda_tui.providers.ollama_provider:OllamaProvider",
    "litellm": "coda_tui.providers.litellm_provider:LiteLLMProvider",
    "oci_genai": "coda_tui.providers.oci_genai:OCIGenAIProvider",
}


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
    """Class-level registry: provider type -> class, and resolved config -> instance."""

    _classes: ClassVar[dict[str, type[BaseProvider] | str]] = dict(BUILTIN_PROVIDERS)
    _instances: ClassVar[dict[str, BaseProvider]] = {}
    _every: ClassVar[weakref.WeakSet[BaseProvider]] = weakref.WeakSet()
    """Every instance still alive, cached or retired: what exit closes."""
    _lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def register(cls, provider_type: str, provider_class: type[BaseProvider] | str) -> None:
        """Add a class, or a ``"module:Class"`` path imported when first needed."""
        cls._classes[provider_type] = provider_class

    @classmethod
    def list_providers(cls) -> list[str]:
        return sorted(cls._classes)

    @classmethod
    def get_provider_class(cls, provider_type: str) -> type[BaseProvider]:
        entry = cls._classes.get(provider_type)
        if entry is None:
            known = ", ".join(cls.list_providers())
            raise ConfigurationError(
                f"unknown provider {provider_type!r}",
                hint=f"known providers: {known}",
            )
        if isinstance(entry, str):
            module_name, _, attribute = entry.partition(":")
            entry = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(entry, type) and issubclass(entry, BaseProvider)
            cls._classes[provider_type] = entry
        return entry

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
