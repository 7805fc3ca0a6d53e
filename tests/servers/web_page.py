"""An ordinary web server: every path answers an HTML page, as nginx or a router's admin page
does when a base URL points at the wrong port."""

from __future__ import annotations

from .base import JSONHandler, LocalServer, ServerState

PAGE = (
    b"<!doctype html><html><head><title>Welcome to nginx!</title></head><body>"
    + (b"<p>If you see this page, the nginx web server is working.</p>" * 40)
    + b"</body></html>"
)


class PageHandler(JSONHandler[ServerState]):
    status = 200

    def route(self, method: str, path: str):  # type: ignore[no-untyped-def]
        return PageHandler.page

    def page(self, body: object) -> None:
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


class WebPageServer(LocalServer[ServerState]):
    def __init__(self) -> None:
        super().__init__(PageHandler, ServerState())

    def __enter__(self) -> WebPageServer:
        super().__enter__()
        return self
