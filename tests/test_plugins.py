"""A third-party provider, installed as a user would install one, works everywhere a built-in does.

tests/plugins/parrot is a package of its own (pyproject, entry point in `coda_tui.providers`);
nothing in coda_tui/ names it. pip builds and installs it (offline) into a folder that the
tests put on the path: coda-tui finds it through importlib.metadata, as after `pip install`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Checkbox

from coda_tui.providers import ProviderRegistry, load_config
from coda_tui.ui.app import CodaApp
from coda_tui.ui.screens.provider_form import ProviderFormScreen
from coda_tui.ui.screens.providers import ProviderCard

from .test_app import screen_text
from .test_provider_setup import fill, saved, settle

PLUGIN = Path(__file__).parent / "plugins" / "parrot"
COMMAND = Path(sys.executable).parent / "coda-tui"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the installed plugin (its dist-info and entry_points.txt included)."""
    source = tmp_path_factory.mktemp("source") / "parrot"
    shutil.copytree(PLUGIN, source)  # the build writes beside its source: not in the repo
    target = tmp_path_factory.mktemp("site")
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
    pip += ["--no-build-isolation", "--target", str(target), str(source)]
    subprocess.run(pip, check=True, capture_output=True)
    assert (next(target.glob("coda_parrot-*.dist-info")) / "entry_points.txt").is_file()
    return target


@pytest.fixture
def installed(site: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(site))
    ProviderRegistry.discover_again()  # conftest puts the registry back afterwards
    yield site


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run(
        [str(COMMAND), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def test_an_installed_provider_lists_its_models_and_answers(site: Path) -> None:
    listed = run(site, "models")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split()[:2] for line in listed.stdout.splitlines()]
    assert ["parrot", "parrot-1"] in rows and ["parrot", "parrot-2"] in rows
    answer = run(site, "ask", "--provider", "parrot", "hello there")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.split() == ["Squawk!", "hello", "there"]


def test_without_the_package_the_provider_is_unknown() -> None:
    assert "parrot" not in ProviderRegistry.list_providers()


def test_its_sections_are_checked_by_its_own_settings(installed: Path, user_config: Path) -> None:
    user_config.write_text('[providers.parrot]\nprefix = "Polly:"\ncolour = "green"\n')
    loaded = load_config()
    section = loaded.config.providers["parrot"]
    assert type(section).__name__ == "ParrotSettings"
    assert section.prefix == "Polly:"  # type: ignore[attr-defined]
    [problem] = loaded.problems
    assert (problem.path, problem.line) == (user_config, 3)
    assert "unknown key 'providers.parrot.colour'" in problem.message


async def test_it_is_set_up_from_the_providers_screen_and_answers_in_chat(
    installed: Path, user_config: Path
) -> None:
    user_config.write_text("[providers.mock]\ndelay = 0\n")
    app = CodaApp(load_config())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f5")
        await settle(pilot)
        for _ in range(20):  # to the last card, where an installed provider's kind comes
            await pilot.press("down")
        await pilot.pause()
        assert app.focused is app.screen.query_one("#card-parrot", ProviderCard)
        assert "Parrot (says what you said)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ProviderFormScreen)
        assert form.kind.key == "parrot", form.kind
        fill(form, prefix="Polly says")
        form.query_one("#make-default", Checkbox).value = True
        await pilot.click("#save-user")
        await settle(pilot)
        section = saved(user_config)["providers"]["parrot"]
        assert section == {"type": "parrot", "prefix": "Polly says", "model": "parrot-1"}
        await pilot.press("f1")
        await pilot.pause()
        await pilot.press(*"hello", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Polly says hello" in screen_text(app)
