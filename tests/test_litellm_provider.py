"""LiteLLMProvider against the local OpenAI-compatible server (litellm's real HTTP path)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coda_tui.providers import (
    AuthenticationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderError,
    ProviderFactory,
    RateLimitError,
)
from coda_tui.providers.litellm.provider import LiteLLMProvider

from .servers.openai_compat import OpenAICompatServer, OpenAIState
from .tools import WEATHER_TOOL

HELLO = [{"role": "user", "content": "Hello!"}]


@pytest.fixture
def server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as running:
        yield running


# "openai/" goes to the server through the openai SDK directly, "hosted_vllm/" through litellm:
# every behaviour below must hold on both roads.
ROUTES = ["openai", "hosted_vllm"]


@pytest.fixture(params=ROUTES)
def route(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def provider(
    server: OpenAICompatServer, monkeypatch: pytest.MonkeyPatch, route: str
) -> LiteLLMProvider:
    monkeypatch.setenv("TEST_KEY", "sk-test-key")
    factory = ProviderFactory(
        {
            "providers": {
                "local": {
                    "type": "litellm",
                    "model": f"{route}/gpt-4o-mini",
                    "api_base": server.api_base,
                    "api_key": "${TEST_KEY}",
                }
            }
        }
    )
    created = factory.create("local")
    assert isinstance(created, LiteLLMProvider)
    return created


async def test_streams_a_reply_with_usage(provider: LiteLLMProvider) -> None:
    chunks = [c async for c in provider.achat_stream(HELLO)]
    assert "".join(c.content for c in chunks) == "server says: Hello!"
    final = chunks[-1]
    assert final.finish_reason == "stop"
    assert final.usage is not None and final.usage.completion_tokens == 3
    assert final.provider == "local"


async def test_whole_reply(provider: LiteLLMProvider) -> None:
    reply = await provider.achat(HELLO, max_tokens=2)
    assert reply.content == "server says:"
    assert reply.choices[0].finish_reason == "length"


async def test_tool_call_deltas_become_one_complete_call(provider: LiteLLMProvider) -> None:
    chunks = [
        c
        async for c in provider.achat_stream(
            [{"role": "user", "content": "get_weather in Oslo"}], tools=[WEATHER_TOOL]
        )
    ]
    calls = [call for c in chunks for call in c.choices[0].delta.tool_calls or []]
    assert len(calls) == 1
    assert calls[0].id == "call_1"
    assert calls[0].function.name == "get_weather"
    assert calls[0].function.parsed_arguments() == {"city": "get_weather in Oslo"}
    assert chunks[-1].finish_reason == "tool_calls"


async def test_wrong_key_names_the_variable_never_the_key(
    server: OpenAICompatServer,
    capfd: pytest.CaptureFixture[str],
    route: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fix names the variable the section's key comes from: it said OPENAI_API_KEY even
    for a section whose key was ${WALK_KEY}."""
    monkeypatch.setenv("WALK_KEY", "sk-wrong-secret-9876")
    section = {"model": f"{route}/gpt-4o-mini", "api_base": server.api_base}
    walk = {"type": "litellm", **section, "api_key": "${WALK_KEY}"}
    factory = ProviderFactory({"providers": {"walk": walk}})
    with pytest.raises(AuthenticationError) as caught:
        await factory.create("walk").achat(HELLO)
    text = f"{caught.value} {caught.value.hint}"
    assert "set WALK_KEY to a valid key" in text
    assert "OPENAI_API_KEY" not in text and "HOSTED_VLLM" not in text
    assert "9876" not in text and "sk-wrong" not in text
    literal = ProviderFactory().create("litellm", **section, api_key="sk-wrong-secret-9876")
    with pytest.raises(AuthenticationError, match=r"check the api_key of \[providers.litellm\]"):
        await literal.achat(HELLO)
    keyless = ProviderFactory().create("litellm", **section)
    with pytest.raises(AuthenticationError) as without:
        await keyless.achat(HELLO)
    assert 'api_key = "${YOUR_SERVER_KEY}"' in (without.value.hint or "")
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # litellm stays quiet under the TUI


async def test_unknown_model(provider: LiteLLMProvider, route: str) -> None:
    with pytest.raises(ModelNotFoundError, match=f"{route}/nope"):
        await provider.achat(HELLO, model=f"{route}/nope")


