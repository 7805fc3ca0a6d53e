"""``coda-tui ask`` and ``coda-tui models``: one answer or one model list, for shells and pipes.

The answer streams to stdout as it arrives; errors go to stderr as one line with the fix, and the
exit status is non-zero. On a terminal, control characters in the answer are shown, not obeyed.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TextIO

from .config import LoadedConfig
from .providers import BaseProvider, ProviderError, ProviderFactory
from .services import Listing, ModelCatalog
from .services.untrusted import visible_text

EXIT_ERROR = 1
EXIT_USAGE = 2


def _fail(error: ProviderError) -> int:
    print(f"coda-tui: {error}", file=sys.stderr)
    return EXIT_ERROR


def read_prompt(prompt: str) -> str | None:
    """The prompt given, else stdin's; None (said on stderr) when there is none."""
    if not prompt.strip() and not sys.stdin.isatty():
        prompt = sys.stdin.read()
    if not prompt.strip():
        print("coda-tui: ask needs a prompt, as arguments or on stdin", file=sys.stderr)
        return None
    return prompt


def ask(loaded: LoadedConfig, provider: str | None, model: str | None, prompt: str) -> int:
    given = read_prompt(prompt)
    if given is None:
        return EXIT_USAGE
    prompt = given
    factory = ProviderFactory(loaded)
    try:
        chosen = factory.create(provider or None, **({"model": model} if model else {}))
        asyncio.run(_stream(chosen, prompt, loaded, sys.stdout))
    except ProviderError as error:
        return _fail(error)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ask ... | head`: the reader has what it wanted
        _stdout_to_devnull()
    return 0


def _stdout_to_devnull() -> None:
    """Python flushes stdout once more at exit; into a closed pipe that is a second
    traceback. What is left goes nowhere instead."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


async def _stream(provider: BaseProvider, prompt: str, loaded: LoadedConfig, out: TextIO) -> None:
    messages = []
    system = loaded.config.defaults.system_prompt
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    shown = visible_text if out.isatty() else str
    ended_with_newline = True
    try:
        async for chunk in provider.achat_stream(messages):
            if chunk.content:
                out.write(shown(chunk.content))
                out.flush()
                ended_with_newline = chunk.content.endswith("\n")
    finally:
        try:
            if not ended_with_newline:
                out.write("\n")
            out.flush()
        finally:
            await provider.aclose()


def models(loaded: LoadedConfig, provider: str | None, *, as_json: bool) -> int:
    catalog = ModelCatalog(ProviderFactory(loaded), timeout=15)
    names = [provider] if provider else catalog.providers()

    async def every() -> list[Listing]:
        return [listing async for listing in catalog.every(names)]

    listings = sorted(asyncio.run(every()), key=lambda listing: names.index(listing.provider))
    found = [model for listing in listings for model in listing.models]
    if provider and listings[0].error is not None:
        return _fail(listings[0].error)
    for listing in listings:
        if listing.failed:
            print(f"coda-tui: warning: {listing.error}", file=sys.stderr)
    if as_json:
        print(json.dumps([m.model_dump(mode="json") for m in found], indent=2))
        return 0
    for model in found:
        context = f"{model.context_length // 1000}k" if model.context_length else "-"
        price = "-"
        if model.pricing and model.pricing.input_per_million is not None:
            price = f"${model.pricing.input_per_million:g}/${model.pricing.output_per_million:g}"
        print(f"{model.provider:<12} {model.id:<40} {context:>6} {price}")
    return 0
