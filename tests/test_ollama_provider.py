"""OllamaProvider against the protocol-faithful local server: every method, every fault."""

from __future__ import annotations

import asyncio
import contextlib
import socket

import pytest

from coda_tui.providers import (
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    ProviderFactory,
    StreamDecodeError,
)
from coda_tui.providers.ollama.provider import OllamaProvider
from coda_tui.providers.ollama.types import parse_host

from .servers.ollama import OllamaServer
from .tools import WEATHER_TOOL

HELLO = [{"role": "user", "content": "Hello!"}]


def provider_for(server: OllamaServer, **settings: object) -> OllamaProvider:
    provider = ProviderFactory().create("ollama", base_url=server.url, **settings)
    assert isinstance(provider, OllamaProvider)
    return provider


@pytest.fixture
def provider(ollama_server: OllamaServer) -> OllamaProvider:
    return provider_for(ollama_server, model="llama3.2")


def last_body(server: OllamaServer, path: str) -> dict:
    return next(body for _, p, body in reversed(server.state.requests) if p == path)


@pytest.mark.parametrize(
    ("host", "url"),
    [
        (None, "http://localhost:11434"),
        ("", "http://localhost:11434"),
        ("1.2.3.4", "http://1.2.3.4:11434"),
        (":56789", "http://localhost:56789"),
        ("example.com:56789", "http://example.com:56789"),
        ("http://example.com", "http://example.com:80"),
        ("https://example.com", "https://example.com:443"),
        ("example.com:56789/path/", "http://example.com:56789/path"),
        ("[::1]:8080", "http://[::1]:8080"),
        ("https://[::1]", "https://[::1]:443"),
    ],
)
def test_host_parsing_follows_ollamas_rules(host: str | None, url: str) -> None:
    assert parse_host(host) == url


