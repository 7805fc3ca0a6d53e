"""Attachments below the UI: reading and refusing files, the project's file list, the checks
before sending, history by reference and digest, and an image in each API's own shape,
asserted on what each local test server received."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ollama
import pytest

from coda_tui.providers import ImagePart, ImagesNotSupportedError, Message, Model, ProviderFactory
from coda_tui.services.attachments import (
    AttachmentError,
    attach,
    context_refusal,
    project_files,
    user_message,
    vision_refusal,
)
from coda_tui.services.chat_session import ChatSession
from coda_tui.store import ChatStore, chat_to_json, chat_to_markdown

from .servers.ollama import FakeModel, OllamaServer
from .servers.openai_compat import OpenAICompatServer


def png(width: int = 2, height: int = 1) -> bytes:
    """A real PNG (any decoder opens it): signature, IHDR, one IDAT, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\0" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()
PNG_B64 = base64.b64encode(PNG).decode()


def with_image(text: str = "What is in this picture?") -> list[Message]:
    return [
        Message(role="user", content=text, images=[ImagePart(media_type="image/png", data=PNG_B64)])
    ]


# -- reading a file ---------------------------------------------------------------------------


def test_a_text_file_an_image_and_what_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes.py"
    notes.write_text("print('hello')\n" * 10)
    attached = attach(notes)
    assert (attached.kind, attached.media_type, attached.size) == ("file", "text/x-python", 150)
    assert attached.tokens == 38 and len(attached.digest) == 64
    picture = tmp_path / "shot.jpg"  # the name says JPEG; the bytes say PNG, and win
    picture.write_bytes(PNG)
    assert (attach(picture).kind, attach(picture).media_type) == ("image", "image/png")
    (tmp_path / "a.out").write_bytes(b"\x7fELF\x00\x01")
    with pytest.raises(AttachmentError, match=r"a\.out is a binary file"):
        attach(tmp_path / "a.out")
    with pytest.raises(AttachmentError, match="is not a file"):
        attach(tmp_path)
    (tmp_path / "big.log").write_text("x" * 2_000_001)
    with pytest.raises(AttachmentError, match=r"big\.log is 2\.0 MB; text files go up to 2 MB"):
        attach(tmp_path / "big.log")


