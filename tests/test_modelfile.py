"""The Modelfile parser against Ollama's own cases (ollama/parser/parser_test.go, ported as is)."""

from __future__ import annotations

import pytest

from coda_tui.providers.ollama.modelfile import (
    Command,
    ModelfileError,
    create_request,
    parse,
    starting_modelfile,
)


def pairs(text: str) -> list[tuple[str, str]]:
    return [(command.name, command.args) for command in parse(text)]


def test_trim_space() -> None:  # TestParseFileTrimSpace
    text = (
        '\nFROM "     model 1"\nADAPTER      adapter3\nLICENSE "MIT       "\n'
        "PARAMETER param1        value1\nPARAMETER param2    value2\n"
        'TEMPLATE """   {{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n'
        '{{ .System }}<|eot_id|>{{ end }}   """    \n'
    )
    assert pairs(text) == [
        ("model", "     model 1"),
        ("adapter", "adapter3"),
        ("license", "MIT       "),
        ("param1", "value1"),
        ("param2", "value2"),
        (
            "template",
            "   {{ if .System }}<|start_header_id|>system<|end_header_id|>\n\n"
            "{{ .System }}<|eot_id|>{{ end }}   ",
        ),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # TestParseFileMessages
        (
            "\nFROM foo\nMESSAGE system You are a file parser. Always parse things.\n",
            [("model", "foo"), ("message", "system: You are a file parser. Always parse things.")],
        ),
        (
            "\nFROM foo\nMESSAGE system You are a file parser. Always parse things.",
            [("model", "foo"), ("message", "system: You are a file parser. Always parse things.")],
        ),
        (
            '\nFROM foo\nMESSAGE system """\nYou are a multiline file parser.\n"""\n\t\t\t',
            [("model", "foo"), ("message", "system: \nYou are a multiline file parser.\n")],
        ),
        # TestParseFileQuoted
        (
            '\nFROM foo\nSYSTEM """\nThis is a\nmultiline system.\n"""\n\t\t\t',
            [("model", "foo"), ("system", "\nThis is a\nmultiline system.\n")],
        ),
        (
            '\nFROM foo\nSYSTEM """This is a\nmultiline system."""\n',
            [("model", "foo"), ("system", "This is a\nmultiline system.")],
        ),
        (
            '\nFROM foo\nSYSTEM """\nThis is a multiline system with "quotes".\n"""\n',
            [("model", "foo"), ("system", '\nThis is a multiline system with "quotes".\n')],
        ),
        ('\nFROM foo\nSYSTEM """"""\n', [("model", "foo"), ("system", "")]),
        ('\nFROM foo\nSYSTEM ""\n', [("model", "foo"), ("system", "")]),
        ('\nFROM foo\nSYSTEM "\'"\n', [("model", "foo"), ("system", "'")]),
        (
            '\nFROM foo\nSYSTEM """\'\'"\'""\'""\'"\'\'\'\'\'""\'""\'"""\n',
            [("model", "foo"), ("system", "''\"'\"\"'\"\"'\"'''''\"\"'\"\"'")],
        ),
        (
            '\nFROM foo\nTEMPLATE """\n{{ .Prompt }}\n"""',
            [("model", "foo"), ("template", "\n{{ .Prompt }}\n")],
        ),
        ("\n# comment\nFROM foo\n\t", [("model", "foo")]),  # TestParseFileComments
        ("\ufeffFROM foo\n", [("model", "foo")]),  # a byte-order mark is skipped
    ],
)
def test_ollamas_cases(text: str, expected: list[tuple[str, str]]) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("line", "name", "value"),
    [  # TestParseFileParameters
        ("num_ctx 1", "num_ctx", "1"),
        ("top_p 1.0", "top_p", "1.0"),
        ("stop ### User:", "stop", "### User:"),
        ("stop ### User: ", "stop", "### User:"),
        ('stop "### User:"', "stop", "### User:"),
        ('stop "### User: "', "stop", "### User: "),
        ('stop """### User:"""', "stop", "### User:"),
        ('stop """### User:\n"""', "stop", "### User:\n"),
        ("stop <|endoftext|>", "stop", "<|endoftext|>"),
        ("stop </s>", "stop", "</s>"),
    ],
)
def test_parameters(line: str, name: str, value: str) -> None:
    assert parse(f"FROM foo\nPARAMETER {line}\n")[1] == Command(name, value, 2)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("\nFROM foo\nBADCOMMAND param1 value1\n", 3, "command must be one of"),
        ("\nFROM foo\nMESSAGE badguy I'm a bad guy!\n", 3, "message role must be one of"),
        ("\nFROM foo\nMESSAGE system\n", 3, "has no value"),
        ("\nFROM foo\nPARAMETER param1\n", 3, "has no value"),
        ('\nFROM foo\nSYSTEM """This is a multiline system.""\n', 3, "never closed"),
        ('\nFROM foo\nSYSTEM "\n\t\t\t', 3, "never closed"),
        ("SYSTEM hello\n", 0, "no FROM line"),
    ],
)
def test_errors_name_their_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ModelfileError, match=words) as caught:
        parse(text)
    assert caught.value.line == line


