"""``coda-tui serve``: the app in a real headless Chromium, and the loopback-only default."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coda_tui.serve import is_loopback

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser") if (found := shutil.which(name))), None
)
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# textual-serve keeps its xterm.js Terminal in a closure; the test page names it so the test can
# read the screen the browser shows (xterm draws on a canvas, not in the DOM).
TERMINAL = re.compile(r"this\.terminal=new (\w+)\.Terminal\(")
SCREEN_JS = """() => {
    const buffer = window.codaTerminal.buffer.active;
    const lines = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i).translateToString(true));
    return lines.join("\\n");
}"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "coda_tui", *args], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "example.org"])
def test_a_public_address_needs_public(host: str) -> None:
    refused = run_cli("serve", "--host", host, "--port", str(free_port()))
    assert refused.returncode == 2
    assert f"refusing to serve on {host} without --public" in refused.stderr
    assert "every API key in its environment" in refused.stderr


def test_loopback_addresses() -> None:
    assert all(map(is_loopback, ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "10.0.0.1", "::", "my-host"]))


class Served:
    """A running ``coda-tui serve`` and the address it printed (token included)."""

    def __init__(self, *extra: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coda_tui", "serve", "--port", str(self.port), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        self.base = f"http://127.0.0.1:{self.port}"
        line = self.process.stdout.readline() if self.process.stdout else ""  # its first line
        if "serving on" not in line:
            self.stop()
            pytest.fail(f"coda-tui serve said {line!r}; stderr: {self.stderr}")
        self.printed = line.split("serving on ", 1)[1].split()[0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        self.stop()
        pytest.fail("coda-tui serve did not listen within 30 s")

    @property
    def url(self) -> str:
        """The printed address, reached over loopback."""
        after_host = self.printed.split("/", 3)[3:]
        return self.base + "/" + (after_host[0] if after_host else "")

    @property
    def stderr(self) -> str:
        return self.process.stderr.read() if self.process.stderr else ""

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


@pytest.fixture
def served(user_config: Path) -> Iterator[Served]:
    user_config.write_text("[providers.mock]\ndelay = 0\n", encoding="utf-8")
    server = Served()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def served_public(user_config: Path) -> Iterator[Served]:
    user_config.write_text("[providers.mock]\ndelay = 0\n", encoding="utf-8")
    server = Served("--host", "0.0.0.0", "--public")
    try:
        yield server
    finally:
        server.stop()


def name_the_terminal(route: Any) -> None:
    script = route.fetch().text()
    patched, count = TERMINAL.subn(r"this.terminal=window.codaTerminal=new \1.Terminal(", script)
    assert count == 1, "textual-serve's textual.js changed: find where it makes the Terminal"
    route.fulfill(body=patched, content_type="application/javascript")


def wait_for_text(page: Any, text: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        if page.evaluate("() => Boolean(window.codaTerminal)"):
            screen = page.evaluate(SCREEN_JS)
            if text in screen:
                return str(screen)
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the page showed:\n{screen}")


def chat_in_the_browser(url: str) -> None:
    """Open ``url`` in Chromium, say hello to the mock model and read its answer."""
    if CHROMIUM is None:
        if os.environ.get("CODA_REQUIRE_BROWSER"):  # CI installs it: missing there is a failure
            pytest.fail("no Chromium on a machine that must have it")
        pytest.skip("no Chromium found: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.route(re.compile(r".*/static/js/textual\.js.*"), name_the_terminal)
            page.route(re.compile(r"^https?://(?!127\.0\.0\.1).*"), lambda route: route.abort())
            page.goto(url)
            wait_for_text(page, "Chatting with mock · mock-1")
            page.locator(".xterm-helper-textarea").focus()  # where xterm.js reads keys
            page.keyboard.type("Hi, my name is Ada")
            page.keyboard.press("Enter")
            screen = wait_for_text(page, "Hello, Ada! I am the mock model")
            assert "done · TTFT" in wait_for_text(page, "done · TTFT")
            assert "Hi, my name is Ada" in screen
            assert "token=" not in page.url  # the token went into a cookie
        finally:
            browser.close()


def test_a_prompt_answered_in_the_browser(served: Served) -> None:
    assert "token" not in served.printed  # loopback: no token unless asked for
    chat_in_the_browser(served.url)


def test_public_serving_needs_the_printed_token(served_public: Served) -> None:
    import httpx

    assert "?token=" in served_public.printed
    token = served_public.printed.split("?token=", 1)[1]
    assert len(token) >= 32
    for path in ("/", "/ws", "/static/js/textual.js", "/?token=wrong" + token[6:]):
        answer = httpx.get(served_public.base + path, follow_redirects=False, timeout=10)
        assert answer.status_code == 403, path
        assert "token" in answer.text
    with httpx.Client(base_url=served_public.base, timeout=10) as client:
        first = client.get(f"/?token={token}", follow_redirects=False)
        assert first.status_code == 302 and first.headers["location"] == "/"
        assert "httponly" in first.headers["set-cookie"].lower()
        assert client.get("/").status_code == 200  # the cookie is enough from here on
    chat_in_the_browser(served_public.url)


def test_token_on_loopback_when_asked(user_config: Path) -> None:
    import httpx

    server = Served("--token")
    try:
        assert "?token=" in server.printed
        assert httpx.get(server.base + "/", timeout=10).status_code == 403
        assert httpx.get(server.url, timeout=10, follow_redirects=True).status_code == 200
    finally:
        server.stop()


def test_tokens_compare_exactly() -> None:
    from coda_tui.serve import token_matches

    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc") and not token_matches(None, "abc")
    assert not token_matches("", "abc") and not token_matches("abcd", "abc")
