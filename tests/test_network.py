"""The network layer as users meet it: httpx for every request, pooled connections, proxies,
huge and malformed bodies, keys that go only where they belong, streams that stall."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest

from coda_tui.providers import (
    ProviderConnectionError,
    ProviderError,
    ProviderFactory,
)
from coda_tui.providers.litellm.provider import LiteLLMProvider
from coda_tui.providers.ollama.provider import OllamaProvider

from .servers.ollama import OllamaServer
from .servers.openai_compat import OpenAICompatServer, OpenAIState

HELLO = [{"role": "user", "content": "Hello!"}]


def ollama(server: OllamaServer, **settings: object) -> OllamaProvider:
    provider = ProviderFactory().create("ollama", base_url=server.url, model="llama3.2", **settings)
    assert isinstance(provider, OllamaProvider)
    return provider


def compatible(server: OpenAICompatServer, route: str, **settings: object) -> LiteLLMProvider:
    provider = ProviderFactory().create(
        "litellm", model=f"{route}/gpt-4o-mini", api_base=server.api_base, **settings
    )
    assert isinstance(provider, LiteLLMProvider)
    return provider


async def settle(condition: object, seconds: float = 3.0) -> None:
    """Wait until ``condition()`` holds: the server's threads see a close a moment later."""
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        await asyncio.sleep(0.02)


# -- bodies ------------------------------------------------------------------------------------


async def test_a_single_3_mb_chunk_arrives_whole(ollama_server: OllamaServer) -> None:
    """One token of 3 MB is one HTTP chunk: the old home-made transport waited for it forever."""
    ollama_server.state.reply = "y" * 3_000_000
    started = time.perf_counter()
    reply = await ollama(ollama_server, timeout=10).achat(HELLO)
    assert reply.content == "y" * 3_000_000
    assert time.perf_counter() - started < 5