def test_create_request_is_what_the_cli_sends() -> None:
    """parser.CreateRequest: typed parameters, stop as a list, licenses as a list, messages."""
    text = (
        "FROM llama3.2\nPARAMETER temperature 0.7\nPARAMETER num_ctx 4096\n"
        "PARAMETER use_mmap false\nPARAMETER stop <a>\nPARAMETER stop <b>\n"
        "PARAMETER mirostat 1\nLICENSE MIT\nLICENSE Apache\nMESSAGE user hi\n"
        "MESSAGE assistant hello\nSYSTEM be brief\nREQUIRES v0.14.0\n"
    )
    request = create_request("mine", text)
    assert request.body == {
        "model": "mine",
        "from": "llama3.2",
        "parameters": {
            "temperature": 0.7,
            "num_ctx": 4096,
            "use_mmap": False,
            "stop": ["<a>", "<b>"],
        },
        "license": ["MIT", "Apache"],
        "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}],
        "system": "be brief",
        "requires": "0.14.0",
    }
    assert request.warnings == ["line 7: mirostat is deprecated (ignored)"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("FROM x\n\nPARAMETER temprature 0.2\n", 3, "unknown parameter 'temprature'"),
        ("FROM x\nPARAMETER temperature warm\n", 2, "temperature takes a number"),
        ("FROM x\nPARAMETER num_ctx 4k\n", 2, "num_ctx takes a whole number"),
        ("FROM x\nPARAMETER use_mmap yes\n", 2, "use_mmap is true or false"),
        ("FROM x\nREQUIRES soon\n", 2, "valid semver"),
        ("FROM /usr/share/ollama/.ollama/models/blobs/sha256-abc\n", 1, "FROM a file"),
        ("FROM x\nADAPTER ./lora.gguf\n", 2, "ADAPTER names a file"),
    ],
)
def test_create_request_refuses_at_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ModelfileError, match=words) as caught:
        create_request("mine", text)
    assert caught.value.line == line


def test_starting_point_is_the_bases_modelfile_from_its_name() -> None:
    shown = (
        '# Modelfile generated by "ollama show"\n'
        "# To build a new Modelfile based on this, replace FROM with:\n"
        "# FROM llama3.2:latest\n\n"
        "FROM /usr/share/ollama/.ollama/models/blobs/sha256-dde5aa3fc5ff\n"
        'TEMPLATE """{{ .Prompt }}"""\nPARAMETER stop <|eot_id|>\n'
    )
    text = starting_modelfile("llama3.2:latest", shown)
    assert text.splitlines()[:2] == ['# Modelfile generated by "ollama show"', ""]
    assert "FROM llama3.2:latest\n" in text and "blobs" not in text
    assert create_request("copy", text).body["from"] == "llama3.2:latest"
