"""A local server that speaks Ollama's REST API as docs/api.md of the ollama project documents it.

It binds 127.0.0.1 on a free port, keeps a model store that pull/delete/copy/create really
change, and has knobs for the faults users meet: a slow first token, a paced stream, a stream cut
mid-way, an ``{"error": ...}`` line with HTTP 200, a malformed line, and HTTP 500. The official
``ollama`` client is run against it in tests, so a protocol mismatch fails a test.
"""

from __future__ import annotations

import hashlib
import json
import re
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


FOREVER = timedelta(days=292 * 365)
"""Go's time.Duration(math.MaxInt64): what a negative keep_alive becomes."""

_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_GO_PART = re.compile(r"(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)")


def keep_alive(value: Any) -> timedelta:
    """api.Duration.UnmarshalJSON: seconds as a number, else Go's ParseDuration; negative is
    forever, absent is five minutes. Anything else is the error Go's parser gives."""
    if value is None:
        return timedelta(minutes=5)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"Unsupported type: '{type(value).__name__}'")
    if isinstance(value, int | float):
        return FOREVER if value < 0 else timedelta(seconds=value)
    text = value
    sign = -1 if text.startswith("-") else 1
    body = text.lstrip("+-")
    if body == "0":
        return timedelta(0)
    seconds, position = 0.0, 0
    while position < len(body):
        part = _GO_PART.match(body, position)
        if part is None:
            number = re.fullmatch(r"[\d.]+", body[position:])
            reason = "missing unit in duration" if number else "invalid duration"
            raise ValueError(f'time: {reason} "{text}"')
        seconds += float(part.group(1)) * _GO_UNITS[part.group(2)]
        position = part.end()
    if not body:
        raise ValueError(f'time: invalid duration "{text}"')
    return FOREVER if sign < 0 else timedelta(seconds=seconds)


_TEMPLATE_WORDS = set(
    "if else end range with define template block and or not len index slice eq ne lt le gt ge "
    "print printf println html js urlquery call break continue json currentDate".split()
)


def template_error(template: str) -> str | None:
    """The error Go's text/template gives the first fault a fake can see: an action left open,
    or a function that does not exist; ``template: :LINE: ...`` as Ollama passes it on."""
    for number, line in enumerate(template.split("\n"), start=1):
        for action in re.finditer(r"\{\{-?\s*", line):
            rest = line[action.end() :]
            if "}}" not in rest:
                return f"template: :{number}: unclosed action"
            word = re.match(r"[A-Za-z_]\w*", rest)
            if word and word.group(0) not in _TEMPLATE_WORDS:
                return f'template: :{number}: function "{word.group(0)}" not defined'
    return None


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
    template: str = "{{ .System }}\nUSER: {{ .Prompt }}\nASSISTANT: "
    parameters: dict[str, Any] = field(
        default_factory=lambda: {"num_keep": 24, "stop": ["<|eot_id|>"]}
    )
    license: list[str] = field(default_factory=lambda: ["LLAMA 3 COMMUNITY LICENSE AGREEMENT"])
    messages: list[dict[str, str]] = field(default_factory=list)
    vram_fraction: float = 1.0
    """The share of the loaded model that fits in GPU memory (ps's size_vram / size)."""

    def parameters_text(self) -> str:
        """/api/show's ``parameters``: one ``key value`` line each, a list one line per item."""
        lines = []
        for key, value in self.parameters.items():
            for item in value if isinstance(value, list) else [value]:
                shown = json.dumps(item) if isinstance(item, str) and " " in item else item
                lines.append(f"{key:<30} {shown}")
        return "\n".join(lines)

    def modelfile(self) -> str:
        """What ``ollama show --modelfile`` prints: FROM the blob's path on the server."""
        lines = [
            '# Modelfile generated by "ollama show"',
            "# To build a new Modelfile based on this, replace FROM with:",
            f"# FROM {self.name}",
            "",
            f"FROM /usr/share/ollama/.ollama/models/blobs/sha256-{self.digest}",
            f'TEMPLATE """{self.template}"""',
        ]
        if self.system:
            lines.append(f'SYSTEM """{self.system}"""')
        for key, value in self.parameters.items():
            for item in value if isinstance(value, list) else [value]:
                lines.append(f"PARAMETER {key} {item}")
        lines += [f'LICENSE """{text}"""' for text in self.license]
        lines += [f"MESSAGE {m['role']} {m['content']}" for m in self.messages]
        return "\n".join(lines) + "\n"

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
    create_delay: float = 0.0
    show_delay: float = 0.0
    """Seconds /api/show takes (a real server reads the model's file header each time)."""


