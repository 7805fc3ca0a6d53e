"""Regenerate the README's screenshots from the app itself, on the offline Mock provider.

Models and the Ollama panel talk to the test suite's local Ollama server (tests/servers).
Run from the repository root after any UI change: python assets/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

ASSETS = Path(__file__).resolve().parent
SIZE = (120, 36)
CONFIG = """
[providers.mock]
delay = 0.02

[providers.priced]
type = "mock"
model = "mock-priced"
delay = 0.03

[compare]
panes = [{ provider = "mock" }, { provider = "priced" }]
"""


def isolate(root: Path) -> None:
    for variable, name in (
        ("CODA_CONFIG_DIR", "config"),
        ("CODA_DATA_DIR", "data"),
        ("CODA_CACHE_DIR", "cache"),
    ):
        (root / name).mkdir()
        os.environ[variable] = str(root / name)
    os.environ["CODA_SYSTEM_CONFIG"] = str(root / "none.toml")
    (root / "config" / "config.toml").write_text(CONFIG)


async def shoot(ollama_url: str, second_url: str) -> None:
    from coda_tui.providers import load_config
    from coda_tui.ui.app import CodaApp

    config_file = Path(os.environ["CODA_CONFIG_DIR"]) / "config.toml"
    config_file.write_text(
        CONFIG + f'\n[providers.ollama]\nbase_url = "{ollama_url}"\n'
        f'[providers.laptop]\ntype = "ollama"\nbase_url = "{second_url}"\n'
    )
    app = CodaApp(load_config())
    async with app.run_test(size=SIZE) as pilot:
        for prompt in ("Hi, my name is Ada", "Show me some python code"):
            await pilot.press(*prompt, "enter")
            await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("chat.svg", str(ASSETS))
        await pilot.press("ctrl+o")
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.save_screenshot("model-picker.svg", str(ASSETS))
        await pilot.press("escape", "f2")
        await pilot.pause()
        await pilot.press(*"Tell me about rivers and lakes", "enter")
        await app.workers.wait_for_complete()
        app.screen.refresh_metrics(idle_too=True)  # type: ignore[attr-defined]
        await pilot.pause()
        app.save_screenshot("compare.svg", str(ASSETS))
        await pilot.press("f3")
        await app.workers.wait_for_complete()
        await pilot.press("down", "down")
        await pilot.pause()
        app.save_screenshot("models.svg", str(ASSETS))
        await pilot.press("f4")
        await app.workers.wait_for_complete()
        await pilot.pause(0.5)
        app.screen.start_pull("mistral")  # type: ignore[attr-defined]
        await pilot.pause(1.2)
        app.save_screenshot("ollama.svg", str(ASSETS))
        app.screen.workers.cancel_group(app.screen, "ollama-pulls")


def main() -> None:
    sys.path.insert(0, str(ASSETS.parent))
    from tests.servers.ollama import OllamaServer

    server, laptop = OllamaServer(), OllamaServer()
    server.state.faults.pull_delay, server.state.faults.pull_steps = 0.05, 100
    server.state.running["llama3.2:latest"] = datetime.now(UTC) + timedelta(minutes=5)
    server.state.running["qwen2.5:0.5b"] = datetime.now(UTC) + timedelta(days=292 * 365)
    server.state.models["llama3.2:latest"].vram_fraction = 0.73  # partly on the CPU
    with tempfile.TemporaryDirectory() as tmp, server, laptop:
        isolate(Path(tmp))
        asyncio.run(shoot(server.url, laptop.url))
    print("wrote", ", ".join(sorted(p.name for p in ASSETS.glob("*.svg"))))


if __name__ == "__main__":
    main()
