"""Where coda keeps its files. CODA_* variables override each place (tests, portable installs)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "coda"
CONFIG_FILE_NAME = "config.toml"


def _override(variable: str) -> Path | None:
    value = os.environ.get(variable)
    return Path(value).expanduser() if value else None


def user_config_dir() -> Path:
    import platformdirs

    return _override("CODA_CONFIG_DIR") or Path(platformdirs.user_config_dir(APP_NAME))


def user_data_dir() -> Path:
    import platformdirs

    return _override("CODA_DATA_DIR") or Path(platformdirs.user_data_dir(APP_NAME))


def user_cache_dir() -> Path:
    import platformdirs

    return _override("CODA_CACHE_DIR") or Path(platformdirs.user_cache_dir(APP_NAME))


def system_config_file() -> Path:
    override = _override("CODA_SYSTEM_CONFIG")
    if override:
        return override
    if sys.platform.startswith("win"):
        import platformdirs

        return Path(platformdirs.site_config_dir(APP_NAME)) / CONFIG_FILE_NAME
    return Path("/etc") / APP_NAME / CONFIG_FILE_NAME


def user_config_file() -> Path:
    return user_config_dir() / CONFIG_FILE_NAME


def project_config_file(cwd: Path | None = None) -> Path:
    return (cwd or Path.cwd()) / ".coda" / CONFIG_FILE_NAME


def layer_files(config_file: Path | None = None, cwd: Path | None = None) -> list[tuple[str, Path]]:
    """Each file layer's name and path, lowest first (the ones that do not exist included)."""
    files = [
        ("system", system_config_file()),
        ("user", user_config_file()),
        ("project", project_config_file(cwd)),
    ]
    if config_file is not None:
        files.append(("file", Path(config_file).expanduser()))
    return files