async def test_a_200_mb_answer_streams_through(ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.bulk = (200, 1_000_000)
    received = chunks = 0
    async for chunk in ollama(ollama_server, timeout=30).achat_stream(HELLO):
        received += len(chunk.content)
        chunks += 1
    assert received == 200_000_000
    assert chunks < 2_000  # what arrived together came as one chunk


async def raw_server(response: bytes) -> tuple[asyncio.Server, str]:
    """A loopback server answering every request with ``response``, as written."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(response)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@pytest.mark.parametrize("size", [b"0x5", b"+5", b"zz"])
async def test_junk_chunk_sizes_are_an_error(size: bytes) -> None:
    head = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    server, url = await raw_server(head + size + b'\r\n{"a":\r\n0\r\n\r\n')
    async with server:
        provider = ProviderFactory().create("ollama", base_url=url, model="m", timeout=5)
        with pytest.raises(ProviderConnectionError, match="not valid HTTP"):
            await provider.achat(HELLO)


# -- connections -------------------------------------------------------------------------------


async def test_two_chats_to_one_server_use_one_connection(ollama_server: OllamaServer) -> None:
    provider = ollama(ollama_server)
    await provider.achat(HELLO)
    async for _ in provider.achat_stream(HELLO):
        pass
    assert ollama_server.state.count("/api/chat") == 2
    assert ollama_server.state.accepts == 1
    await provider.aclose()
    await settle(lambda: ollama_server.state.open_connections == 0)
    assert ollama_server.state.open_connections == 0


async def test_a_stream_is_read_to_its_end_so_its_connection_is_kept(
    ollama_server: OllamaServer,
) -> None:
    """The body ends a moment after the record that says done. Leaving at that record closed
    the connection (httpx cannot pool a half-read response), and the next chat paid a new one."""
    ollama_server.state.faults.end_delay = 0.05
    provider = ollama(ollama_server)
    for _ in range(2):
        chunks = [chunk async for chunk in provider.achat_stream(HELLO)]
        assert chunks[-1].choices[0].finish_reason == "stop"
    assert ollama_server.state.accepts == 1
    assert ollama_server.state.disconnects == 0
    await provider.aclose()


@pytest.mark.parametrize("route", ["openai", "hosted_vllm"])
async def test_an_openai_compatible_server_keeps_its_connection_too(route: str) -> None:
    with OpenAICompatServer() as server:
        provider = compatible(server, route, api_key="sk-test-key")
        for _ in range(2):
            async for _ in provider.achat_stream(HELLO):
                pass
        if route == "openai":  # litellm pools on its own; ours is the direct road
            assert server.state.accepts == 1


async def test_http_proxy_from_the_environment_is_honoured(
    ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server stands in for a proxy: the request reaches it in absolute form."""
    monkeypatch.setenv("HTTP_PROXY", ollama_server.url)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    provider = ProviderFactory().create(
        "ollama", base_url="http://ollama.invalid:11434", model="llama3.2", timeout=5
    )
    reply = await provider.achat(HELLO)
    assert reply.content == "You said: Hello!. Ollama fake answering."
    assert ollama_server.state.proxied == ["http://ollama.invalid:11434/api/chat"]


def test_the_sync_api_closes_what_it_opened(ollama_server: OllamaServer) -> None:
    """``list_models()`` runs on a loop of its own; its connections end with it."""
    provider = ollama(ollama_server)
    names = [model.id for model in provider.list_models()]
    assert "llama3.2:latest" in names
    assert provider.describe_model(provider.list_models()[0]).context_length
    assert ollama_server.state.accepts >= 1
    deadline = time.monotonic() + 3
    while ollama_server.state.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ollama_server.state.open_connections == 0


def test_list_models_is_sync_in_a_plain_script(ollama_server: OllamaServer) -> None:
    script = (
        "import sys\n"
        "from coda_tui.providers import ProviderFactory\n"
        "provider = ProviderFactory().create('ollama', base_url=sys.argv[1])\n"
        "models = provider.list_models()\n"
        "print(type(models).__name__, sorted(m.id for m in models))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, ollama_server.url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("list [")
    assert "'llama3.2:latest'" in done.stdout


def test_thinking_comes_whole_through_sync_chat(ollama_server: OllamaServer) -> None:
    """Thinking streams in pieces, as text does; ``chat()`` kept only the last batch's."""
    ollama_server.state.faults.token_delay = 0.02  # pieces arrive in several reads
    reply = ollama(ollama_server).chat(HELLO, think=True)
    assert reply.metadata["thinking"] == "Let me think about that."
    assert reply.content == "You said: Hello!. Ollama fake answering."


async def test_thinking_comes_whole_through_achat(ollama_server: OllamaServer) -> None:
    ollama_server.state.faults.token_delay = 0.02
    reply = await ollama(ollama_server).achat(HELLO, think=True)
    assert reply.metadata["thinking"] == "Let me think about that."


# -- keys --------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["openai", "hosted_vllm"])
async def test_an_environment_key_never_goes_to_a_custom_api_base(
    monkeypatch: pytest.MonkeyPatch, route: str
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-openai-secret")
    monkeypatch.setenv("HOSTED_VLLM_API_KEY", "sk-env-vllm-secret")
    with OpenAICompatServer(OpenAIState(api_key=None)) as server:
        reply = await compatible(server, route).achat(HELLO)
        models = await compatible(server, route).alist_models()
    assert reply.content == "server says: Hello!"
    assert {m.display_name for m in models} == {"gpt-4o-mini", "local-llama"}
    for headers in server.state.headers:
        assert "sk-env" not in " ".join(headers.values())
        if route == "openai":  # our own road sends no key at all where it has none
            assert "authorization" not in headers


async def test_a_custom_api_base_gets_its_own_sections_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-openai-secret")
    monkeypatch.setenv("LAN_KEY", "sk-lan-key")
    with OpenAICompatServer(OpenAIState(api_key="sk-lan-key")) as server:
        factory = ProviderFactory(
            {
                "providers": {
                    "lan": {
                        "type": "litellm",
                        "model": "openai/gpt-4o-mini",
                        "api_base": server.api_base,
                        "api_key": "${LAN_KEY}",
                    }
                }
            }
        )
        reply = await factory.create("lan").achat(HELLO)
    assert reply.content == "server says: Hello!"
    assert server.state.headers[-1]["authorization"] == "Bearer sk-lan-key"


# -- streams that stall ------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["openai", "hosted_vllm"])
async def test_a_stream_of_keep_alives_ends_at_the_timeout_keeping_its_text(route: str) -> None:
    """llama-cpp-python pings every 15 s while a generation is stalled: a read timeout, which
    counts bytes, never fired. Content is what counts."""
    with OpenAICompatServer(OpenAIState(api_key=None)) as server:
        server.state.reply = "one two three four five six"
        server.state.faults.pings_after = 3
        received: list[str] = []
        started = time.perf_counter()
        with pytest.raises(ProviderConnectionError, match="no tokens for 1 s") as caught:
            async for chunk in compatible(server, route, timeout=1).achat_stream(HELLO):
                received.append(chunk.content)
        elapsed = time.perf_counter() - started
    assert "".join(received) == caught.value.partial_text == "one two three"
    assert 1.0 <= elapsed < 3.0


async def test_the_idle_timeout_counts_from_the_last_chunk() -> None:
    """A slow but steady stream is not stalled: each chunk restarts the clock."""
    provider = ProviderFactory().create("mock", delay=0.3, timeout=0.5)
    chunks = [c async for c in provider.achat_stream([{"role": "user", "content": "a b c d"}])]
    assert chunks[-1].finish_reason == "stop"


async def test_an_html_page_instead_of_an_event_stream_is_named() -> None:
    with OpenAICompatServer(OpenAIState(api_key=None)) as server:
        server.state.faults.html = True
        with pytest.raises(ProviderError, match="did not answer with an event stream") as caught:
            await compatible(server, "openai").achat(HELLO)
    assert "text/html" in str(caught.value)
    assert "nginx" not in str(caught.value)


async def test_a_provider_retired_mid_answer_finishes_it_then_closes(
    ollama_server: OllamaServer,
) -> None:
    """A config reload retires providers; an answer streaming meanwhile is not cut."""
    from coda_tui.providers import ProviderRegistry

    ollama_server.state.faults.token_delay = 0.02
    stream = ollama(ollama_server).achat_stream(HELLO)
    text = (await anext(stream)).content
    await ProviderRegistry.aretire_instances()
    assert ollama_server.state.open_connections == 1
    text += "".join([chunk.content async for chunk in stream])
    assert text == "You said: Hello!. Ollama fake answering."
    await settle(lambda: ollama_server.state.open_connections == 0)
    assert ollama_server.state.open_connections == 0


# -- servers that are not what the config says -------------------------------------------------


async def test_a_web_page_where_ollama_should_be_is_named_everywhere() -> None:
    """An HTML page instead of Ollama's JSON: the panel waited forever (a JSONDecodeError left
    its worker), the models browser dropped the provider, the chat quoted the whole page."""
    from .servers.web_page import WebPageServer

    with WebPageServer() as page:
        provider = ProviderFactory().create("ollama", base_url=page.url, model="m", timeout=5)
        for call in (provider.alist_models(), provider.version(), provider.list_running()):  # type: ignore[attr-defined]
            with pytest.raises(ProviderError, match="not Ollama's JSON") as caught:
                await call
            assert "base_url" in (caught.value.hint or "")
            assert len(str(caught.value)) < 300
        with pytest.raises(ProviderError, match="not Ollama's JSON") as chat_error:
            await provider.achat(HELLO)
        assert "nginx web server is working" not in str(chat_error.value)


async def test_a_reply_ollama_would_not_send_is_an_error_not_a_crash(
    ollama_server: OllamaServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .servers.ollama import OllamaHandler

    def odd_show(handler: OllamaHandler, body: object) -> None:
        handler.send_json(200, {"details": "not a table", "model_info": [1, 2]})

    monkeypatch.setitem(OllamaHandler.routes, ("POST", "/api/show"), odd_show)
    provider = ollama(ollama_server)
    with pytest.raises(ProviderError, match="details Ollama would not send"):
        await provider.show_model("llama3.2")  # type: ignore[attr-defined]


async def test_a_missing_model_outside_chat_is_not_a_pull(ollama_server: OllamaServer) -> None:
    from coda_tui.providers import ModelNotFoundError

    provider = ollama(ollama_server)
    with pytest.raises(ModelNotFoundError) as deleting:
        await provider.delete_model("gone:latest")  # type: ignore[attr-defined]
    assert "ollama pull" not in (deleting.value.hint or "")
    with pytest.raises(ModelNotFoundError) as chatting:
        await provider.achat(HELLO, model="gone")
    assert chatting.value.hint == "run `ollama pull gone`"


@pytest.mark.parametrize(
    ("base_url", "problem"),
    [
        ("not a url", "has spaces"),
        ("ftp://box:11434", "scheme must be http or https"),
        ("box:port", "port must be a number"),
        ("http://", "names no host"),
    ],
)
def test_an_address_that_is_not_one_is_refused(base_url: str, problem: str) -> None:
    from coda_tui.providers import ConfigurationError

    with pytest.raises(ConfigurationError, match=problem):
        ProviderFactory().create("ollama", base_url=base_url)


def test_a_bad_address_in_a_file_is_a_config_problem(user_config: object) -> None:
    from pathlib import Path

    from coda_tui.providers import load_config

    assert isinstance(user_config, Path)
    user_config.write_text('[providers.ollama]\nbase_url = "not a url"\n', encoding="utf-8")
    loaded = load_config()
    assert any("base_url" in str(p) and "spaces" in str(p) for p in loaded.problems)


@pytest.mark.parametrize("route", ["openai", "hosted_vllm"])
async def test_a_cut_stream_says_cut_not_unreachable(route: str) -> None:
    with OpenAICompatServer(OpenAIState(api_key=None)) as server:
        server.state.reply = "one two three four five"
        server.state.faults.cut_after = 2
        with pytest.raises(ProviderConnectionError) as caught:
            async for _ in compatible(server, route).achat_stream(HELLO):
                pass
    assert "cut" in str(caught.value) and "could not reach" not in str(caught.value)
    assert caught.value.partial_text == "one two"
