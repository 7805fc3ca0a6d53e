"""The ``coda-tui`` command. Textual is imported only when the app is really started."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coda-tui",
        description="A terminal workbench for chatting with and comparing LLMs.",
    )
    parser.add_argument("--version", action="version", version=f"coda-tui {__version__}")
    parser.add_argument("--provider", help="provider to chat with (a [providers.NAME] or a type)")
    parser.add_argument("--model", help="model to use with that provider")
    parser.add_argument("--config", type=Path, help="extra config file, above the project layer")
    return parser


def flags_from(args: argparse.Namespace) -> dict[str, Any]:
    defaults = {key: getattr(args, key) for key in ("provider", "model") if getattr(args, key)}
    return {"defaults": defaults} if defaults else {}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .config import load_config

    loaded = load_config(config_file=args.config, flags=flags_from(args))
    from .ui.app import CodaApp

    CodaApp(loaded).run()
    return 0
