"""What every local protocol server shares: a threaded HTTP/1.1 server on 127.0.0.1, request
logging for assertions, JSON replies, chunked streams that can be cut, and disconnect counting."""

from __future__ import annotations

import json
import select
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Generic, TypeVar


@dataclass
class ServerState:
    """Requests seen (method, path, JSON body) and clients that hung up mid-stream."""

    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    """Each request's headers, in order (names lower-cased)."""
    accepts: int = 0
    """TCP connections accepted: fewer than requests when clients keep connections alive."""
    open_connections: int = 0
    """Connections accepted and not yet closed by either side."""
    disconnects: int = 0
    proxied: list[str] = field(default_factory=list)
    """Absolute-form targets of requests sent to this server as a proxy."""
    stream_ends: list[float] = field(default_factory=list)
    """time.monotonic() when each stream's last byte was sent: benchmarks measure from it."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, path: str) -> int:
        return sum(1 for _, p, _ in self.requests if p == path)


class ClientGone(Exception):
    """The client closed the connection while we were streaming to it."""


StateT = TypeVar("StateT", bound=ServerState)


class JSONHandler(BaseHTTPRequestHandler, Generic[StateT]):
    protocol_version = "HTTP/1.1"
    server: LocalHTTPServer[StateT]
    routes: ClassVar[dict[tuple[str, str], Callable[..., None]]] = {}
    stream_content_type = "application/x-ndjson"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep output clean
        pass

    @property
    def state(self) -> StateT:
        return self.server.state

    def encode(self, payload: Any) -> bytes:
        return json.dumps(payload).encode()

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        self.send_json(status, {"error": message}, headers)

    def route(self, method: str, path: str) -> Callable[..., None] | None:
        return self.routes.get((method, path))

    # -- plumbing -------------------------------------------------------------------------------

    def send_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = self.encode(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", self.stream_content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

    def chunk(self, data: bytes) -> None:
        try:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            with self.state.lock:
                self.state.disconnects += 1
            raise ClientGone from None

    def hold_until_gone(self, limit: float) -> None:
        """Send nothing and keep the connection open until the client hangs up (or ``limit``
        seconds pass), as a server whose generation stalled does; counted as a disconnect."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.02)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                with self.state.lock:
                    self.state.disconnects += 1
                break
        self.close_connection = True

    def end_stream(self) -> None:
        self.chunk(b"")
        self.state.stream_ends.append(time.monotonic())

    def cut(self) -> None:
        """Drop the connection mid-stream, without the terminating chunk."""
        self.wfile.flush()
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    def _dispatch(self, method: str) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith("http://"):  # absolute form: we were reached as an HTTP proxy
            with self.state.lock:
                self.state.proxied.append(self.path)
            path = "/" + path.removeprefix("http://").partition("/")[2]
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            self.raw_body = raw
            body = json.loads(raw) if raw else {}
        except json.JSONDecodeError as exc:
            self.error(400, f"invalid character in request body: {exc.msg}")
            return
        with self.state.lock:
            self.state.requests.append((method, path, body if method != "GET" else None))
            self.state.headers.append({k.lower(): v for k, v in self.headers.items()})
        handler = self.route(method, path)
        if handler is None:
            self.error(404, "404 page not found")
            return
        try:
            handler(self, body)
        except ClientGone:
            self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


class LocalHTTPServer(ThreadingHTTPServer, Generic[StateT]):
    daemon_threads = True
    state: StateT

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """One connection, kept alive over as many requests as the client sends; counted."""
        with self.state.lock:
            self.state.accepts += 1
            self.state.open_connections += 1
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.state.lock:
                self.state.open_connections -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Fault tests hang up mid-stream on purpose: that is not a server error to print.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class LocalServer(Generic[StateT]):
    """Runs a handler on 127.0.0.1 (a free port) in a background thread; a context manager."""

    def __init__(self, handler: type[JSONHandler[StateT]], state: StateT, port: int = 0) -> None:
        self.state = state
        self._server: LocalHTTPServer[StateT] = LocalHTTPServer(("127.0.0.1", port), handler)
        self._server.state = state
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer[StateT]:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
