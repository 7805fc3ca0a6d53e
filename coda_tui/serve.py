"""``coda-tui serve``: the same app in a browser tab, through textual-serve.

Each browser tab runs its own ``coda-tui`` process with the server's environment, API keys
included, so the server listens on loopback unless the user says ``--public`` on purpose, and
then every page, file and websocket asks for the random token printed at start (``--token`` asks
for it on loopback too). The token travels once in the URL; the server answers with a cookie and
sends the browser to the same page without it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import shlex
import socket
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

PUBLIC_WARNING = (
    "anyone who can reach {host}:{port} gets coda-tui and every API key in its environment"
)
COOKIE = "coda_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name that may resolve anywhere


def token_matches(given: str | None, token: str) -> bool:
    """Constant time, so a guess learns nothing from how long the answer took."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def address_to_print(host: str, port: int) -> str:
    """What a user types in a browser: a wildcard address is this machine's name."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "[::]") else host
    return f"http://{shown}:{port}"


def serve(host: str, port: int, public: bool, app_args: Sequence[str], token: bool = False) -> int:
    if not is_loopback(host):
        if not public:
            print(
                f"coda-tui: refusing to serve on {host} without --public: "
                + PUBLIC_WARNING.format(host=host, port=port),
                file=sys.stderr,
            )
            return 2
        print("coda-tui: warning: " + PUBLIC_WARNING.format(host=host, port=port), file=sys.stderr)
    secret = secrets.token_urlsafe(24) if (public or token) else None
    command = shlex.join([sys.executable, "-m", "coda_tui", *app_args])
    guarded_server(command, host, port, secret).serve()
    return 0


def guarded_server(command: str, host: str, port: int, token: str | None) -> Any:
    """A textual-serve ``Server`` that asks for ``token`` (when there is one) on every request
    and builds each page's URLs from the address the browser used."""
    from aiohttp import web
    from textual_serve.server import Server

    Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

    @web.middleware
    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        assert token is not None
        if token_matches(request.query.get("token"), token):
            query = request.query.copy()
            del query["token"]
            found = web.HTTPFound(request.rel_url.with_query(query))
            found.set_cookie(COOKIE, token, httponly=True, samesite="Strict")
            raise found
        if token_matches(request.cookies.get(COOKIE), token):
            return await handler(request)
        raise web.HTTPForbidden(
            text="coda-tui: open the address `coda-tui serve` printed, with its token\n"
        )

    class GuardedServer(Server):  # type: ignore[misc]
        async def _make_app(self) -> web.Application:
            app: web.Application = await super()._make_app()
            if token is not None:
                app.middlewares.append(require_token)
            return app

        async def handle_index(self, request: web.Request) -> Any:
            # The page names its websocket and files by absolute URL: the one the browser used
            # reaches this server, where the listening address (0.0.0.0) may not.
            self.public_url = f"{request.scheme}://{request.host}"
            return await super().handle_index(request)

        async def on_startup(self, app: web.Application) -> None:
            where = address_to_print(self.host, self.port)
            url = f"{where}/?token={token}" if token else where
            print(f"coda-tui: serving on {url}  (Ctrl+C stops)", flush=True)

    return GuardedServer(command, host=host, port=port, title="coda-tui")