async def test_design_usage_block_with_ollama_host_only(
    ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", f"127.0.0.1:{ollama_server.port}")
    factory = ProviderFactory({})
    provider = factory.create("ollama", model="llama3.2")
    response = await provider.achat([{"role": "user", "content": "Hello!"}])
    streamed = []
    async for chunk in provider.achat_stream(HELLO):
        if chunk.choices[0].delta.content:
            streamed.append(chunk.choices[0].delta.content)
    assert response.content == "You said: Hello!. Ollama fake answering."
    assert "".join(streamed) == response.content
    assert response.provider == "ollama"


async def test_lines_arriving_together_become_one_chunk(provider: OllamaProvider) -> None:
    chunks = [c async for c in provider.achat_stream(HELLO)]
    assert len(chunks) < 7  # seven lines on the wire, merged as they arrived
    assert "".join(c.content for c in chunks) == "You said: Hello!. Ollama fake answering."


async def test_unicode_line_separators_in_output_survive(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.reply = "next\x85line <b> & \u2028 done"
    reply = await provider.achat(HELLO)
    streamed = "".join([c.content async for c in provider.achat_stream(HELLO)])
    assert reply.content == streamed == "next\x85line <b> & \u2028 done"


async def test_paced_stream_arrives_token_by_token(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.token_delay = 0.03
    contents = [c.content async for c in provider.achat_stream(HELLO) if c.content]
    assert contents == ["You", " said:", " Hello!.", " Ollama", " fake", " answering."]


async def test_stream_reports_usage_and_speed_on_the_last_chunk(provider: OllamaProvider) -> None:
    chunks = [c async for c in provider.achat_stream(HELLO)]
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None
    assert final.usage.completion_tokens == 6  # the six words of the fake's answer
    assert final.usage.prompt_tokens == 1
    assert final.metadata["tokens_per_second"] == pytest.approx(100.0)
    assert all(c.finish_reason is None for c in chunks[:-1])


async def test_parameters_become_ollama_options(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    await provider.achat(
        HELLO, temperature=0.2, top_p=0.9, max_tokens=2, stop="###", seed=7, keep_alive="10m"
    )
    body = last_body(ollama_server, "/api/chat")
    assert body["options"] == {
        "temperature": 0.2,
        "top_p": 0.9,
        "num_predict": 2,
        "stop": ["###"],
        "seed": 7,
    }
    assert body["keep_alive"] == "10m"
    assert body["stream"] is False


async def test_max_tokens_maps_done_reason_length(provider: OllamaProvider) -> None:
    chunks = [c async for c in provider.achat_stream(HELLO, max_tokens=2)]
    assert "".join(c.content for c in chunks) == "You said:"
    assert chunks[-1].finish_reason == "length"


async def test_tool_call_round_trip(provider: OllamaProvider, ollama_server: OllamaServer) -> None:
    tool = WEATHER_TOOL
    first = [
        m
        async for m in provider.achat_stream(
            [{"role": "user", "content": "get_weather"}], tools=[tool]
        )
    ]
    calls = [c for chunk in first for c in chunk.choices[0].delta.tool_calls or []]
    assert [c.function.name for c in calls] == ["get_weather"]
    assert calls[0].function.parsed_arguments() == {"city": "get_weather"}
    assert first[-1].finish_reason == "tool_calls"
    assistant = {"role": "assistant", "content": "", "tool_calls": [calls[0].model_dump()]}
    result = {"role": "tool", "tool_call_id": calls[0].id, "content": "sunny"}
    await provider.achat([{"role": "user", "content": "get_weather"}, assistant, result])
    sent = last_body(ollama_server, "/api/chat")["messages"]
    assert sent[1]["tool_calls"] == [
        {"function": {"name": "get_weather", "arguments": {"city": "get_weather"}}}
    ]
    assert sent[2] == {"role": "tool", "content": "sunny", "tool_name": "get_weather"}


async def test_thinking_is_kept_in_metadata(provider: OllamaProvider) -> None:
    chunks = [c async for c in provider.achat_stream(HELLO, think=True)]
    thinking = "".join(c.metadata.get("thinking", "") for c in chunks)
    assert thinking == "Let me think about that."
    assert "".join(c.content for c in chunks) == "You said: Hello!. Ollama fake answering."


def test_sync_api_uses_its_own_client(provider: OllamaProvider) -> None:
    assert provider.chat(HELLO).content == "You said: Hello!. Ollama fake answering."
    pieces = [c.content for c in provider.chat_stream(HELLO) if c.content]
    assert "".join(pieces) == "You said: Hello!. Ollama fake answering."
    assert not provider._clients._clients  # no async client was made for it


async def test_list_models_and_lazy_context_length(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    models = {m.id: m for m in await provider.alist_models()}
    assert set(models) == {"llama3.2:latest", "qwen2.5:0.5b"}
    qwen = models["qwen2.5:0.5b"]
    assert (qwen.family, qwen.parameter_size, qwen.quantization) == ("qwen2", "494.03M", "Q4_K_M")
    assert qwen.size_bytes == 397_821_319
    assert qwen.modified_at is not None
    assert qwen.context_length is None  # not fetched until asked
    assert ollama_server.state.count("/api/show") == 0
    assert (await provider.adescribe_model(qwen)).context_length == 32_768
    assert (await provider.adescribe_model(qwen)).context_length == 32_768
    assert ollama_server.state.count("/api/show") == 1
    again = {m.id: m for m in await provider.alist_models()}
    assert again["qwen2.5:0.5b"].context_length == 32_768


async def test_describe_model_adds_what_tags_leave_out(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.models["llama3.2:latest"].capabilities = ["completion", "vision"]
    listed = {m.id: m for m in await provider.alist_models()}
    llama = await provider.adescribe_model(listed["llama3.2:latest"])
    assert (llama.context_length, llama.capabilities) == (8192, ["chat", "vision"])
    assert llama.size_bytes == listed["llama3.2:latest"].size_bytes  # the listing is kept
    await provider.adescribe_model(listed["llama3.2:latest"])
    assert ollama_server.state.count("/api/show") == 1
    relisted = {m.id: m for m in await provider.alist_models()}
    assert relisted["llama3.2:latest"].capabilities == ["chat", "vision"]


async def test_management_api(provider: OllamaProvider, ollama_server: OllamaServer) -> None:
    assert await provider.version() == "0.12.6"
    assert await provider.list_running() == []
    await provider.achat(HELLO)
    [running] = await provider.list_running()
    assert running.name == "llama3.2:latest" and running.expires_at is not None
    await provider.unload_model("llama3.2")
    assert await provider.list_running() == []
    info = await provider.show_model("llama3.2")
    assert info.context_length == 8192
    assert "# FROM llama3.2:latest" in info.modelfile
    assert info.license.startswith("LLAMA 3")
    await provider.copy_model("llama3.2", "backup")
    statuses = [
        p.status async for p in provider.create_model({"model": "pirate", "from": "llama3.2"})
    ]
    assert statuses[-2:] == ["writing manifest", "success"]
    assert (await provider.show_model("pirate")).system == ""
    names = {m.id for m in await provider.alist_models()}
    assert {"backup:latest", "pirate:latest"} <= names
    await provider.delete_model("backup")
    assert "backup:latest" not in {m.id for m in await provider.alist_models()}


async def test_pull_progress_streams_as_it_arrives(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_delay = 0.05
    seen = []
    async with contextlib.aclosing(provider.pull_model("mistral")) as progress:
        async for update in progress:
            installed = ollama_server.state.find("mistral") is not None
            seen.append((update.status, update.fraction, installed))
    assert seen[0] == ("pulling manifest", None, False)
    downloading = [s for s in seen if s[1] is not None]
    assert [f for _, f, _ in downloading][-1] == 1.0
    # each partial update reached us while the server was still downloading
    assert all(not installed for _, fraction, installed in downloading if fraction < 1.0)
    assert len(downloading) >= 5
    assert seen[-1][0] == "success"
    assert "mistral:latest" in {m.id for m in await provider.alist_models()}


async def test_cancelling_a_pull_closes_the_http_stream(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_delay = 0.05
    ollama_server.state.faults.pull_steps = 100

    async def pull() -> None:
        async for _ in provider.pull_model("mistral"):
            pass

    task = asyncio.create_task(pull())
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for _ in range(100):
        if ollama_server.state.disconnects:
            break
        await asyncio.sleep(0.02)
    assert ollama_server.state.disconnects == 1
    assert ollama_server.state.find("mistral") is None


async def test_pull_failure_inside_a_200_stream(provider: OllamaProvider) -> None:
    with pytest.raises(ProviderError, match="pull model manifest: file does not exist"):
        async for _ in provider.pull_model("no-such-model"):
            pass


async def test_delete_missing_model_is_model_not_found(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError, match="not found"):
        await provider.delete_model("nope")
    with pytest.raises(ModelNotFoundError):
        await provider.copy_model("nope", "other")


# -- faults -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_server_down_says_how_to_start_it() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    provider = ProviderFactory().create("ollama", base_url=url, model="llama3.2")
    with pytest.raises(ProviderConnectionError) as caught:
        await provider.achat(HELLO)
    assert str(caught.value) == (
        f"ollama: Ollama is not running at {url} — start it with `ollama serve`, "
        "or set base_url / OLLAMA_HOST"
    )
    with pytest.raises(ProviderConnectionError, match="not running"):
        [c async for c in provider.achat_stream(HELLO)]
    with pytest.raises(ProviderConnectionError, match="not running"):
        await provider.alist_models()
    with pytest.raises(ProviderConnectionError, match="not running"):
        provider.chat(HELLO)


async def test_unknown_model_says_how_to_pull_it(provider: OllamaProvider) -> None:
    with pytest.raises(ModelNotFoundError) as caught:
        [c async for c in provider.achat_stream(HELLO, model="llama3")]
    assert caught.value.hint == "run `ollama pull llama3`"
    assert 'model "llama3" not found' in caught.value.message
    with pytest.raises(ModelNotFoundError, match="ollama pull llama3"):
        await provider.achat(HELLO, model="llama3")


async def test_error_line_mid_stream(provider: OllamaProvider, ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.error_after = 2
    received = []
    with pytest.raises(ProviderError) as caught:
        async for chunk in provider.achat_stream(HELLO):
            received.append(chunk.content)
    assert caught.value.message == "model runner has unexpectedly stopped"
    assert "".join(received) == "You said:"


@pytest.mark.parametrize("sync", [False, True])
async def test_cut_stream_keeps_the_partial_text(
    provider: OllamaProvider, ollama_server: OllamaServer, sync: bool
) -> None:
    ollama_server.state.faults.cut_after = 3
    with pytest.raises(ProviderConnectionError) as caught:
        if sync:
            await asyncio.to_thread(lambda: list(provider.chat_stream(HELLO)))
        else:
            [c async for c in provider.achat_stream(HELLO)]
    assert caught.value.partial_text == "You said: Hello!."


async def test_malformed_line_names_the_text(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.malformed_after = 1
    with pytest.raises(StreamDecodeError, match="malformed line") as caught:
        [c async for c in provider.achat_stream(HELLO)]
    assert '"message": {"content' in str(caught.value)


async def test_server_error_500(provider: OllamaProvider, ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.status_500 = True
    with pytest.raises(ProviderError, match="llama runner process has terminated") as caught:
        [c async for c in provider.achat_stream(HELLO)]
    assert caught.value.status_code == 500
    assert caught.value.hint == "check the Ollama server log"


async def test_slow_first_token_beyond_timeout(ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.first_token_delay = 1.0
    provider = provider_for(ollama_server, model="llama3.2", timeout=0.2)
    with pytest.raises(ProviderConnectionError, match=r"did not answer within 0\.2 s"):
        [c async for c in provider.achat_stream(HELLO)]


async def test_slow_first_token_within_timeout_streams(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.first_token_delay = 0.2
    chunks = [c async for c in provider.achat_stream(HELLO)]
    assert chunks[-1].finish_reason == "stop"


async def test_aclose_releases_the_pool(provider: OllamaProvider) -> None:
    await provider.achat(HELLO)
    client = provider.client
    await provider.aclose()
    assert client.is_closed


async def test_create_streams_status_and_reports_a_bad_template_and_a_missing_base(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    from coda_tui.providers.ollama.modelfile import create_request

    text = "FROM llama3.2\nSYSTEM Arr.\nPARAMETER temperature 0.3\nPARAMETER stop <end>\n"
    request = create_request("pirate", text)
    statuses = [p.status async for p in provider.create_model(request.body)]
    assert "creating system layer" in statuses and statuses[-1] == "success"
    [(_, _, body)] = [r for r in ollama_server.state.requests if r[1] == "/api/create"]
    assert body == {
        "model": "pirate",
        "from": "llama3.2",
        "system": "Arr.",
        "parameters": {"temperature": 0.3, "stop": ["<end>"]},
        "stream": True,
    }
    info = await provider.show_model("pirate")
    assert (info.system, "temperature" in info.parameters) == ("Arr.", True)

    bad = create_request("bad", 'FROM llama3.2\nTEMPLATE """{{ .System }}\n{{ .Prompt\n"""\n')
    with pytest.raises(ProviderError) as template:
        [p async for p in provider.create_model(bad.body)]
    assert template.value.status_code == 400 and "unclosed action" in str(template.value)
    assert bad.line_of(str(template.value)) == 3  # the template's second line

    missing = create_request("x", "# a comment\nFROM no-such-base\n")
    with pytest.raises(ProviderError, match="file does not exist") as gone:
        [p async for p in provider.create_model(missing.body)]
    assert missing.line_of(str(gone.value)) == 2


async def test_a_create_from_a_base_not_here_pulls_it_first(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    body = {"model": "tiny-pirate", "from": "tinyllama", "system": "Arr."}
    statuses = [p.status async for p in provider.create_model(body)]
    assert statuses[0] == "pulling manifest" and statuses[-1] == "success"
    names = {m.id for m in await provider.alist_models()}
    assert {"tinyllama:latest", "tiny-pirate:latest"} <= names


async def test_keep_alive_per_model_pins_and_the_chat_sends_it(
    ollama_server: OllamaServer,
) -> None:
    provider = OllamaProvider(
        base_url=ollama_server.url,
        model="llama3.2",
        keep_alive="10m",
        model_keep_alive={"llama3.2:latest": -1},
    )
    await provider.achat(HELLO)
    await provider.achat(HELLO, model="qwen2.5:0.5b")
    chats = [body for _, path, body in ollama_server.state.requests if path == "/api/chat"]
    assert [body["keep_alive"] for body in chats] == [-1, "10m"]
    running = {r.name: r for r in await provider.list_running()}
    assert running["llama3.2:latest"].pinned and running["llama3.2:latest"].remaining() is None
    left = running["qwen2.5:0.5b"].remaining()
    assert left is not None and 590 < left.total_seconds() <= 600
    await provider.keep_loaded("qwen2.5:0.5b", -1)
    assert {r.name: r for r in await provider.list_running()}["qwen2.5:0.5b"].pinned
    with pytest.raises(ProviderError, match="missing unit"):  # Ollama's Go duration parser
        await provider.keep_loaded("qwen2.5:0.5b", "-1")
    await provider.aclose()


async def test_ps_tells_how_much_runs_on_the_cpu(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.models["llama3.2:latest"].vram_fraction = 0.73
    await provider.keep_loaded("llama3.2", "5m")
    [running] = await provider.list_running()
    assert running.size == 5_661_224_676
    assert running.size_cpu == running.size - running.size_vram
    assert (running.cpu_percent, running.processor()) == (27, "27%/73% CPU/GPU")


async def test_a_cut_pull_resumes_where_it_stopped(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    ollama_server.state.faults.pull_cut_after = 2
    seen: list[int] = []
    with pytest.raises(ProviderError):
        async for progress in provider.pull_model("mistral"):
            seen += [progress.completed] if progress.completed else []
    ollama_server.state.faults.pull_cut_after = None
    resumed = [p async for p in provider.pull_model("mistral")]
    first = next(p for p in resumed if p.total)
    assert first.completed == seen[-1] > 0  # on from the bytes already there, not from zero
    assert resumed[-1].done


async def test_details_are_asked_again_after_a_model_is_pulled_again(
    provider: OllamaProvider, ollama_server: OllamaServer
) -> None:
    [p async for p in provider.pull_model("tinyllama")]
    assert (await provider.model_info("tinyllama:latest")).context_length == 2048
    ollama_server.state.library["tinyllama:latest"].context_length = 4096  # a newer release
    await provider.model_info("tinyllama:latest")
    assert ollama_server.state.count("/api/show") == 1  # kept
    [p async for p in provider.pull_model("tinyllama")]
    assert (await provider.model_info("tinyllama:latest")).context_length == 4096
    await provider.delete_model("tinyllama")
    assert provider.known_info("tinyllama:latest") is None
