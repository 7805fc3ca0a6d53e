"""The fake Ollama driven by the official ``ollama`` client: if it parses, the fake is faithful."""

from __future__ import annotations

import ollama
import pytest

from .servers.ollama import OllamaServer
from .tools import WEATHER_TOOL


@pytest.fixture
def client(ollama_server: OllamaServer) -> ollama.Client:
    return ollama.Client(host=ollama_server.url)


def test_list_and_show(client: ollama.Client) -> None:
    names = {m.model for m in client.list().models}
    assert names == {"llama3.2:latest", "qwen2.5:0.5b"}
    shown = client.show("llama3.2")
    assert shown.modelinfo is not None
    assert shown.modelinfo["llama.context_length"] == 8192
    assert shown.details is not None and shown.details.quantization_level == "Q4_0"
    assert shown.capabilities == ["completion", "tools"]


def test_chat_stream_and_whole(client: ollama.Client) -> None:
    parts = list(client.chat("llama3.2", messages=[{"role": "user", "content": "hi"}], stream=True))
    assert parts[-1].done and parts[-1].done_reason == "stop"
    assert parts[-1].eval_count == len(parts) - 1
    text = "".join(p.message.content or "" for p in parts)
    whole = client.chat("llama3.2", messages=[{"role": "user", "content": "hi"}])
    assert whole.message.content == text == "You said: hi. Ollama fake answering."


def test_chat_tool_call_arguments_are_objects(client: ollama.Client) -> None:
    tool = WEATHER_TOOL
    reply = client.chat(
        "llama3.2", messages=[{"role": "user", "content": "get_weather Paris"}], tools=[tool]
    )
    [call] = reply.message.tool_calls or []
    assert call.function.name == "get_weather"
    assert call.function.arguments == {"city": "get_weather Paris"}


def test_pull_stream_then_delete(client: ollama.Client) -> None:
    progress = list(client.pull("tinyllama", stream=True))
    assert progress[0].status == "pulling manifest"
    assert progress[-1].status == "success"
    totals = [p for p in progress if p.completed is not None]
    assert totals[-1].completed == totals[-1].total
    assert "tinyllama:latest" in {m.model for m in client.list().models}
    assert client.delete("tinyllama").status == "success"
    assert "tinyllama:latest" not in {m.model for m in client.list().models}


def test_copy_create_and_ps(client: ollama.Client) -> None:
    assert client.copy("llama3.2", "llama-backup").status == "success"
    client.create("pirate", from_="llama3.2", system="Talk like a pirate.")
    assert "Talk like a pirate." in (client.show("pirate").modelfile or "")
    client.chat("llama3.2", messages=[{"role": "user", "content": "x"}])
    [running] = client.ps().models
    assert running.model == "llama3.2:latest"
    assert running.context_length == 8192


def test_errors_are_response_errors(client: ollama.Client, ollama_server: OllamaServer) -> None:
    with pytest.raises(ollama.ResponseError) as missing:
        client.chat("nope", messages=[{"role": "user", "content": "x"}])
    assert missing.value.status_code == 404
    with pytest.raises(ollama.ResponseError) as gone:
        client.delete("nope")
    assert gone.value.status_code == 404
    with pytest.raises(ollama.ResponseError, match="file does not exist"):
        list(client.pull("no-such-model", stream=True))
    ollama_server.state.faults.error_after = 1
    with pytest.raises(ollama.ResponseError, match="unexpectedly stopped"):
        list(client.chat("llama3.2", messages=[{"role": "user", "content": "a b c"}], stream=True))


async def test_async_client_streams_too(ollama_server: OllamaServer) -> None:
    client = ollama.AsyncClient(host=ollama_server.url)
    stream = await client.chat(
        "llama3.2", messages=[{"role": "user", "content": "yo"}], stream=True
    )
    parts = [part async for part in stream]
    assert parts[-1].done
