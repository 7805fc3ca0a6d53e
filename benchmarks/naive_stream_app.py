"""The naive way, for comparison: every streamed token written into Textual's MarkdownStream.

Used by chat_stream.py only, against the same local Ollama server, so the gain stays visible.
"""

from __future__ import annotations

import sys

from textual import on, work
from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Markdown

from coda_tui.providers import ProviderFactory


class NaiveChat(App[None]):
    AUTO_FOCUS = "#prompt"

    def compose(self) -> ComposeResult:
        yield VerticalScroll(id="messages")
        yield Input(id="prompt")
        yield Footer()

    @on(Input.Submitted)
    async def send(self, event: Input.Submitted) -> None:
        view = Markdown()
        await self.query_one("#messages").mount(view)
        self.query_one("#messages", VerticalScroll).anchor()
        self.stream(view, event.value)

    @work
    async def stream(self, view: Markdown, prompt: str) -> None:
        provider = ProviderFactory().create("ollama", base_url=sys.argv[1], model="llama3.2")
        stream = Markdown.get_stream(view)
        async for chunk in provider.achat_stream([{"role": "user", "content": prompt}]):
            for token in chunk.content.split(" "):  # one write per token, as the naive apps do
                await stream.write(token + " ")
        await stream.stop()


if __name__ == "__main__":
    NaiveChat().run()
