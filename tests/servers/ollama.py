"""A local server that speaks Ollama's REST API as docs/api.md of the ollama project documents it.

It binds 127.0.0.1 on a free port, keeps a model store that pull/delete/copy/create really
change, and has knobs for the faults users meet: a slow first token, a paced stream, a stream cut
mid-way, an ``{"error": ...}`` line with HTTP 200, a malformed line, and HTTP 500. The official
``ollama`` client is run against it in tests, so a protocol mismatch fails a test.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from .base import JSONHandler, LocalServer, ServerState

VERSION = "0.12.6"


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


_GO_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def go_json(payload: Any) -> bytes:
    """JSON as Go's encoding/json writes it (Ollama is Go): compact, UTF-8, HTML-safe escapes.

    Characters such as U+0085 stay raw inside strings, as they do on the wire from Ollama.
    """
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _GO_ESCAPES.items():
        text = text.replace(char, escaped)
    return text.encode("utf-8")


def full_name(name: str) -> str:
    """Ollama's names default to the ``latest`` tag: ``llama3`` is ``llama3:latest``."""
    return name if ":" in name.rsplit("/", 1)[-1] else f"{name}:latest"


@dataclass
class FakeModel:
    name: str
    family: str = "llama"
    parameter_size: str = "8.0B"
    quantization: str = "Q4_0"
    size: int = 4_661_224_676
    context_length: int = 8192
    system: str = ""
    capabilities: list[str] = field(default_factory=lambda: ["completion", "tools"])
    modified_at: str = field(default_factory=_now)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.name.encode()).hexdigest()

    def details(self) -> dict[str, Any]:
        return {
            "parent_model": "",
            "format": "gguf",
            "family": self.family,
            "families": [self.family],
            "parameter_size": self.parameter_size,
            "quantization_level": self.quantization,
        }


@dataclass
class Faults:
    """Knobs a test turns to make the server misbehave the way real servers do."""

    first_token_delay: float = 0.0
    token_delay: float = 0.0
    cut_after: int | None = None
    error_after: int | None = None
    error_message: str = "model runner has unexpectedly stopped"
    malformed_after: int | None = None
    status_500: bool = False
    pull_steps: int = 5
    pull_delay: float = 0.0
    pull_cut_after: int | None = None
    bulk: tuple[int, int] | None = None
    """Answer with this many pieces of this many bytes each (a huge reply, fast)."""
    end_delay: float = 0.0
    """Seconds between the last record and the chunk that ends the body: a real server writes
    them apart (the record is flushed, then its handler returns)."""


@dataclass
class OllamaState(ServerState):
    models: dict[str, FakeModel] = field(default_factory=dict)
    library: dict[str, FakeModel] = field(default_factory=dict)
    running: dict[str, datetime] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    reply: str | None = None

    def find(self, name: str) -> FakeModel | None:
        return self.models.get(full_name(name))

    def add(self, model: FakeModel) -> None:
        model.name = full_name(model.name)
        self.models[model.name] = model

    def reply_for(self, messages: list[dict[str, Any]]) -> str:
        if self.reply is not None:
            return self.reply
        last = next((m.get("content", "") for m in reversed(messages) if m["role"] == "user"), "")
        return f"You said: {last}. Ollama fake answering."


def tokens(text: str) -> list[str]:
    """Split into word-sized pieces that join back to ``text`` exactly."""
    pieces: list[str] = []
    current = ""
    for char in text:
        if char.isspace() and current.strip():
            pieces.append(current)
            current = ""
        current += char
    if current:
        pieces.append(current)
    return pieces


