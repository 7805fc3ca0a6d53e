"""Modelfiles read as Ollama reads them, turned into the /api/create request its CLI sends.

Ollama's server takes no Modelfile: ``ollama create`` parses it (ollama/parser/parser.go) and
sends the fields. This is that parser, rune for rune, so a Modelfile the CLI accepts is accepted
here and one it refuses is refused, with the line. Its own test cases are ours
(tests/test_modelfile.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

COMMANDS = frozenset(
    "from license template system adapter draft renderer parser parameter message requires".split()
)
ROLES = ("system", "user", "assistant")
INVALID_COMMAND = (
    'command must be one of "from", "license", "template", "system", "adapter", "draft", '
    '"renderer", "parser", "parameter", "message", or "requires"'
)

PARAMETER_TYPES: dict[str, type] = {
    **dict.fromkeys(
        ("num_ctx", "num_batch", "num_gpu", "main_gpu", "num_thread", "draft_num_predict"), int
    ),
    **dict.fromkeys(("num_keep", "seed", "num_predict", "top_k", "repeat_last_n"), int),
    **dict.fromkeys(("top_p", "min_p", "typical_p", "temperature", "repeat_penalty"), float),
    **dict.fromkeys(("presence_penalty", "frequency_penalty"), float),
    "use_mmap": bool,
    "stop": list,
}
"""api.Options' JSON names and kinds, which api.FormatParams checks a PARAMETER against."""

DEPRECATED = frozenset(
    "penalize_newline low_vram f16_kv logits_all vocab_only use_mlock mirostat mirostat_tau "
    "mirostat_eta".split()
)
_GO_BOOLS = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}
_GO_INT = re.compile(r"[+-]?[0-9]+")
_TEMPLATE_LINE = re.compile(r"template: [^:\n]*:(\d+)")


class ModelfileError(ValueError):
    """What is wrong, and where: ``line`` counts from 1 (0 when no line is to blame)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Command:
    name: str
    """``model`` for FROM, a PARAMETER's own name, else the command in lower case."""
    args: str
    line: int


class _State(Enum):
    NIL = 0
    NAME = 1
    VALUE = 2
    PARAMETER = 3
    MESSAGE = 4
    COMMENT = 5


def _unquote(text: str) -> tuple[str, bool]:
    if text.startswith('"""'):
        if len(text) >= 6 and text.endswith('"""'):
            return text[3:-3], True
        return "", False
    if text.startswith('"'):
        if len(text) >= 2 and text.endswith('"'):
            return text[1:-1], True
        return "", False
    return text, True


