"""Ollama over its HTTP API (chat, models, pull, copy, delete, unload), with httpx."""

from ..spec import MODEL, TIMEOUT, FormField, ProviderKind, ProviderSpec
from .settings import OllamaSettings

SPEC = ProviderSpec(
    "ollama",
    OllamaSettings,
    "coda_tui.providers.ollama.provider:OllamaProvider",
    kinds=(
        ProviderKind(
            "ollama",
            "Ollama",
            "ollama",
            "llama3.2",
            docs="https://ollama.com/download",
            fields=(
                FormField("base_url", "Server address", "http://localhost:11434"),
                MODEL,
                TIMEOUT,
            ),
            # Whether it runs takes a probe over the network: the providers screen asks.
        ),
    ),
)
