"""The domain layer must stay cheap to import: no Textual, no litellm, no oci."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("textual", "litellm", "oci")


def _imported(code: str) -> set[str]:
    probe = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    return set(output.split())


def test_providers_and_config_import_no_ui_and_no_sdk() -> None:
    modules = _imported("import coda_tui.providers, coda_tui.config")
    for name in HEAVY:
        assert name not in modules, f"{name} imported by coda_tui.providers/config"


def test_creating_the_mock_provider_imports_no_sdk() -> None:
    modules = _imported(
        "from coda_tui.providers import ProviderFactory\n"
        "ProviderFactory().create('mock').chat([{'role': 'user', 'content': 'hi'}])"
    )
    assert not {"textual", "litellm", "oci"} & modules


def test_cli_version_imports_no_ui() -> None:
    modules = _imported(
        "import contextlib, io\n"
        "from coda_tui import cli\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    cli.main(['--version'])"
    )
    assert "textual" not in modules


def test_screens_import_no_transport_or_sdk() -> None:
    """Screens call providers from workers; the HTTP clients and SDKs stay in the providers."""
    screens = ("chat", "compare", "models", "ollama", "providers", "settings")
    modules = _imported(
        "import coda_tui.ui.app\n"
        + "\n".join(f"import coda_tui.ui.screens.{screen}" for screen in screens)
    )
    assert not {"httpx", "litellm", "oci", "openai", "textual_serve"} & modules
