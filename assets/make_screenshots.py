"""Regenerate the README's screenshots from the app itself, on the offline Mock provider.

Run from the repository root after any UI change: python assets/make_screenshots.py
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

ASSETS = Path(__file__).resolve().parent
SIZE = (120, 36)
CONFIG = """
[providers.mock]
delay = 0

[providers.priced]
type = "mock"
model = "mock-priced"
delay = 0.002

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
    os.environ["OLLAMA_HOST"] = "127.0.0.1:1"
    (root / "config" / "config.toml").write_text(CONFIG)


async def shoot() -> None:
    sys.path.insert(0, str(ASSETS.parent))
    from coda_tui.config import load_config
    from coda_tui.ui.app import CodaApp

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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        isolate(Path(tmp))
        asyncio.run(shoot())
    print("wrote", ", ".join(sorted(p.name for p in ASSETS.glob("*.svg"))))


if __name__ == "__main__":
    main()
