"""The ``coda-tui`` command: the TUI by default, ``ask`` and ``models`` for scripts and pipes.

Textual is imported only when the TUI really starts; ``ask`` and ``models`` share the config and
the provider factory with it but never load the UI.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__

if TYPE_CHECKING:
    from .config import LoadedConfig

SCREEN_FPS = "120"
"""Textual's most screen updates a second (its default is 60). After an update that took longer
than its period, the next waits one to two periods more: with two answers streaming, a key
typed showed 30-50 ms late at 60, 5-15 ms at 120. Nothing is drawn more often than something
changes, and answers keep their own frame rate. ``TEXTUAL_FPS`` set by the user wins."""


def common_options(default: object = None) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--provider", default=default, help="a [providers.NAME] section or a type (mock, ollama…)"
    )
    common.add_argument("--model", default=default, help="model to use with that provider")
    common.add_argument(
        "--config", type=Path, default=default, help="extra config file, above the project layer"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = common_options()
    # After a command the same options are accepted, and left alone when absent: with a default
    # of their own they overwrote what was given before the command (`--provider mock ask hi`).
    after = common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="coda-tui",
        description="A terminal workbench for chatting with and comparing LLMs.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"coda-tui {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{ask,models,search,eval,serve}")
    ask = commands.add_parser(
        "ask", parents=[after], help="answer one prompt on stdout (the prompt, or stdin)"
    )
    ask.add_argument("prompt", nargs="*", help="the prompt; read from stdin when absent")
    ask.add_argument(
        "--tools", action="store_true", help="offer the MCP servers' tools ([mcp.servers])"
    )
    ask.add_argument(
        "--allow-tool",
        action="append",
        default=[],
        metavar="NAME",
        help="run this tool when the model asks (server__tool or tool; again for more); "
        "any other call is denied",
    )
    models = commands.add_parser("models", parents=[after], help="list the models you can use")
    models.add_argument("--json", action="store_true", help="one JSON array, for programs")
    search = commands.add_parser(
        "search",
        parents=[after],
        help="find words in every saved chat (--provider and --model narrow it)",
    )
    search.add_argument("terms", nargs="+", help="words to find (each may be the start of one)")
    search.add_argument("--role", choices=("user", "assistant", "title"), help="only these")
    search.add_argument("--limit", type=int, default=20, help="most hits shown (20)")
    search.add_argument("--json", action="store_true", help="one JSON array, for programs")
    evaluate = commands.add_parser(
        "eval", parents=[after], help="run a prompt set (JSONL or TOML) against several models"
    )
    evaluate.add_argument("set", type=Path, help="the prompt set: .jsonl or .toml")
    evaluate.add_argument(
        "--models", required=True, help="PROVIDER:MODEL,PROVIDER:MODEL (each a provider name)"
    )
    evaluate.add_argument(
        "-o", "--output", type=Path, help="results .csv, .json or .md (else CSV on stdout)"
    )
    evaluate.add_argument(
        "--concurrency", type=int, default=4, help="answers at once, per model (4)"
    )
    serve = commands.add_parser(
        "serve", parents=[after], help="the app in a browser tab, through textual-serve"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--public",
        action="store_true",
        help="allow a non-loopback --host: whoever reaches it gets the app and your keys; "
        "every request then needs the token printed at start",
    )
    serve.add_argument(
        "--token",
        action="store_true",
        help="ask for a random token (printed at start) on loopback too",
    )
    return parser


def app_args(args: argparse.Namespace) -> list[str]:
    """The options a served app process is started with (the same config and flags)."""
    out: list[str] = []
    for name in ("provider", "model", "config"):
        value = getattr(args, name, None)
        if value:
            out += [f"--{name}", str(value)]
    return out


def flags_from(args: argparse.Namespace) -> dict[str, Any]:
    defaults = {
        key: getattr(args, key) for key in ("provider", "model") if getattr(args, key, None)
    }
    return {"defaults": defaults} if defaults else {}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from .serve import serve

        return serve(args.host, args.port, args.public, app_args(args), token=args.token)
    if args.command == "search":
        from .config import load_config as read_files
        from .search_cli import search

        loaded = read_files(config_file=args.config)  # the history's place; no provider needed
        return search(
            loaded,
            " ".join(args.terms),
            provider=getattr(args, "provider", None),
            model=getattr(args, "model", None),
            role=args.role,
            limit=args.limit,
            as_json=args.json,
        )
    if args.command == "eval":
        from .eval_cli import evaluate
        from .providers import load_config

        loaded = load_config(config_file=args.config, flags=flags_from(args))
        for problem in loaded.problems:
            print(f"coda-tui: warning: {problem}", file=sys.stderr)
        return evaluate(loaded, args.set, args.models, args.output, args.concurrency)
    if args.command in ("ask", "models"):
        from . import oneshot
        from .providers import load_config

        loaded = load_config(config_file=args.config, flags=flags_from(args))
        for problem in loaded.problems:
            print(f"coda-tui: warning: {problem}", file=sys.stderr)
        if args.command == "ask" and (args.tools or args.allow_tool):
            from .ask_tools import ask_with_tools

            prompt = oneshot.read_prompt(" ".join(args.prompt))
            if prompt is None:
                return oneshot.EXIT_USAGE
            return ask_with_tools(loaded, args.provider, args.model, prompt, args.allow_tool)
        if args.command == "ask":
            return oneshot.ask(loaded, args.provider, args.model, " ".join(args.prompt))
        return oneshot.models(loaded, args.provider, as_json=args.json)

    os.environ.setdefault("TEXTUAL_FPS", SCREEN_FPS)  # read once, when Textual is imported
    from .ui.app import CodaApp

    # What is imported by now lives as long as the app: the collector need not walk it again
    # while the first frame is built (that cost it 20 ms).
    gc.freeze()

    def reload() -> LoadedConfig:
        from .providers import load_config

        return load_config(config_file=args.config, flags=flags_from(args))

    # The config is read after the first frame (the app calls reload): paint first.
    CodaApp(reload=reload, config_file=args.config).run()
    return 0
