"""Tokens/s through OCIGenAIProvider.achat_stream versus the bare ``oci`` SDK reading the same
event stream itself (the least any consumer of the SDK must do: iterate events, parse JSON).

Both stream one answer of about 5,000 tokens from the local OCI endpoint (signed requests, in its
own process) for a generic (Meta) model; median of several runs, request to last chunk. Ours adds
a thread hop, batching and chunk objects; the goal is to cost little over the SDK (ratio near 1).
Run from the repository root: python benchmarks/oci_stream.py [--tokens N] [--runs N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import oci
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

from coda_tui.providers import ProviderFactory
from tests.servers.oci_genai import COMPARTMENT, OCIServer, make_account

MODEL = "meta.llama-3.3-70b-instruct"


def serve(folder: str, ready: Connection, stop: Connection) -> None:
    """The endpoint runs in its own process, so it never competes with the client for the GIL."""
    with OCIServer() as server:
        account = make_account(Path(folder), server)
        ready.send((server.url, str(account.config_file)))
        stop.recv()


async def ours(url: str, config_file: str, prompt: str) -> tuple[int, float]:
    section = {
        "type": "oci_genai",
        "config_file": config_file,
        "compartment_id": COMPARTMENT,
        "endpoint": url,
        "max_attempts": 1,
    }
    provider = ProviderFactory({"providers": {"oci": section}}).create("oci", model=MODEL)
    provider.clients()  # type: ignore[attr-defined]  # built before timing, as theirs is
    start = time.perf_counter()
    count = 0
    async for _ in provider.achat_stream([{"role": "user", "content": prompt}]):
        count += 1
    return count, time.perf_counter() - start


def theirs(url: str, config_file: str, prompt: str) -> tuple[int, float]:
    config = oci.config.from_file(config_file, "DEFAULT")
    client = GenerativeAiInferenceClient(
        config,
        service_endpoint=url,
        retry_strategy=oci.retry.NoneRetryStrategy(),
        circuit_breaker_strategy=oci.circuit_breaker.NoCircuitBreakerStrategy(),
    )
    request = m.GenericChatRequest(
        messages=[m.UserMessage(content=[m.TextContent(text=prompt)])], is_stream=True
    )
    details = m.ChatDetails(
        compartment_id=COMPARTMENT,
        serving_mode=m.OnDemandServingMode(model_id=MODEL),
        chat_request=request,
    )
    start = time.perf_counter()
    count = 0
    for event in client.chat(details).data.events():
        json.loads(event.data)
        count += 1
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tokens", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    prompt = " ".join(f"w{i}" for i in range(args.tokens))  # the endpoint echoes the prompt
    rates: dict[str, list[float]] = {"coda": [], "sdk": []}
    chunks: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        ready_out, ready_in = multiprocessing.Pipe()
        stop_out, stop_in = multiprocessing.Pipe()
        process = multiprocessing.Process(target=serve, args=(folder, ready_in, stop_out))
        process.start()
        url, config_file = ready_out.recv()
        try:
            for _ in range(args.runs):
                count, elapsed = asyncio.run(ours(url, config_file, prompt))
                rates["coda"].append(args.tokens / elapsed)
                chunks["coda"] = count
                count, elapsed = theirs(url, config_file, prompt)
                rates["sdk"].append(args.tokens / elapsed)
                chunks["sdk"] = count
        finally:
            stop_in.send(True)
            process.join()
    coda, sdk = statistics.median(rates["coda"]), statistics.median(rates["sdk"])
    print(
        json.dumps(
            {
                "tokens": args.tokens,
                "runs": args.runs,
                "coda_tokens_per_s": round(coda),
                "sdk_events_tokens_per_s": round(sdk),
                "ratio": round(coda / sdk, 2),
                "coda_chunks": chunks["coda"],
                "sdk_events": chunks["sdk"],
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