@dataclass
class OllamaState(ServerState):
    models: dict[str, FakeModel] = field(default_factory=dict)
    library: dict[str, FakeModel] = field(default_factory=dict)
    running: dict[str, datetime] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    reply: str | None = None
    partial: dict[str, int] = field(default_factory=dict)
    """Bytes of a blob a cut pull left on disk, by digest: the next pull goes on from there."""

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
        now = datetime.now(UTC)
        with self.state.lock:  # the scheduler unloads a model when its keep_alive runs out
            for name in [n for n, expires in self.state.running.items() if expires <= now]:
                del self.state.running[name]
        for name, expires in list(self.state.running.items()):
            model = self.state.find(name)
            if model is None:
                continue
            size = model.size + 1_000_000_000  # the weights and the context's cache
            running.append(
                {
                    "name": model.name,
                    "model": model.name,
                    "size": size,
                    "digest": model.digest,
                    "details": model.details(),
                    "expires_at": expires.isoformat(),
                    "size_vram": int(size * model.vram_fraction),
                    "context_length": model.context_length,
                }
            )
        self.send_json(200, {"models": running})

    def show(self, body: Any) -> None:
        if self.state.faults.show_delay:
            time.sleep(self.state.faults.show_delay)
        model = self.state.find(body.get("model") or body.get("name") or "")
        if model is None:
            self.error(404, f"model '{body.get('model')}' not found")
            return
        arch = model.family
        self.send_json(
            200,
            {
                "license": "\n".join(model.license),
                "modelfile": model.modelfile(),
                "parameters": model.parameters_text(),
                "template": model.template,
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
        try:
            keep = keep_alive(body.get("keep_alive"))
        except ValueError as exc:  # gin's binding fails before the handler runs
            self.error(400, str(exc))
            return
        if not messages:  # load or unload, as documented
            unload = keep == timedelta(0)
            with self.state.lock:
                if unload:
                    self.state.running.pop(model.name, None)
                else:
                    self.state.running[model.name] = datetime.now(UTC) + keep
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
            if keep:
                self.state.running[model.name] = datetime.now(UTC) + keep
            else:  # keep_alive 0: answered, then unloaded
                self.state.running.pop(model.name, None)
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
        done = self.state.partial.get(digest, 0)  # Ollama resumes a blob where it stopped
        status = f"pulling {source.digest[:12]}"
        first = {"status": status, "digest": digest, "total": source.size}
        self._line({**first, "completed": done} if done else first)
        index = 0
        while done < source.size:
            if faults.pull_cut_after is not None and index == faults.pull_cut_after:
                with self.state.lock:
                    self.state.partial[digest] = done
                self.cut()  # the network went away mid-download
                return
            if faults.pull_delay:
                time.sleep(faults.pull_delay)
            done = min(done + step, source.size)
            self._line(
                {"status": status, "digest": digest, "total": source.size, "completed": done}
            )
            index += 1
        with self.state.lock:
            self.state.partial.pop(digest, None)
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
        """server/create.go for a model FROM a model: a base missing here is pulled first (its
        failure is a line in the stream), a bad template is a 400 before anything is written."""
        name = body.get("model") or ""
        if not re.fullmatch(r"[A-Za-z0-9][\w.-]*(/[\w.-]+)*(:[\w.-]+)?", name):
            self.error(400, "invalid model name")
            return
        if not body.get("from"):
            self.error(400, "neither 'from' or 'files' was specified")
            return
        problem = template_error(body["template"]) if body.get("template") else None
        base = self.state.find(body["from"])
        stream = body.get("stream", True) is not False
        if base is not None and problem:
            self.error(400, f"template error: {problem}")
            return
        lines: list[dict[str, Any]] = []
        if base is None:
            lines.append({"status": "pulling manifest"})
            base = self.state.library.get(full_name(body["from"]))
            if base is None:
                self._create_failed(stream, lines, "pull model manifest: file does not exist")
                return
            self._install(base)
        if problem:
            self._create_failed(stream, lines, f"template error: {problem}")
            return
        fields = {
            "template": body.get("template") or base.template,
            "system": body.get("system", base.system),
            "parameters": {**base.parameters, **(body.get("parameters") or {})},
            "messages": body.get("messages") or base.messages,
        }
        licenses = body.get("license")
        if licenses:
            fields["license"] = [licenses] if isinstance(licenses, str) else list(licenses)
        lines += [{"status": "using existing layer sha256:" + base.digest}]
        lines += [
            {"status": f"creating {key} layer"} for key in ("template", "system") if body.get(key)
        ]
        if body.get("parameters"):
            lines.append({"status": "creating parameters layer"})
        lines += [{"status": "writing manifest"}, {"status": "success"}]
        with self.state.lock:
            self.state.add(
                FakeModel(**{**base.__dict__, **fields, "name": name, "modified_at": _now()})
            )
        if not stream:
            self.send_json(200, {"status": "success"})
            return
        self.start_stream()
        for line in lines:
            if self.state.faults.create_delay:
                time.sleep(self.state.faults.create_delay)
            self._line(line)
        self.end_stream()

    def _create_failed(self, stream: bool, lines: list[dict[str, Any]], error: str) -> None:
        """streamResponse: an error after a status line is a line in the 200 stream."""
        if not stream or not lines:
            self.error(500, error)
            return
        self.start_stream()
        for line in lines:
            self._line(line)
        self._line({"error": error})
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
