"""Tokens/s through OllamaProvider.achat_stream versus the official ollama AsyncClient.

Both read the same 5,000-token answer from the local protocol-faithful Ollama server (in its own
process) at full rate; the figure is the median of several runs each, timed from the request to
the last chunk. Goal: ours >= 1.0x theirs.
Run from the repository root: python benchmarks/stream_parse.py [--tokens N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ollama

from coda_tui.providers import ProviderFactory
from coda_tui.providers.ollama.provider import OllamaProvider
from tests.servers.ollama import OllamaServer

MESSAGES = [{"role": "user", "content": "go"}]


async def ours(url: str) -> tuple[int, float]:
    provider = ProviderFactory().create("ollama", base_url=url, model="llama3.2")
    assert isinstance(provider, OllamaProvider)
    provider.client  # noqa: B018 - build the pooled client before timing, as theirs is
    start = time.perf_counter()
    count = 0
    async for _ in provider.achat_stream(MESSAGES):
        count += 1
    elapsed = time.perf_counter() - start
    await provider.aclose()
    return count, elapsed


async def theirs(url: str) -> tuple[int, float]:
    client = ollama.AsyncClient(host=url)
    start = time.perf_counter()
    count = 0
    async for _ in await client.chat("llama3.2", messages=MESSAGES, stream=True):
        count += 1
    return count, time.perf_counter() - start


def serve(tokens: int, ready: Connection, stop: Connection) -> None:
    """The server runs in its own process, so it never competes with the client for the GIL."""
    with OllamaServer() as server:
        server.state.reply = " ".join(f"w{i}" for i in range(tokens))
        ready.send(server.url)
        stop.recv()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    ready_out, ready_in = multiprocessing.Pipe()
    stop_out, stop_in = multiprocessing.Pipe()
    process = multiprocessing.Process(target=serve, args=(args.tokens, ready_in, stop_out))
    process.start()
    url = ready_out.recv()
    rates: dict[str, list[float]] = {"coda": [], "ollama": []}
    chunks: dict[str, int] = {}
    try:
        for _ in range(args.runs):
            for name, run in (("coda", ours), ("ollama", theirs)):
                count, elapsed = asyncio.run(run(url))
                rates[name].append(args.tokens / elapsed)
                chunks[name] = count
    finally:
        stop_in.send(True)
        process.join()
    coda, official = statistics.median(rates["coda"]), statistics.median(rates["ollama"])
    print(
        json.dumps(
            {
                "tokens": args.tokens,
                "runs": args.runs,
                "coda_tokens_per_s": round(coda),
                "ollama_client_tokens_per_s": round(official),
                "ratio": round(coda / official, 2),
                # coda merges what arrives together into one chunk; the client yields per line
                "coda_chunks": chunks["coda"],
                "ollama_client_chunks": chunks["ollama"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
