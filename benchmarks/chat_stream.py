"""How fast a streamed answer reaches the screen: coda-tui in tmux on the local Ollama server.

(a) seconds from Enter until the last token (a unique marker) of a 5,000-token answer sent at
    full speed is on screen; (b) 2,000 tokens paced at 1,000 tokens/s: seconds beyond what the
    network needs (measured with a plain client on the same server), and seconds from the
    server's sending of the last byte (its own timestamp) until it is on screen; (c) peak RSS
    during (a); (d) milliseconds until a key typed mid-stream shows in the prompt. The naive
    approach (a minimal Textual app writing each token into MarkdownStream) is measured beside
    (a).
Goals: (a) <= 0.5 s, (b) <= +0.05 s, (c) <= 120 MB, (d) <= 50 ms.
Run from the repository root: python benchmarks/chat_stream.py [--runs N]
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import httpx  # noqa: E402
from tmux_harness import TmuxSession, isolated_env  # noqa: E402

from tests.servers.base import ServerState  # noqa: E402
from tests.servers.ollama import OllamaServer  # noqa: E402

PARAGRAPH = (
    "Streaming text to a terminal is easy to get wrong because every token can trigger "
    "a full re-render of the message, and long answers make that cost grow with every "
    "word that arrives from the model. "
)
CODE = "```python\ndef total(values: list[int]) -> int:\n    return sum(values)\n```"


def answer(tokens: int, marker: str) -> str:
    """Realistic markdown: paragraphs, a list and a code block, repeated; ``marker`` last."""
    words: list[str] = []
    block = 0
    while len(words) < tokens - 1:
        kind = block % 4
        if kind == 3:
            words += CODE.split(" ")
        elif kind == 2:
            words += ("- first point about streaming\n- second point about rendering\n").split(" ")
        else:
            words += (PARAGRAPH * 2).split(" ")
        words[-1] += "\n\n"
        block += 1
    return " ".join([*words[: tokens - 1], marker])


def answer_requests(state: ServerState, control: Connection) -> None:
    """Until told to stop: answer "ends" with when the server sent each stream's last byte."""
    while control.recv() == "ends":
        control.send(list(state.stream_ends))


def serve(text: str, delay: float, ready: Connection, control: Connection) -> None:
    with OllamaServer() as server:
        server.state.reply = text
        server.state.faults.token_delay = delay
        ready.send(server.url)
        answer_requests(server.state, control)


class Server:
    """A local server in its own process, so its work does not share the app's core."""

    def __init__(self, text: str, delay: float = 0.0) -> None:
        self._ready, ready = multiprocessing.Pipe()
        control, self._control = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=serve, args=(text, delay, ready, control))

    def last_stream_end(self) -> float:
        """time.monotonic() (one clock for every process here) of the latest stream's end."""
        self._control.send("ends")
        return float(self._control.recv()[-1])

    def __enter__(self) -> Server:
        self._process.start()
        self.url = str(self._ready.recv())
        return self

    def __exit__(self, *exc: object) -> None:
        self._control.send("stop")
        self._process.join()


def network_seconds(url: str) -> float:
    async def read() -> float:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            start = time.perf_counter()
            body = {"model": "llama3.2", "messages": [{"role": "user", "content": "go"}]}
            async with client.stream("POST", "/api/chat", json=body) as response:
                async for _ in response.aiter_bytes():
                    pass
            return time.perf_counter() - start

    return statistics.median(asyncio.run(read()) for _ in range(3))


def coda_config(url: str) -> str:
    return (
        '[defaults]\nprovider = "ollama"\n'
        f'[providers.ollama]\nbase_url = "{url}"\nmodel = "llama3.2"\n'
    )


class Shown(NamedTuple):
    seconds: float  # from Enter until the marker is on screen
    at: float  # time.monotonic() when it was first seen
    peak_rss_mb: float
    echoes: list[float]  # key echo latencies, seconds


def time_to_marker(
    command: str, env: dict[str, str], cwd: Path, marker: str, echo_probe: bool = False
) -> Shown:
    with TmuxSession(command, env, cwd) as session:
        session.wait_for("palette", timeout=30)
        time.sleep(1.0)  # the start-up warm-up is over, as it is by the time a user has typed
        start, echoes = session.submit("go", probe_echo=echo_probe)
        shown = session.wait_for(marker, timeout=120, interval=0.005)
        return Shown(shown - start, shown, session.peak_rss_mb(), echoes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    args = parser.parse_args()
    python = Path(sys.executable)
    coda = str(python.parent / "coda-tui")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        marker_a = "END-MARKER-A7Q"
        with Server(answer(5000, marker_a)) as server:
            url = server.url
            env = isolated_env(root / "a", coda_config(url))
            runs = [time_to_marker(coda, env, root, marker_a) for _ in range(args.runs)]
            results["a_full_speed_5000_tokens_s"] = round(
                statistics.median(r.seconds for r in runs), 3
            )
            results["c_peak_rss_mb"] = round(max(r.peak_rss_mb for r in runs), 1)
            if not args.skip_naive:
                naive = f"{python} {ROOT / 'benchmarks' / 'naive_stream_app.py'} {url}"
                naive_env = {**env, "PYTHONPATH": str(ROOT)}
                naive_runs = [
                    time_to_marker(naive, naive_env, root, marker_a) for _ in range(args.runs)
                ]
                results["a_naive_markdownstream_s"] = round(
                    statistics.median(r.seconds for r in naive_runs), 3
                )
        marker_b = "END-MARKER-B3K"
        with Server(answer(2000, marker_b), delay=0.001) as server:
            network = network_seconds(server.url)
            env = isolated_env(root / "b", coda_config(server.url))
            runs, after_last_byte = [], []
            for _ in range(args.runs):
                runs.append(time_to_marker(coda, env, root, marker_b, echo_probe=True))
                after_last_byte.append(runs[-1].at - server.last_stream_end())
            shown = statistics.median(r.seconds for r in runs)
            results["b_network_s"] = round(network, 3)
            results["b_paced_2000_tokens_s"] = round(shown, 3)
            results["b_beyond_network_s"] = round(shown - network, 3)
            results["b_after_last_byte_s"] = round(statistics.median(after_last_byte), 3)
            echoes = [echo for r in runs for echo in r.echoes]
            results["d_key_echo_ms_median"] = round(statistics.median(echoes) * 1000, 1)
            results["d_key_echo_ms_max"] = round(max(echoes) * 1000, 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