def _alpha(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def _space(char: str) -> bool:
    return char in " \t"


def _newline(char: str) -> bool:
    return char in "\r\n"


def _next(char: str, state: _State) -> tuple[_State, str]:
    """parser.go's parseRuneForState: the next state and the character to keep ("" keeps none)."""
    if state is _State.NIL:
        if char == "#":
            return _State.COMMENT, ""
        if _space(char) or _newline(char):
            return _State.NIL, ""
        return _State.NAME, char
    if state is _State.NAME:
        if _alpha(char):
            return _State.NAME, char
        if _space(char):
            return _State.VALUE, ""
        raise ValueError(INVALID_COMMAND)
    if state is _State.VALUE:
        return (_State.NIL if _space(char) or _newline(char) else _State.VALUE), char
    if state in (_State.PARAMETER, _State.MESSAGE):
        if _alpha(char) or (state is _State.PARAMETER and (char.isdigit() or char == "_")):
            return state, char
        if _space(char):
            return _State.VALUE, ""
        raise EOFError
    return (_State.NIL if _newline(char) else _State.COMMENT), ""


def parse(text: str) -> list[Command]:
    """The commands of a Modelfile; a ModelfileError names the line Ollama would refuse."""
    commands: list[Command] = []
    state = _State.NIL
    line, start = 1, 1
    buffer: list[str] = []
    name, role = "", ""
    for char in text.removeprefix("\ufeff"):
        if _newline(char):
            line += 1
        try:
            following, kept = _next(char, state)
        except ValueError as exc:
            raise ModelfileError(line, str(exc)) from None
        except EOFError:
            raise ModelfileError(start, _unfinished(name, "".join(buffer))) from None
        if following is not state:
            word = "".join(buffer)
            if state is _State.NAME:
                if word.lower() not in COMMANDS:
                    raise ModelfileError(line, INVALID_COMMAND)
                lowered = word.lower()
                name = "model" if lowered == "from" else lowered
                if lowered == "parameter":
                    following = _State.PARAMETER
                elif lowered == "message":
                    following = _State.MESSAGE
            elif state is _State.PARAMETER:
                name = word
            elif state is _State.MESSAGE:
                if word not in ROLES:
                    raise ModelfileError(
                        line, 'message role must be one of "system", "user", or "assistant"'
                    )
                role = word
            elif state is _State.VALUE:
                value, closed = _unquote(word.strip())
                if not closed or _space(char):
                    buffer.append(char)
                    continue
                commands.append(Command(name, f"{role}: {value}" if role else value, start))
                role = ""
            buffer = []
            if state is _State.NIL and following is _State.NAME:
                start = line
            state = following
        if kept and (kept.isprintable() or kept == " "):
            buffer.append(kept)
    if state is _State.VALUE:
        value, closed = _unquote("".join(buffer).strip())
        if not closed:
            raise ModelfileError(start, _unfinished(name, "".join(buffer)))
        commands.append(Command(name, f"{role}: {value}" if role else value, start))
    elif state not in (_State.NIL, _State.COMMENT):
        raise ModelfileError(start, _unfinished(name, "".join(buffer)))
    if not any(command.name == "model" for command in commands):
        raise ModelfileError(0, "no FROM line: a Modelfile starts from a model")
    return commands


def _unfinished(name: str, buffer: str) -> str:
    shown = "FROM" if name == "model" else name.upper() if name.lower() in COMMANDS else name
    if buffer.strip().startswith('"'):
        return f"{shown or 'the command'} opens a quote that is never closed"
    return f"{shown or 'the command'} has no value"


def _typed(command: Command) -> Any:
    """A PARAMETER's value in the type api.FormatParams gives it, or an error at its line."""
    kind = PARAMETER_TYPES.get(command.name)
    value = command.args
    if kind is None:
        raise ModelfileError(command.line, f"unknown parameter '{command.name}'")
    if kind is list:
        return [value]
    if kind is bool:
        if value not in _GO_BOOLS:
            raise ModelfileError(command.line, f"{command.name} is true or false, not '{value}'")
        return _GO_BOOLS[value]
    if kind is int:
        if not _GO_INT.fullmatch(value):
            message = f"{command.name} takes a whole number, not {value!r}"
            raise ModelfileError(command.line, message)
        return int(value)
    try:
        return float(value.replace("_", "!"))  # Go's ParseFloat takes no digit separators
    except ValueError:
        message = f"{command.name} takes a number, not {value!r}"
        raise ModelfileError(command.line, message) from None


@dataclass
class CreateRequest:
    """The /api/create body a Modelfile makes, and where each field came from."""

    body: dict[str, Any]
    lines: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def line_of(self, error: str) -> int:
        """The Modelfile line a server's error points at (0 when it names none)."""
        found = _TEMPLATE_LINE.search(error)
        if found and "template" in self.lines:
            return self.lines["template"] + int(found.group(1)) - 1
        lowered = error.lower()
        if "model" in self.lines and ("manifest" in lowered or "not found" in lowered):
            return self.lines["model"]
        return 0


def _a_path(text: str) -> bool:
    return text.startswith(("/", "./", "../", "~", "\\")) or "blobs/sha256" in text


def create_request(name: str, text: str) -> CreateRequest:
    """What ``ollama create NAME -f Modelfile`` sends, for a Modelfile FROM a model by name.

    FROM a local file or directory needs its blobs uploaded first, which the CLI does on the
    machine that has the file; here it is refused at its line.
    """
    request = CreateRequest({"model": name})
    body = request.body
    parameters: dict[str, Any] = {}
    for command in parse(text):
        request.lines.setdefault(command.name, command.line)
        if command.name == "model":
            if _a_path(command.args):
                raise ModelfileError(
                    command.line,
                    "FROM a file is not sent to a server from here: FROM a model's name, "
                    "or run `ollama create` where the file is",
                )
            body["from"] = command.args
        elif command.name in ("adapter", "draft"):
            raise ModelfileError(
                command.line, f"{command.name.upper()} names a file: run `ollama create` for it"
            )
        elif command.name in ("template", "system", "renderer", "parser"):
            body[command.name] = command.args
        elif command.name == "license":
            body.setdefault("license", []).append(command.args)
        elif command.name == "requires":
            if not re.fullmatch(r"v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?", command.args):
                raise ModelfileError(command.line, "requires must be a valid semver (e.g. 0.14.0)")
            body["requires"] = command.args.removeprefix("v")
        elif command.name == "message":
            role, _, content = command.args.partition(": ")
            body.setdefault("messages", []).append({"role": role, "content": content})
        elif command.name in DEPRECATED:
            request.warnings.append(f"line {command.line}: {command.name} is deprecated (ignored)")
        else:
            value = _typed(command)
            if isinstance(value, list):
                parameters.setdefault(command.name, []).extend(value)
            else:
                parameters[command.name] = value
    if parameters:
        body["parameters"] = parameters
    return request


def starting_modelfile(name: str, modelfile: str) -> str:
    """The base's own Modelfile (``/api/show``) as a starting point for a new model.

    Ollama writes FROM as the path of the base's blob on the server, with a comment saying to
    put the name there instead: that is done here.
    """
    lines = []
    for line in modelfile.splitlines():
        stripped = line.strip()
        if stripped.startswith("# To build a new Modelfile") or stripped == f"# FROM {name}":
            continue
        if stripped.upper().startswith("FROM "):
            line = f"FROM {name}"
        lines.append(line)
    text = "\n".join(lines).strip("\n") + "\n"
    if not any(line.strip().upper().startswith("FROM ") for line in lines):
        text = f"FROM {name}\n{text}"
    return text
