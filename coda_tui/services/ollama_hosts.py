"""Every Ollama a user has (each ``[providers.X]`` of type ollama, plus the default address), how
each one is doing, and where a model's keep_alive is written.

People run one Ollama on a GPU box and one on the laptop; the panel lists them all and acts on
the one chosen. The probe is short: a host that does not answer is reported, not waited on.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ..config import ConfigWriteError, read_layer, write_layer
from ..config.keys import layer_file
from ..providers import ProviderConnectionError, ProviderError, ProviderFactory
from ..providers.ollama.types import KeepAlive, full_name

if TYPE_CHECKING:
    from ..config import LoadedConfig
    from ..providers.ollama.provider import OllamaProvider

PROBE_TIMEOUT = 5.0
"""Seconds a host has to say its version and models before it is shown as not answering."""

DEFAULT_HOST = "ollama"


@dataclass
class OllamaHost:
    """One server, and what the last probe found (``error`` when it did not answer)."""

    name: str
    base_url: str
    version: str = ""
    models: int | None = None
    loaded: int | None = None
    error: str = ""
    probed: bool = False

    def saw(self, version: str, models: int, loaded: int) -> None:
        self.version, self.models, self.loaded = version, models, loaded
        self.error, self.probed = "", True

    def failed(self, error: ProviderError | TimeoutError) -> None:
        """Said the way the host list shows it; the address is in the row beside it."""
        if isinstance(error, TimeoutError):
            self.error = f"no answer in {PROBE_TIMEOUT:g} s"
        elif isinstance(error, ProviderConnectionError):
            self.error = "not reachable"
        else:  # something answers there, but not as Ollama would
            words = error.message.removeprefix(self.base_url).strip()
            self.error = words if len(words) <= 60 else words[:59] + "…"
        self.probed = True

    @property
    def reachable(self) -> bool:
        return self.probed and not self.error

    def summary(self) -> str:
        if not self.probed:
            return "asking…"
        if self.error:
            return self.error
        count = self.models or 0
        loaded = f" · {self.loaded} loaded" if self.loaded else ""
        return f"Ollama {self.version} · {count} model{'s' * (count != 1)}{loaded}"


def host_names(factory: ProviderFactory) -> list[str]:
    """Configured Ollama sections in file order, then the default address if none of them is it."""
    names = [name for name, section in factory.config.providers.items() if section.type == "ollama"]
    if DEFAULT_HOST not in names:
        default = ollama(factory, DEFAULT_HOST).base_url
        if all(ollama(factory, name).base_url != default for name in names):
            names.append(DEFAULT_HOST)
    return names


def ollama(factory: ProviderFactory, name: str) -> OllamaProvider:
    return cast("OllamaProvider", factory.create(name))


def hosts(factory: ProviderFactory) -> list[OllamaHost]:
    return [OllamaHost(name, ollama(factory, name).base_url) for name in host_names(factory)]


async def probe(factory: ProviderFactory, host: OllamaHost) -> OllamaHost:
    """Version, model count and what is loaded, within PROBE_TIMEOUT; fills ``host`` in."""
    provider = ollama(factory, host.name)
    try:
        version, models, running = await asyncio.wait_for(
            asyncio.gather(provider.version(), provider.alist_models(), provider.list_running()),
            PROBE_TIMEOUT,
        )
    except (ProviderError, TimeoutError) as error:
        host.failed(error)
    else:
        host.saw(version, len(models), len(running))
    return host


def keep_alive_file(loaded: LoadedConfig, host: str) -> Path:
    """Where a host's keep_alive choices go: the file that set the host up (the project's own
    hosts stay in the project), else the user's file."""
    for key in ("type", "base_url", "host"):
        layer = loaded.source_of(f"providers.{host}.{key}")
        if layer.name in ("user", "project"):
            return layer_file(layer.name)
    return layer_file("user")


def save_keep_alive(loaded: LoadedConfig, host: str, model: str, value: KeepAlive | None) -> Path:
    """Write ``[providers.HOST.model_keep_alive] "MODEL" = value`` (``None`` removes it) in the
    host's file; returns it. The section gets its type too, so the layer is valid on its own."""
    path = keep_alive_file(loaded, host)
    data = read_layer(path)
    providers = data.setdefault("providers", {})
    section: dict[str, Any] = providers.setdefault(host, {})
    if not isinstance(section, dict):
        raise ConfigWriteError(f"providers.{host} is not a table")
    if host != DEFAULT_HOST:
        section.setdefault("type", "ollama")
    chosen: dict[str, Any] = section.setdefault("model_keep_alive", {})
    if value is None:
        chosen.pop(full_name(model), None)
        chosen.pop(model, None)
    else:
        chosen[full_name(model)] = value
    if not chosen:
        section.pop("model_keep_alive")
    write_layer(path, data, loaded.sections)
    return path
