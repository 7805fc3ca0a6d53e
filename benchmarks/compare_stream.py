"""Compare mode under load: two panes streaming at once from two local servers, in tmux.

Pane 1 reads the local Ollama server; pane 2 reads either a second local Ollama server (our own
pipeline twice) or the local OpenAI-compatible server through the LiteLLM provider (OpenAI's
SSE protocol, which it speaks itself).
(a) both panes receive a 5,000-token answer at full speed: seconds from Enter until both end
markers are on screen, beside one pane alone in the same run (goal <= 1.5x and <= 1.0 s), and
beside a bare httpx client reading the same answers (one; both at once), so that what the
app adds can be told from what the machine needs to deliver the bytes; and the CPU the app
used meanwhile (its wall time follows it: one UI thread reads, decodes and paints every pane);
(b) both paced at 1,000 tokens/s (2,000 tokens): seconds beyond the network's time (goal
<= 0.05 s), as the difference from a plain client's time on an idle machine, and as the time
from the later server's own stamp of its last byte until both markers are on screen; (c) how
long a key typed while both stream takes to show (goal <= 50 ms).
Run from the repository root: python benchmarks/compare_stream.py [--runs N]
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
from typing import NamedTuple

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chat_stream import Server as OllamaProcess  # noqa: E402
from chat_stream import answer, answer_requests, network_seconds  # noqa: E402
from tmux_harness import TmuxSession, isolated_env  # noqa: E402

from tests.servers.openai_compat import OpenAICompatServer, OpenAIState  # noqa: E402


def serve_openai(text: str, delay: float, ready: Connection, control: Connection) -> None:
    state = OpenAIState(reply=text)
    state.faults.token_delay = delay
    with OpenAICompatServer(state) as server:
        ready.send(server.api_base)
        answer_requests(server.state, control)


class OpenAIProcess(OllamaProcess):
    def __init__(self, text: str, delay: float = 0.0) -> None:
        self._ready, ready = multiprocessing.Pipe()
        control, self._control = multiprocessing.Pipe()
        self._process = multiprocessing.Process(
            target=serve_openai, args=(text, delay, ready, control)
        )


def bench_env(root: Path, text: str) -> dict[str, str]:
    """The isolated dirs, and the second server's key as a reference (a literal key in a
    config file makes the app ask first, which stopped this benchmark at a dialog)."""
    env = isolated_env(root, text)
    env["SECOND_KEY"] = "sk-test-key"
    return env


def config(ollama_url: str, second: str, panes: int) -> str:
    """``second`` is an OpenAI API base (a LiteLLM pane) or another Ollama URL."""
    pane_list = '{ provider = "ollama" }, { provider = "second" }'
    if panes == 1:
        pane_list = '{ provider = "ollama" }'
    if second.endswith("/v1"):
        second_section = (
            f'[providers.second]\ntype = "litellm"\nmodel = "openai/gpt-4o-mini"\n'
            f'api_base = "{second}"\napi_key = "${{SECOND_KEY}}"\n'
        )
    else:
        second_section = (
            f'[providers.second]\ntype = "ollama"\nbase_url = "{second}"\nmodel = "llama3.2"\n'
        )
    return (
        f"[compare]\npanes = [{pane_list}]\n"
        f'[providers.ollama]\nbase_url = "{ollama_url}"\nmodel = "llama3.2"\n' + second_section
    )


class Shown(NamedTuple):
    seconds: float  # from Enter until every pane's marker is on screen
    at: float  # time.monotonic() then
    echoes: list[float]
    cpu: float  # seconds of CPU the app used meanwhile (typing the prompt included)


def run(
    coda: str, env: dict[str, str], cwd: Path, marker: str, panes: int, echo_probe: bool = False
) -> Shown:
    with TmuxSession(coda, env, cwd) as session:
        session.wait_for("palette", timeout=30)
        session.send("F2")
        session.wait_for("One prompt", timeout=10)
        time.sleep(1.0)  # the start-up warm-up is over: its CPU is not the stream's
        cpu = session.cpu_seconds()
        start, echoes = session.submit("go", probe_echo=echo_probe)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if session.capture().count(marker) >= panes:
                now = time.monotonic()
                return Shown(now - start, now, echoes, session.cpu_seconds() - cpu)
            time.sleep(0.005)
        raise TimeoutError(session.capture())


async def bare_read(url: str) -> None:
    """What a client that only reads needs for one answer from ``url`` (either protocol)."""
    if url.endswith("/v1"):
        path, body = "/chat/completions", {"model": "gpt-4o-mini", "stream": True}
    else:
        path, body = "/api/chat", {"model": "llama3.2"}
    body["messages"] = [{"role": "user", "content": "go"}]
    headers = {"Authorization": "Bearer sk-test-key"}
    async with (
        httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client,
        client.stream("POST", path, json=body) as response,
    ):
        async for _ in response.aiter_bytes():
            pass


def bare_seconds(*urls: str, runs: int = 3) -> float:
    """Seconds a bare httpx client takes to read one answer from each of ``urls``, all at
    once: on a 2-core machine two servers and their reader already need about twice one."""

    async def timed() -> float:
        start = time.monotonic()
        await asyncio.gather(*(bare_read(url) for url in urls))
        return time.monotonic() - start

    return statistics.median(asyncio.run(timed()) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    coda = str(Path(sys.executable).parent / "coda-tui")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for second_kind in ("ollama", "openai-compatible"):
            key = f"second_{second_kind}"
            marker = "END-MARKER-C5X"
            text = answer(5000, marker)
            second_server = OllamaProcess(text) if second_kind == "ollama" else OpenAIProcess(text)
            with OllamaProcess(text) as ollama, second_server as second:
                one_env = bench_env(root / f"one-{key}", config(ollama.url, second.url, 1))
                two_env = bench_env(root / f"two-{key}", config(ollama.url, second.url, 2))
                one, two = [], []
                for _ in range(args.runs):  # interleaved, so a slow spell hits both alike
                    one.append(run(coda, one_env, root, marker, 1))
                    two.append(run(coda, two_env, root, marker, 2))
                bare_one = bare_seconds(ollama.url)
                bare_two = bare_seconds(ollama.url, second.url)
            one_s = statistics.median(r.seconds for r in one)
            two_s = statistics.median(r.seconds for r in two)
            entry: dict[str, object] = {
                "a_one_pane_s": round(one_s, 3),
                "a_two_panes_s": round(two_s, 3),
                "a_ratio": round(two_s / one_s, 2),
                "a_app_cpu_one_pane_s": round(statistics.median(r.cpu for r in one), 3),
                "a_app_cpu_two_panes_s": round(statistics.median(r.cpu for r in two), 3),
                "a_bare_client_one_s": round(bare_one, 3),
                "a_bare_client_both_s": round(bare_two, 3),
            }
            marker = "END-MARKER-D8Y"
            text = answer(2000, marker)
            second_server = (
                OllamaProcess(text, 0.001)
                if second_kind == "ollama"
                else OpenAIProcess(text, 0.001)
            )
            with OllamaProcess(text, 0.001) as ollama, second_server as second:
                network = network_seconds(ollama.url)
                env = bench_env(root / f"paced-{key}", config(ollama.url, second.url, 2))
                paced, after_last_byte = [], []
                for _ in range(args.runs):
                    paced.append(run(coda, env, root, marker, 2, echo_probe=True))
                    last = max(ollama.last_stream_end(), second.last_stream_end())
                    after_last_byte.append(paced[-1].at - last)
            shown = statistics.median(r.seconds for r in paced)
            echoes = [e for r in paced for e in r.echoes]
            entry["b_network_s"] = round(network, 3)
            entry["b_beyond_network_s"] = round(shown - network, 3)
            entry["b_after_last_byte_s"] = round(statistics.median(after_last_byte), 3)
            entry["c_key_echo_ms_median"] = round(statistics.median(echoes) * 1000, 1)
            entry["c_key_echo_ms_max"] = round(max(echoes) * 1000, 1)
            results[f"pane 2 = {second_kind}"] = entry
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
