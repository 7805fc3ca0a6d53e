"""The model catalog: one listing per provider, shared, each failure on its own, a time limit."""

from __future__ import annotations

import asyncio
import sys

import pytest

from coda_tui.providers import ProviderFactory
from coda_tui.services import ModelCatalog

from .servers.ollama import OllamaServer


def catalog_for(ollama_url: str, **extra: object) -> ModelCatalog:
    sections: dict[str, object] = {
        "mock": {"delay": 0},
        "ollama": {"base_url": ollama_url},
        **extra,
    }
    return ModelCatalog(ProviderFactory({"providers": sections}), timeout=2)


async def test_each_provider_is_asked_once_and_shared(ollama_server: OllamaServer) -> None:
    catalog = catalog_for(ollama_server.url)
    first, second = await asyncio.gather(catalog.listing("ollama"), catalog.listing("ollama"))
    again = await catalog.listing("ollama")
    assert first is second is again
    assert {m.id for m in first.models} == {"llama3.2:latest", "qwen2.5:0.5b"}
    assert ollama_server.state.count("/api/tags") == 1
    await catalog.listing("ollama", refresh=True)
    assert ollama_server.state.count("/api/tags") == 2
    assert catalog.find("ollama", "qwen2.5:0.5b") is not None


async def test_a_failing_or_silent_provider_holds_up_no_other(
    ollama_server: OllamaServer,
) -> None:
    """A server that never answers is reported after the time limit; the rest arrive first."""
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts, never answers
    try:
        port = silent.getsockname()[1]
        catalog = catalog_for(
            ollama_server.url,
            stuck={"type": "ollama", "base_url": f"http://127.0.0.1:{port}", "timeout": 30},
            gone={"type": "ollama", "base_url": "http://127.0.0.1:1"},
        )
        order = [
            listing.provider async for listing in catalog.every(["stuck", "gone", "ollama", "mock"])
        ]
    finally:
        silent.close()
    assert order[-1] == "stuck"
    stuck = await catalog.listing("stuck")
    assert stuck.failed and "no answer within 2 s" in str(stuck.error)
    gone = await catalog.listing("gone")
    assert gone.failed and "not running" in str(gone.error)


async def test_an_unconfigured_built_in_is_not_a_failure() -> None:
    catalog = ModelCatalog(ProviderFactory({}), timeout=2)
    listing = await catalog.listing("oci_genai")
    assert listing.not_set_up and not listing.failed


def test_the_catalog_imports_no_textual() -> None:
    import subprocess

    code = "import sys, coda_tui.services; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("refresh", [False, True])
async def test_every_lists_what_is_configured(ollama_server: OllamaServer, refresh: bool) -> None:
    catalog = catalog_for(ollama_server.url)
    names = [listing.provider async for listing in catalog.every(refresh=refresh)]
    assert {"mock", "ollama"} <= set(names)