class OllamaHandler(JSONHandler[OllamaState]):
    def encode(self, payload: Any) -> bytes:
        return go_json(payload)

    def _line(self, payload: Any) -> None:
        self.chunk(go_json(payload) + b"\n")

    # -- endpoints ------------------------------------------------------------------------------

    def root(self, body: Any) -> None:
        data = b"Ollama is running"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def version(self, body: Any) -> None:
        self.send_json(200, {"version": VERSION})

    def tags(self, body: Any) -> None:
        models = [
            {
                "name": m.name,
                "model": m.name,
                "modified_at": m.modified_at,
                "size": m.size,
                "digest": m.digest,
                "details": m.details(),
            }
            for m in self.state.models.values()
        ]
        self.send_json(200, {"models": models})

    def ps(self, body: Any) -> None:
        running = []
        for name, expires in self.state.running.items():
            model = self.state.find(name)
            if model is None:
                continue
            running.append(
                {
                    "name": model.name,
                    "model": model.name,
                    "size": model.size + 1_000_000_000,
                    "digest": model.digest,
                    "details": model.details(),
                    "expires_at": expires.isoformat(),
                    "size_vram": model.size,
                    "context_length": model.context_length,
                }
            )
        self.send_json(200, {"models": running})

    def show(self, body: Any) -> None:
        model = self.state.find(body.get("model") or body.get("name") or "")
        if model is None:
            self.error(404, f"model '{body.get('model')}' not found")
            return
        arch = model.family
        self.send_json(
            200,
            {
                "license": "LLAMA 3 COMMUNITY LICENSE AGREEMENT",
                "modelfile": f'# Modelfile generated by "ollama show"\nFROM {model.name}\n'
                + (f'SYSTEM "{model.system}"\n' if model.system else ""),
                "parameters": 'num_keep 24\nstop "<|eot_id|>"',
                "template": "{{ .System }}\nUSER: {{ .Prompt }}\nASSISTANT: ",
                "system": model.system,
                "details": model.details(),
                "model_info": {
                    "general.architecture": arch,
                    "general.parameter_count": 8_030_261_248,
                    f"{arch}.context_length": model.context_length,
                    f"{arch}.embedding_length": 4096,
                },
                "capabilities": model.capabilities,
                "modified_at": model.modified_at,
            },
        )

    def chat(self, body: Any) -> None:
        faults = self.state.faults
        name = body.get("model") or ""
        if not name:
            self.error(400, "model is required")
            return
        if faults.status_500:
            self.error(500, "llama runner process has terminated: exit status 2")
            return
        model = self.state.find(name)
        if model is None:
            self.error(404, f'model "{name}" not found, try pulling it first')
            return
        messages = body.get("messages") or []
        if not messages:  # load or unload, as documented
            unload = body.get("keep_alive") in (0, "0", "0s")
            with self.state.lock:
                if unload:
                    self.state.running.pop(model.name, None)
                else:
                    self.state.running[model.name] = datetime.now(UTC) + timedelta(minutes=5)
            self.send_json(
                200,
                {
                    "model": name,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": ""},
                    "done_reason": "unload" if unload else "load",
                    "done": True,
                },
            )
            return
        with self.state.lock:
            self.state.running[model.name] = datetime.now(UTC) + timedelta(minutes=5)
        options = body.get("options") or {}
        pieces = tokens(self.state.reply_for(messages))
        done_reason = "stop"
        limit = options.get("num_predict")
        if isinstance(limit, int) and 0 <= limit < len(pieces):
            pieces, done_reason = pieces[:limit], "length"
        tool_calls = self._tool_calls(body, messages)
        thinking = "Let me think about that." if body.get("think") else None
        final = {
            "model": name,
            "created_at": _now(),
            "message": {"role": "assistant", "content": ""},
            "done": True,
            "done_reason": done_reason,
            "total_duration": 5_191_566_416,
            "load_duration": 2_154_458,
            "prompt_eval_count": sum(len(tokens(m.get("content") or "")) for m in messages),
            "prompt_eval_duration": 383_809_000,
            "eval_count": len(pieces),
            "eval_duration": max(len(pieces), 1) * 10_000_000,
        }
        if body.get("stream") is False:
            message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces)}
            if tool_calls:
                message = {"role": "assistant", "content": "", "tool_calls": tool_calls}
            if thinking:
                message["thinking"] = thinking
            self.send_json(200, {**final, "message": message})
            return
        self.start_stream()
        if faults.first_token_delay:
            time.sleep(faults.first_token_delay)
        for thought in tokens(thinking or ""):  # thinking streams a piece at a time, as text does
            self._line(self._part(name, {"content": "", "thinking": thought}))
            if faults.token_delay:
                time.sleep(faults.token_delay)
        if faults.bulk is not None:
            count, size = faults.bulk
            piece = "x" * size
            pieces = []
            for _ in range(count):
                self._line(self._part(name, {"content": piece}))
        if tool_calls:
            self._line(self._part(name, {"content": "", "tool_calls": tool_calls}))
            pieces = []
        for index, piece in enumerate(pieces):
            if faults.cut_after is not None and index == faults.cut_after:
                self.cut()
                return
            if faults.error_after is not None and index == faults.error_after:
                self._line({"error": faults.error_message})
                self.end_stream()
                return
            if faults.malformed_after is not None and index == faults.malformed_after:
                self.chunk(b'{"model": "' + name.encode() + b'", "message": {"content\n')
            self._line(self._part(name, {"content": piece}))
            if faults.token_delay:
                time.sleep(faults.token_delay)
        self._line(final)
        if faults.end_delay:
            time.sleep(faults.end_delay)
        self.end_stream()

    @staticmethod
    def _part(name: str, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "model": name,
            "created_at": _now(),
            "message": {"role": "assistant", **message},
            "done": False,
        }

    @staticmethod
    def _tool_calls(body: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Call the first offered tool whose name the last user message mentions."""
        if messages[-1].get("role") != "user":
            return []
        prompt = messages[-1].get("content") or ""
        for tool in body.get("tools") or []:
            function = tool.get("function", {})
            if function.get("name") and function["name"] in prompt:
                properties = function.get("parameters", {}).get("properties", {})
                arguments = {key: prompt for key in properties}
                return [{"function": {"name": function["name"], "arguments": arguments}}]
        return []

    def pull(self, body: Any) -> None:
        name = full_name(body.get("model") or body.get("name") or "")
        faults = self.state.faults
        source = self.state.library.get(name)
        stream = body.get("stream", True) is not False
        if not stream:
            if source is None:
                self.error(500, "pull model manifest: file does not exist")
                return
            self._install(source)
            self.send_json(200, {"status": "success"})
            return
        self.start_stream()
        self._line({"status": "pulling manifest"})
        if source is None:  # Ollama reports this failure inside the 200 stream
            self._line({"error": "pull model manifest: file does not exist"})
            self.end_stream()
            return
        digest = f"sha256:{source.digest}"
        step = max(source.size // faults.pull_steps, 1)
        self._line(
            {"status": f"pulling {source.digest[:12]}", "digest": digest, "total": source.size}
        )
        for index, completed in enumerate(range(step, source.size + step, step)):
            if faults.pull_cut_after is not None and index == faults.pull_cut_after:
                self.cut()  # the network went away mid-download
                return
            if faults.pull_delay:
                time.sleep(faults.pull_delay)
            self._line(
                {
                    "status": f"pulling {source.digest[:12]}",
                    "digest": digest,
                    "total": source.size,
                    "completed": min(completed, source.size),
                }
            )
        for status in ("verifying sha256 digest", "writing manifest", "success"):
            if status == "success":
                self._install(source)
            self._line({"status": status})
        self.end_stream()

    def _install(self, source: FakeModel) -> None:
        with self.state.lock:
            self.state.add(FakeModel(**{**source.__dict__, "modified_at": _now()}))

    def delete(self, body: Any) -> None:
        name = body.get("model") or body.get("name") or ""
        with self.state.lock:
            model = self.state.models.pop(full_name(name), None)
            self.state.running.pop(full_name(name), None)
        if model is None:
            self.error(404, f"model '{name}' not found")
            return
        self.send_json(200, {})

    def copy(self, body: Any) -> None:
        source = self.state.find(body.get("source") or "")
        if source is None:
            self.error(404, f"model '{body.get('source')}' not found")
            return
        destination = full_name(body.get("destination") or "")
        with self.state.lock:
            self.state.add(FakeModel(**{**source.__dict__, "name": destination}))
        self.send_json(200, {})

    def create(self, body: Any) -> None:
        name = body.get("model") or ""
        base = self.state.find(body.get("from") or "")
        if base is None:
            self.error(404, f"model '{body.get('from')}' not found")
            return
        system = body.get("system") or base.system
        with self.state.lock:
            self.state.add(FakeModel(**{**base.__dict__, "name": name, "system": system}))
        statuses = ["using existing layer sha256:" + base.digest, "writing manifest", "success"]
        if body.get("stream") is False:
            self.send_json(200, {"status": "success"})
            return
        self.start_stream()
        for status in statuses:
            self._line({"status": status})
        self.end_stream()


ROUTES = {
    ("GET", "/"): OllamaHandler.root,
    ("GET", "/api/version"): OllamaHandler.version,
    ("GET", "/api/tags"): OllamaHandler.tags,
    ("GET", "/api/ps"): OllamaHandler.ps,
    ("POST", "/api/show"): OllamaHandler.show,
    ("POST", "/api/chat"): OllamaHandler.chat,
    ("POST", "/api/pull"): OllamaHandler.pull,
    ("DELETE", "/api/delete"): OllamaHandler.delete,
    ("POST", "/api/copy"): OllamaHandler.copy,
    ("POST", "/api/create"): OllamaHandler.create,
}


OllamaHandler.routes = ROUTES


class OllamaServer(LocalServer[OllamaState]):
    """The fake Ollama on 127.0.0.1; use as a context manager."""

    def __init__(self, state: OllamaState | None = None, port: int = 0) -> None:
        super().__init__(OllamaHandler, state or default_state(), port)

    def __enter__(self) -> OllamaServer:
        super().__enter__()
        return self


def default_state() -> OllamaState:
    state = OllamaState()
    state.add(FakeModel("llama3.2"))
    state.add(
        FakeModel(
            "qwen2.5:0.5b",
            family="qwen2",
            parameter_size="494.03M",
            quantization="Q4_K_M",
            size=397_821_319,
            context_length=32_768,
        )
    )
    state.library["mistral:latest"] = FakeModel(
        "mistral", parameter_size="7.2B", size=4_113_301_824, context_length=32_768
    )
    state.library["tinyllama:latest"] = FakeModel(
        "tinyllama", parameter_size="1.1B", size=637_700_138, context_length=2048
    )
    return state
