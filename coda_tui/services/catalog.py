"""Every provider's models, asked once with a time limit and kept, for every screen and ``ask``.

Chat, compare, the models browser, the model picker and ``coda-tui models`` each listed models
with their own timeout and error handling (five copies). Here one listing per provider is
asked for, a slow or failing provider is reported on its own, and the result is shared until
someone asks to refresh (Ctrl+R in the browser) or the config changes (a new catalog).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from ..providers import Model, ProviderError, ProviderFactory

DISCOVERY_TIMEOUT = 10.0
"""Seconds a provider has to list its models before it is reported as not answering."""


@dataclass
class Listing:
    """One provider's models, or why there are none."""

    provider: str
    models: list[Model] = field(default_factory=list)
    error: ProviderError | None = None
    not_set_up: bool = False
    """A built-in provider nobody configured: noise in a list of everyone's models."""

    @property
    def failed(self) -> bool:
        return self.error is not None and not self.not_set_up


class ModelCatalog:
    def __init__(self, factory: ProviderFactory, timeout: float = DISCOVERY_TIMEOUT) -> None:
        self.factory = factory
        self.timeout = timeout
        self._listings: dict[str, Listing] = {}
        self._asking: dict[str, asyncio.Task[Listing]] = {}

    def providers(self) -> list[str]:
        return self.factory.available()

    async def listing(self, name: str, *, refresh: bool = False) -> Listing:
        """``name``'s models: kept from the last time unless ``refresh``; two callers asking
        at once share one request."""
        if not refresh and name in self._listings:
            return self._listings[name]
        task = self._asking.get(name)
        if task is None or refresh:
            task = asyncio.ensure_future(self._ask(name, refresh))
            self._asking[name] = task
        try:
            listing = await asyncio.shield(task)
        finally:
            if task.done() and self._asking.get(name) is task:
                del self._asking[name]
        self._listings[name] = listing
        return listing

    async def _ask(self, name: str, refresh: bool) -> Listing:
        try:
            provider = self.factory.create(name)
            models = await asyncio.wait_for(provider.alist_models(refresh=refresh), self.timeout)
        except ProviderError as error:
            return Listing(name, error=error, not_set_up=self.factory.not_set_up(name, error))
        except TimeoutError:
            message = f"no answer within {self.timeout:g} s"
            return Listing(name, error=ProviderError(message, provider=name))
        return Listing(name, models)

    async def every(
        self, names: list[str] | None = None, *, refresh: bool = False
    ) -> AsyncIterator[Listing]:
        """Each provider's listing as it arrives (a slow one holds up none of the others)."""
        pending = [self.listing(name, refresh=refresh) for name in names or self.providers()]
        for arrived in asyncio.as_completed(pending):
            yield await arrived

    def forget(self, name: str) -> None:
        """``name``'s models changed (a pull, a delete): the next listing asks again."""
        self._listings.pop(name, None)

    def find(self, provider: str, model_id: str) -> Model | None:
        """A model already listed (its price and context), without asking anyone."""
        listing = self._listings.get(provider)
        return next((m for m in listing.models if m.id == model_id), None) if listing else None

    def known(self) -> list[Model]:
        """Every model listed so far, of every provider (asks no one)."""
        return [model for listing in self._listings.values() for model in listing.models]

    async def described(self, provider: str, model_id: str) -> Model | None:
        """The model with what its provider tells of it one at a time (Ollama's context and
        capabilities, from /api/show); as listed if that fails, None if it is not listed."""
        listed = (await self.listing(provider)).models
        model = next((m for m in listed if m.id == model_id), None)
        if model is None or model.capabilities_known:
            return model
        try:
            created = self.factory.create(provider)
            return await asyncio.wait_for(created.adescribe_model(model), self.timeout)
        except (ProviderError, TimeoutError):
            return model
