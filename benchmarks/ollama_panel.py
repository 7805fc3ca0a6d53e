"""The Ollama panel with a big model list: how soon the rows show, what details cost, keys.

A local Ollama test server with 300 models whose /api/show takes 30 ms (a real server reads the
model file's header each time). Measured at 120x40, headless: seconds from F4 to every row in the
table, and until the panel is idle; /api/show requests made by then and once idle (only the rows
in view are asked), milliseconds per cursor key (median and worst of 40), and seconds to sort
by context (every row's details, four requests at a time). Goals: rows <= 0.5 s, key <= 50 ms.
Run from the repository root: python benchmarks/ollama_panel.py
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.servers.ollama import FakeModel, OllamaServer, OllamaState  # noqa: E402

MODELS = 300
SHOW_DELAY = 0.03


async def measure(url: str, server: OllamaServer) -> dict[str, float]:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp

    app = CodaApp(load_config())
    result: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.5)
        started = time.perf_counter()
        await pilot.press("f4")
        panel = app.screen
        # Polled without waiting for the app to be idle: when the rows are in the table, not
        # when everything the panel does next (details for the rows in view) is over too.
        while len(getattr(panel, "models", [])) < MODELS or panel.table.row_count < MODELS:
            await asyncio.sleep(0.002)
            panel = app.screen
        result["rows_s"] = time.perf_counter() - started
        result["shows_at_rows"] = server.state.count("/api/show")
        for _ in range(40):
            if not any(w.is_running for w in app.workers):
                break
            await pilot.pause(0.05)
        result["idle_s"] = time.perf_counter() - started
        result["shows_idle"] = server.state.count("/api/show")
        keys = []
        for _ in range(40):
            key_started = time.perf_counter()
            await pilot.press("down")
            keys.append((time.perf_counter() - key_started) * 1000)
        result["key_median_ms"] = statistics.median(keys)
        result["key_max_ms"] = max(keys)
        if hasattr(panel, "sort_by"):
            started = time.perf_counter()
            panel.sort_by("context")
            while server.state.count("/api/show") < MODELS or any(
                w.is_running for w in app.workers if w.group == "ollama-details"
            ):
                await pilot.pause(0.01)
            await pilot.pause()
            result["sort_by_context_s"] = time.perf_counter() - started
    return result


def main() -> None:
    state = OllamaState()
    for index in range(MODELS):
        state.add(FakeModel(f"model-{index:03d}", context_length=1024 * (index % 64 + 1)))
    state.faults.show_delay = SHOW_DELAY
    with tempfile.TemporaryDirectory() as home, OllamaServer(state) as server:
        for variable, name in (
            ("CODA_CONFIG_DIR", "config"),
            ("CODA_DATA_DIR", "data"),
            ("CODA_CACHE_DIR", "cache"),
        ):
            os.environ[variable] = str(Path(home) / name)
        os.environ["CODA_SYSTEM_CONFIG"] = str(Path(home) / "none.toml")
        config = Path(home) / "config" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(f'[providers.ollama]\nbase_url = "{server.url}"\n', encoding="utf-8")
        result = asyncio.run(measure(server.url, server))
    print(json.dumps({k: round(v, 3) for k, v in result.items()}, indent=1))


if __name__ == "__main__":
    main()
