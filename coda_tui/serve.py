"""``coda-tui serve``: the same app in a browser tab, through textual-serve.

Each browser tab runs its own ``coda-tui`` process with the server's environment, API keys
included, so the server listens on loopback unless the user says ``--public`` on purpose.
"""

from __future__ import annotations

import ipaddress
import shlex
import sys
from collections.abc import Sequence

PUBLIC_WARNING = (
    "anyone who can reach {host}:{port} gets coda-tui and every API key in its environment"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


def serve(host: str, port: int, public: bool, app_args: Sequence[str]) -> int:
    if not is_loopback(host):
        if not public:
            print(
                f"coda-tui: refusing to serve on {host} without --public: "
                + PUBLIC_WARNING.format(host=host, port=port),
                file=sys.stderr,
            )
            return 2
        print("coda-tui: warning: " + PUBLIC_WARNING.format(host=host, port=port), file=sys.stderr)
    from textual_serve.server import Server

    command = shlex.join([sys.executable, "-m", "coda_tui", *app_args])
    Server(command, host=host, port=port, title="coda-tui").serve()
    return 0
