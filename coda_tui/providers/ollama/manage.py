"""Ollama's model management, for the Ollama panel: what is loaded, pull, copy, delete, create."""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing
from typing import Any

import httpx

from ..errors import ProviderConnectionError
from ..streaming import drain
from .transport import OllamaTransport
from .types import KeepAlive, ModelInfo, PullProgress, RunningModel, full_name

PULL_TIMEOUT = httpx.Timeout(10.0, read=None)


class OllamaManagement(OllamaTransport):
    """The management half of the API (docs/api.md), on the transport's pooled client."""

    async def version(self) -> str:
        return str((await self._request("GET", "/api/version")).get("version", "unknown"))

    async def list_running(self) -> list[RunningModel]:
        data = await self._request("GET", "/api/ps")
        entries = data.get("models") or []
        return self._parsed(lambda: [RunningModel.model_validate(e) for e in entries], "a ps list")

    async def show_model(self, name: str) -> ModelInfo:
        data = await self._request("POST", "/api/show", name, False, json={"model": name})
        return self._parsed(lambda: ModelInfo.model_validate({"name": name, **data}), "details")

    async def model_info(self, name: str) -> ModelInfo:
        """/api/show, asked once per model and kept: the panel fills a column from it row by row."""
        if name not in self._shown:
            self._shown[name] = await self.show_model(name)
        return self._shown[name]

    def known_info(self, name: str) -> ModelInfo | None:
        return self._shown.get(name)

    async def pull_model(self, name: str, *, insecure: bool = False) -> AsyncIterator[PullProgress]:
        """Progress as the server streams it; leaving the loop early closes the HTTP stream."""
        payload = {"model": name, "insecure": insecure, "stream": True}
        async with aclosing(self._progress("/api/pull", payload, name, "pull")) as progress:
            async for update in progress:
                yield update
        self._shown.pop(full_name(name), None)  # pulled again: maybe a newer model

    async def _progress(
        self, path: str, payload: dict[str, Any], model: str, what: str
    ) -> AsyncGenerator[PullProgress]:
        """A pull's or a create's status lines, until "success"; a stream that ends before it
        was cut. ``what`` names it in errors."""
        async with self._stream_batches(path, payload, model, timeout=PULL_TIMEOUT) as batches:
            async for batch in batches:
                for line in batch:
                    progress = self._parsed(
                        functools.partial(PullProgress.model_validate, line), f"{what} progress"
                    )
                    yield progress
                    if progress.done:
                        await drain(batches)
                        return
        raise ProviderConnectionError(
            f"{what} of {payload['model']} ended before Ollama reported success",
            provider=self.name,
        )

    async def delete_model(self, name: str) -> None:
        await self._request("DELETE", "/api/delete", name, False, json={"model": name})
        self._shown.pop(full_name(name), None)

    async def copy_model(self, source: str, destination: str) -> None:
        payload = {"source": source, "destination": destination}
        await self._request("POST", "/api/copy", source, False, json=payload)

    async def unload_model(self, name: str) -> None:
        """Free the model's memory now."""
        await self.keep_loaded(name, 0)

    async def keep_loaded(self, name: str, keep_alive: KeepAlive) -> None:
        """Load it (if it is not) and keep it for ``keep_alive``: -1 pins it, 0 unloads it.
        An empty chat does that, as docs/api.md documents."""
        payload: dict[str, Any] = {
            "model": name,
            "messages": [],
            "keep_alive": keep_alive,
            "stream": False,
        }
        await self._request("POST", "/api/chat", name, json=payload)

    async def create_model(self, body: dict[str, Any]) -> AsyncIterator[PullProgress]:
        """POST /api/create with the fields ``ollama create`` sends; its status lines as they come.

        A FROM model missing on the server is pulled by the server first, so the statuses can
        carry bytes as a pull's do. An error line ends the stream as a ProviderError.
        """
        name = str(body.get("model", ""))
        payload: dict[str, Any] = {**body, "stream": True}
        base = str(body.get("from") or name)
        async with aclosing(self._progress("/api/create", payload, base, "create")) as progress:
            async for update in progress:
                yield update
        self._shown.pop(full_name(name), None)  # made again under its name: shown anew