async def test_rate_limit_keeps_retry_after(
    provider: LiteLLMProvider, server: OpenAICompatServer
) -> None:
    server.state.faults.rate_limited = True
    with pytest.raises(RateLimitError) as caught:
        await provider.achat(HELLO)
    assert caught.value.retry_after == 7
    assert caught.value.hint == "wait 7 s and try again"


async def test_cut_stream_keeps_the_partial_text(
    provider: LiteLLMProvider, server: OpenAICompatServer
) -> None:
    server.state.faults.cut_after = 2
    received = []
    with pytest.raises(ProviderConnectionError) as caught:
        async for chunk in provider.achat_stream(HELLO):
            received.append(chunk.content)
    assert caught.value.partial_text == "server says:"
    assert "".join(received) == "server says:"


async def test_server_down(route: str) -> None:
    provider = ProviderFactory().create(
        "litellm", model=f"{route}/x", api_base="http://127.0.0.1:1/v1", api_key="k", timeout=5
    )
    with pytest.raises(ProviderConnectionError, match=r"could not reach http://127\.0\.0\.1:1/v1"):
        await provider.achat(HELLO)


async def test_two_instances_with_their_own_keys_and_bases() -> None:
    first = OpenAIState(api_key="sk-first", name="first")
    second = OpenAIState(api_key="sk-second", name="second")
    with OpenAICompatServer(first) as one, OpenAICompatServer(second) as two:
        factory = ProviderFactory()
        a = factory.create(
            "litellm", model="openai/gpt-4o-mini", api_base=one.api_base, api_key="sk-first"
        )
        b = factory.create(
            "litellm", model="openai/gpt-4o-mini", api_base=two.api_base, api_key="sk-second"
        )
        replies = await asyncio.gather(*(p.achat(HELLO) for p in (a, b, a, b)))
    assert [r.content for r in replies] == [
        "first says: Hello!",
        "second says: Hello!",
        "first says: Hello!",
        "second says: Hello!",
    ]


async def test_models_of_an_api_base_server(provider: LiteLLMProvider, route: str) -> None:
    models = await provider.alist_models()
    assert [m.id for m in models] == [f"{route}/gpt-4o-mini", f"{route}/local-llama"]


async def test_listing_models_fails_clearly(server: OpenAICompatServer, route: str) -> None:
    def listing(api_base: str, key: str = "sk-test-key") -> LiteLLMProvider:
        created = ProviderFactory().create(
            "litellm", model=f"{route}/gpt-4o-mini", api_base=api_base, api_key=key, timeout=5
        )
        assert isinstance(created, LiteLLMProvider)
        return created

    with pytest.raises(AuthenticationError) as caught:
        await listing(server.api_base, "sk-wrong-secret-9876").alist_models()
    text = f"{caught.value} {caught.value.hint}"
    assert "rejected (HTTP 401)" in text and "check the api_key" in text
    assert "9876" not in text
    with pytest.raises(ProviderError, match=r"listing models failed \(HTTP 404\)") as missing:
        await listing(server.api_base + "/elsewhere").alist_models()
    assert not isinstance(missing.value, ModelNotFoundError)  # no model is missing
    with pytest.raises(ProviderConnectionError, match=r"could not reach http://127\.0\.0\.1:1"):
        await listing("http://127.0.0.1:1/v1").alist_models()