def test_the_project_files_as_git_would_list_them(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.log\nbuild/\n")
    (tmp_path / "src" / "deep").mkdir(parents=True)
    (tmp_path / "src" / ".gitignore").write_text("secret.txt\n!keep.log\n")
    for name in ("README.md", "app.log", "src/main.py", "src/secret.txt", "src/keep.log"):
        (tmp_path / name).write_text("text\n")
    (tmp_path / "src" / "deep" / "x.txt").write_text("deep\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text("built\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("ref\n")
    (tmp_path / "logo.png").write_bytes(PNG)
    (tmp_path / "tool.bin").write_bytes(b"\x00\x01\x02")
    files, cut = project_files(tmp_path)
    assert [f.path for f in files] == [
        ".gitignore",
        "README.md",
        "logo.png",
        "src/.gitignore",
        "src/keep.log",
        "src/main.py",
        "src/deep/x.txt",
    ]
    assert not cut and [f.image for f in files if f.path == "logo.png"] == [True]
    files, cut = project_files(tmp_path, limit=3)
    assert len(files) == 3 and cut


# -- what the model is sent, and what is refused before -----------------------------------------


def test_files_go_first_in_fences_and_changes_are_said(tmp_path: Path) -> None:
    code = tmp_path / "fence.md"
    code.write_text("a ``` fence inside\n")
    picture = tmp_path / "p.png"
    picture.write_bytes(PNG)
    attachments = [attach(code), attach(picture)]
    request = user_message("Explain", attachments)
    assert request.message.content == (f"File {code}:\n\n````\na ``` fence inside\n````\n\nExplain")
    assert request.message.images == [ImagePart(media_type="image/png", data=PNG_B64)]
    assert request.notes == []
    code.write_text("changed\n")
    picture.unlink()
    request = user_message("Explain", attachments)
    assert "changed\n" in (request.message.content or "") and request.message.images is None
    assert request.notes == [
        "fence.md changed since it was attached: it is sent as it is now",
        f"p.png is no longer at {picture}",
    ]


def test_a_model_without_vision_refuses_and_names_one_that_can(tmp_path: Path) -> None:
    picture = tmp_path / "p.png"
    picture.write_bytes(PNG)
    images = [attach(picture)]
    text_only = Model(id="mock-1", provider="mock", capabilities=["chat"])
    seeing = Model(id="mock-vision", provider="mock", capabilities=["chat", "vision"])
    elsewhere = Model(id="llava", provider="ollama", capabilities=["chat", "vision"])
    unknown = Model(id="x", provider="local", capabilities_known=False)
    assert (
        vision_refusal(text_only, images, [elsewhere, text_only, seeing])
        == "mock-1 takes no images; mock · mock-vision does"
    )
    assert vision_refusal(text_only, images, [text_only]) == (
        "mock-1 takes no images; no model listed here does"
    )
    assert vision_refusal(seeing, images, []) is None
    assert vision_refusal(unknown, images, []) is None  # the server will say
    assert vision_refusal(None, images, []) is None


def test_a_file_too_big_for_the_context_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("line of the log\n" * 10_000)  # 160,000 characters: about 40,000 tokens
    files = [attach(log)]
    small = Model(id="mock-1", provider="mock", context_length=32_768)
    assert context_refusal(small, files) == (
        "server.log is about 40,000 tokens; mock-1 reads 32,768 in all. Attach a part of it, "
        "or choose a model with a longer context"
    )
    large = Model(id="mock-priced", provider="mock", context_length=128_000)
    assert context_refusal(large, files) is None
    assert "pass mock-priced's context of 128,000 tokens" in str(
        context_refusal(large, files, chat_tokens=100_000)
    )
    assert context_refusal(Model(id="?", provider="x"), files) is None  # no length known


# -- history ------------------------------------------------------------------------------------


def test_history_keeps_attachments_by_path_and_digest(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("remember the milk\n")
    store = ChatStore(tmp_path / "history.sqlite3")
    session = ChatSession(store, "mock", "mock-1")
    session.add_user("What do my notes say?", [attach(notes)])
    assert session.record is not None
    reopened = ChatSession.open(store, session.record.id, last=8)
    [turn] = reopened.turns
    assert [a.name for a in turn.attachments] == ["notes.txt"]
    sent = reopened.request_messages()[-1].content or ""
    assert sent.startswith(f"File {notes}:") and sent.endswith("What do my notes say?")
    # the database holds the path and digest, not the text
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("history.sqlite3*"))  # and -wal
    assert b"remember the milk" not in raw and str(notes).encode() in raw
    messages = store.messages(session.record.id)
    markdown = chat_to_markdown(session.record, messages)
    assert f"Attached:\n- notes.txt ({notes}, text/plain, 18 B, sha256 " in markdown
    exported = chat_to_json(session.record, store.tree(session.record.id))
    assert '"sha256": "' + turn.attachments[0].digest + '"' in exported
    fork = store.fork(session.record.id, messages[0].id, "fork")
    assert store.messages(fork.id)[0].attachments == turn.attachments
    store.delete_chat(session.record.id)
    assert store.attachments([messages[0].id]) == {}


# -- an image in each API's shape ---------------------------------------------------------------


async def test_an_image_reaches_ollama_as_the_ollama_client_sends_it(
    ollama_server: OllamaServer,
) -> None:
    ollama_server.state.add(FakeModel("llava:7b", capabilities=["completion", "vision"]))
    ollama.Client(host=ollama_server.url).chat(
        "llava:7b",
        messages=[{"role": "user", "content": "What is in this picture?", "images": [PNG]}],
    )
    theirs = ollama_server.state.requests[-1][2]["messages"]
    provider = ProviderFactory().create("ollama", base_url=ollama_server.url, model="llava:7b")
    await provider.achat(with_image())
    ours = ollama_server.state.requests[-1][2]["messages"]
    assert (
        ours
        == theirs
        == [{"role": "user", "content": "What is in this picture?", "images": [PNG_B64]}]
    )


@pytest.fixture
def openai_server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as running:
        yield running


@pytest.mark.parametrize("route", ["openai", "hosted_vllm"])  # direct, and through litellm
async def test_an_image_reaches_an_openai_compatible_server_as_content_parts(
    openai_server: OpenAICompatServer, route: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-test-key")
    section: dict[str, Any] = {
        "type": "litellm",
        "model": f"{route}/gpt-4o-mini",
        "api_base": openai_server.api_base,
        "api_key": "${TEST_KEY}",
    }
    provider = ProviderFactory({"providers": {"local": section}}).create("local")
    async for _ in provider.achat_stream(with_image()):
        pass
    [message] = openai_server.state.requests[-1][2]["messages"]
    assert message == {
        "role": "user",
        "content": [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_B64}"}},
        ],
    }


async def test_an_image_reaches_oci_as_image_content_and_cohere_refuses(tmp_path: Path) -> None:
    from .servers.oci_genai import OCIServer
    from .test_oci_provider import COHERE, LLAMA, collect, make_account, provider

    (tmp_path / "oci").mkdir()
    with OCIServer() as server:
        oci = provider(make_account(tmp_path / "oci", server), server)
        await collect(oci, with_image(), model=LLAMA)
        [message] = server.state.chat_bodies[-1]["chatRequest"]["messages"]
        assert message == {
            "role": "USER",
            "content": [
                {"type": "TEXT", "text": "What is in this picture?"},
                {"type": "IMAGE", "imageUrl": {"url": f"data:image/png;base64,{PNG_B64}"}},
            ],
        }
        before = len(server.state.chat_bodies)
        with pytest.raises(ImagesNotSupportedError, match="Cohere's chat on OCI has no images"):
            await collect(oci, with_image(), model=COHERE)
        assert len(server.state.chat_bodies) == before  # refused before sending


async def test_the_mock_vision_model_says_what_it_was_sent() -> None:
    provider = ProviderFactory().create("mock", model="mock-vision", delay=0)
    reply = await provider.achat(with_image())
    assert reply.content == f"I see 1 image (PNG, {len(PNG):,} bytes)."
