"""Drive a program in a real terminal: tmux at 120x40, send keys, poll what the screen shows.

Figures from here are what a user sees: a string counts as shown once ``capture-pane`` returns it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
import uuid
from pathlib import Path

WIDTH, HEIGHT = 120, 40


class TmuxSession:
    def __init__(self, command: str, env: dict[str, str] | None = None, cwd: Path | None = None):
        self.name = f"bench-{uuid.uuid4().hex[:8]}"
        environment = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        where = f"cd {shlex.quote(str(cwd))} && " if cwd else ""
        shell = f"{where}exec env TERM=xterm-256color {environment} {command}"
        command_line = [
            "tmux",
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            shell,
        ]
        for attempt in range(5):  # a tmux server that is just shutting down refuses briefly
            result = subprocess.run(command_line, capture_output=True, text=True)
            if result.returncode == 0:
                break
            time.sleep(0.2 * (attempt + 1))
        else:
            raise RuntimeError(f"tmux would not start: {result.stderr}")
        self.started = time.monotonic()

    @property
    def pid(self) -> int:
        out = subprocess.run(
            ["tmux", "list-panes", "-t", self.name, "-F", "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.split()[0])

    def capture(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def send(self, *keys: str, literal: bool = False) -> None:
        args = ["tmux", "send-keys", "-t", self.name]
        if literal:
            args.append("-l")
        subprocess.run([*args, *keys], check=True)

    def wait_for(self, text: str, timeout: float = 60.0, interval: float = 0.02) -> float:
        """When (time.monotonic(), the clock the benchmark servers stamp) ``text`` was first
        seen on screen."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.capture():
                return time.monotonic()
            time.sleep(interval)
        raise TimeoutError(f"{text!r} not on screen after {timeout} s:\n{self.capture()}")

    def submit(self, prompt: str, probe_echo: bool = False) -> tuple[float, list[float]]:
        """Type ``prompt``, press Enter: (perf_counter at Enter, key echo latencies if asked,
        measured once the answer has started to show)."""
        self.send(prompt, literal=True)
        self.wait_for(prompt, timeout=10)
        start = time.monotonic()
        self.send("Enter")
        echoes: list[float] = []
        if probe_echo:
            self.wait_for("Streaming text", timeout=30, interval=0.005)
            echoes = self.echo_latencies()
        return start, echoes

    def echo_latencies(self, count: int = 5, gap: float = 0.15) -> list[float]:
        """Seconds until each of ``count`` short strings, typed ``gap`` apart, shows on screen."""
        latencies = []
        for index in range(count):
            time.sleep(gap)
            probe = f"zq{index}"
            sent = time.monotonic()
            self.send(probe, literal=True)
            latencies.append(self.wait_for(probe, timeout=10, interval=0.002) - sent)
        return latencies

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def cpu_seconds(self) -> float:
        """User and system CPU the program has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def __enter__(self) -> TmuxSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def isolated_env(root: Path, config: str = "") -> dict[str, str]:
    """CODA_* dirs under ``root`` so a benchmark never touches the user's files."""
    env = {}
    for variable, name in (
        ("CODA_CONFIG_DIR", "config"),
        ("CODA_DATA_DIR", "data"),
        ("CODA_CACHE_DIR", "cache"),
    ):
        path = root / name
        path.mkdir(parents=True, exist_ok=True)
        env[variable] = str(path)
    env["CODA_SYSTEM_CONFIG"] = str(root / "no-system-config.toml")
    (root / "config" / "config.toml").write_text(config, encoding="utf-8")
    env["PATH"] = os.environ.get("PATH", "")
    if os.environ.get("PYTHONPATH"):  # A/B: the app from another checkout, in the same sitting
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    return env
