"""The layering rules in pyproject.toml hold, and they do break when a forbidden import is added:
a contract that cannot fail would prove nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = Path(sys.executable).parent / "lint-imports"


def lint(tree: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` on the package as it is in ``tree`` (with its pyproject.toml)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT)], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


def copy_of_the_project(target: Path) -> Path:
    shutil.copytree(
        ROOT / "coda_tui", target / "coda_tui", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_rules_hold() -> None:
    done = lint(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 kept, 0 broken" in done.stdout


@pytest.mark.parametrize(
    ("module", "forbidden", "contract"),
    [
        ("providers/errors.py", "import coda_tui.ui.app", "never reaches up"),
        ("store/history.py", "import textual.app", "never reaches up"),
        ("config/refs.py", "from coda_tui.providers import registry", "Config stays below"),
        ("store/export.py", "import coda_tui.providers.base", "knows no provider"),
        ("providers/base.py", "import coda_tui.services", "never reaches up"),
        ("services/catalog.py", "import coda_tui.ui.text", "never import the UI"),
        ("oneshot.py", "from coda_tui.ui.text import plain", "never load the UI"),
        ("ui/widgets/status_line.py", "from coda_tui.ui.screens import chat", "never import a"),
    ],
)
def test_a_forbidden_import_breaks_its_rule(
    tmp_path: Path, module: str, forbidden: str, contract: str
) -> None:
    tree = copy_of_the_project(tmp_path)
    path = tree / "coda_tui" / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{forbidden}  # noqa\n", encoding="utf-8")
    done = lint(tree)
    assert done.returncode != 0
    broken = done.stdout.split("Broken contracts")[-1]
    assert contract in " ".join(broken.split())
