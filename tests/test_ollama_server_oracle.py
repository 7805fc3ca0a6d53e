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


def test_ps_keep_alive_and_partial_offload(
    client: ollama.Client, ollama_server: OllamaServer
) -> None:
    """size_vram below size is a model partly on the CPU; keep_alive -1 keeps it for good."""
    ollama_server.state.models["qwen2.5:0.5b"].vram_fraction = 0.5
    client.chat("qwen2.5:0.5b", messages=[], keep_alive=-1)
    client.chat("llama3.2", messages=[{"role": "user", "content": "x"}], keep_alive="90s")
    running = {m.model: m for m in client.ps().models}
    qwen, llama = running["qwen2.5:0.5b"], running["llama3.2:latest"]
    assert qwen.size_vram is not None and qwen.size is not None
    assert qwen.size_vram == qwen.size // 2
    assert qwen.expires_at is not None and qwen.expires_at.year > 2300
    assert llama.expires_at is not None and llama.size_vram == llama.size
    client.chat("llama3.2", messages=[], keep_alive=0)
    assert {m.model for m in client.ps().models} == {"qwen2.5:0.5b"}
    with pytest.raises(ollama.ResponseError, match="missing unit") as bad:
        client.chat("llama3.2", messages=[], keep_alive="-1")
    assert bad.value.status_code == 400


def test_create_with_every_field_streams_status(client: ollama.Client) -> None:
    statuses = [
        part.status
        for part in client.create(
            "pirate",
            from_="llama3.2",
            system="Arr.",
            template="{{ .Prompt }}",
            parameters={"temperature": 0.3, "stop": ["<end>"]},
            license="MIT",
            messages=[{"role": "user", "content": "ahoy"}],
            stream=True,
        )
    ]
    assert statuses[0].startswith("using existing layer") and statuses[-1] == "success"
    shown = client.show("pirate")
    assert (shown.template, shown.license) == ("{{ .Prompt }}", "MIT")
    assert 'SYSTEM """Arr."""' in (shown.modelfile or "")
    assert "temperature" in (shown.parameters or "") and "<end>" in (shown.parameters or "")
    assert "MESSAGE user ahoy" in (shown.modelfile or "")
    assert (shown.modelfile or "").count("FROM /") == 1  # the blob's path, as Ollama writes it


def test_create_failures_as_ollama_reports_them(client: ollama.Client) -> None:
    with pytest.raises(ollama.ResponseError, match="unclosed action") as template:
        client.create("bad", from_="llama3.2", template="{{ .Prompt")
    assert template.value.status_code == 400
    with pytest.raises(ollama.ResponseError, match="file does not exist"):
        list(client.create("x", from_="no-such-base", stream=True))
    statuses = [p.status for p in client.create("t", from_="tinyllama", stream=True)]
    assert (statuses[0], statuses[-1]) == ("pulling manifest", "success")


def test_a_cut_pull_resumes(client: ollama.Client, ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.pull_cut_after = 2
    with pytest.raises(Exception):  # noqa: B017 - the client sees the connection drop
        list(client.pull("mistral", stream=True))
    ollama_server.state.faults.pull_cut_after = None
    parts = list(client.pull("mistral", stream=True))
    assert parts[1].completed and parts[1].total and 0 < parts[1].completed < parts[1].total
    assert parts[-1].status == "success"
