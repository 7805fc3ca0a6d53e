"""The parrot itself: streams its prefix and your last message back, word by word."""

from collections.abc import AsyncIterator

from coda_tui.providers import BaseProvider, ChatCompletionChunk, ChatRequest, Model

from . import ParrotSettings


class ParrotProvider(BaseProvider):
    provider_type = "parrot"
    Settings = ParrotSettings
    settings: ParrotSettings

    async def _stream(self, request: ChatRequest) -> AsyncIterator[ChatCompletionChunk]:
        said = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        for word in f"{self.settings.prefix} {said}".split(" "):
            yield self.chunk(request.model, word + " ")
        yield self.chunk(request.model, finish_reason="stop")

    async def alist_models(self, *, refresh: bool = False) -> list[Model]:
        return [
            Model(id=name, provider=self.name, context_length=4096)
            for name in ("parrot-1", "parrot-2")
        ]