async def test_models_from_the_local_price_map(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("ANTHROPIC_API_KEY", "GEMINI_API_KEY", "GROQ_API_KEY", "MISTRAL_API_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    provider = ProviderFactory().create("litellm", model="openai/gpt-4o-mini")
    models = {m.id: m for m in await provider.alist_models()}
    mini = models["openai/gpt-4o-mini"]
    assert mini.context_length == 128_000
    assert mini.pricing is not None
    assert mini.pricing.input_per_million == pytest.approx(0.15)
    assert "tools" in mini.capabilities
    assert all(m.startswith("openai/") for m in models)


def test_no_keys_lists_nothing_without_importing_litellm() -> None:
    code = (
        "import asyncio, os, sys\n"
        "for k in [k for k in os.environ if k.endswith('_API_KEY')]: del os.environ[k]\n"
        "from coda_tui.providers import ProviderFactory\n"
        "print(asyncio.run(ProviderFactory().create('litellm').alist_models()))\n"
        "print('litellm' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "False"]


def test_importing_the_provider_module_does_not_import_litellm() -> None:
    code = "import sys, coda_tui.providers.litellm.provider\nprint('litellm' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


GUARD = """
import socket, sys
attempts = []
real_connect, real_gai = socket.socket.connect, socket.getaddrinfo
def connect(self, address):
    if isinstance(address, tuple) and not str(address[0]).startswith(("127.", "::1")):
        attempts.append(address)
        raise OSError("network is off in this test")
    return real_connect(self, address)
def getaddrinfo(host, *args, **kwargs):
    if host not in ("127.0.0.1", "localhost", "::1", None):
        attempts.append(host)
        raise socket.gaierror("network is off in this test")
    return real_gai(host, *args, **kwargs)
socket.socket.connect, socket.getaddrinfo = connect, getaddrinfo
import asyncio
from coda_tui.providers import ProviderFactory
provider = ProviderFactory().create(
    "litellm", model="openai/gpt-4o-mini", api_base=sys.argv[1], api_key="sk-test-key"
)
reply = asyncio.run(provider.achat([{"role": "user", "content": "offline?"}]))
print(reply.content)
print("attempts:", attempts)
"""


def test_no_network_at_import_or_first_use(server: OpenAICompatServer, tmp_path: Path) -> None:
    script = tmp_path / "guard.py"
    script.write_text(GUARD)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, str(script), server.api_base],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "server says: offline?" in result.stdout
    assert result.stdout.strip().endswith("attempts: []")


def test_which_road_a_model_takes() -> None:
    from coda_tui.providers.litellm.provider import uses_litellm

    assert not uses_litellm("openai/gpt-4o-mini")
    assert not uses_litellm("gpt-4o-mini")  # a bare name is OpenAI's, as in litellm
    assert uses_litellm("openai/gpt-4o", api_version="2024-06-01")  # Azure-style
    assert uses_litellm("anthropic/claude-3-5-sonnet")
    assert uses_litellm("hosted_vllm/llama")


def test_openai_sections_need_neither_litellm_nor_the_sdk(server: OpenAICompatServer) -> None:
    """OpenAI's protocol is spoken with httpx: warming up and answering import neither."""
    code = (
        "import asyncio, sys\n"
        "from coda_tui.providers.litellm.settings import LiteLLMSettings\n"
        "from coda_tui.providers import ProviderFactory\n"
        "from coda_tui.providers.litellm.provider import warm_up\n"
        "warm_up([LiteLLMSettings(model='openai/gpt-4o-mini')])\n"
        "provider = ProviderFactory().create('litellm', model='openai/gpt-4o-mini',"
        " api_base=sys.argv[1], api_key='sk-test-key')\n"
        "print(asyncio.run(provider.achat([{'role': 'user', 'content': 'hi'}])).content)\n"
        "print('openai' in sys.modules, 'litellm' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, server.api_base], capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines() == ["server says: hi", "False False"]


async def test_events_that_arrived_together_come_as_one_chunk(server: OpenAICompatServer) -> None:
    """A reader that fell behind takes every waiting event at once: one chunk, one repaint."""
    reply = " ".join(f"w{n}" for n in range(2000))
    server.state.reply = reply
    provider = ProviderFactory().create(
        "litellm", model="openai/gpt-4o-mini", api_base=server.api_base, api_key="sk-test-key"
    )
    chunks = []
    async for chunk in provider.achat_stream(HELLO):
        chunks.append(chunk)
        if len(chunks) == 1:
            await asyncio.sleep(0.5)  # busy painting, say: the server sends the rest meanwhile
    assert "".join(c.content for c in chunks) == reply
    assert len(chunks) < 20  # from about 2,000 events
    assert chunks[-1].finish_reason == "stop"


async def test_an_error_event_mid_stream_keeps_what_came_before(
    provider: LiteLLMProvider, server: OpenAICompatServer, route: str
) -> None:
    server.state.faults.error_after = 2
    received = []
    with pytest.raises(ProviderError, match="overloaded mid-answer"):
        async for chunk in provider.achat_stream(HELLO):
            received.append(chunk.content)
    assert "".join(received) == "server says:"


async def test_a_server_error_says_its_status_and_words(
    provider: LiteLLMProvider, server: OpenAICompatServer, route: str
) -> None:
    server.state.faults.status_500 = True
    with pytest.raises(ProviderError, match="The server had an error") as caught:
        await provider.achat(HELLO)
    assert caught.value.status_code == 500


async def test_no_key_for_openai_itself_fails_before_any_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    provider = ProviderFactory().create("litellm", model="openai/gpt-4o-mini")
    with pytest.raises(AuthenticationError, match="no API key") as caught:
        await provider.achat(HELLO)
    assert "OPENAI_API_KEY" in (caught.value.hint or "")
