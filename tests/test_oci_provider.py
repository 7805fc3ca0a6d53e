"""The OCI Generative AI provider against a local endpoint that checks every request's signature."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coda_tui.config.paths import user_cache_dir
from coda_tui.providers import (
    AuthenticationError,
    ConfigurationError,
    ModelNotFoundError,
    ProviderConnectionError,
    ProviderFactory,
    RateLimitError,
)
from coda_tui.providers.oci.provider import OCIGenAIProvider

from .servers.oci_genai import API, COMPARTMENT, OCIAccount, OCIServer, make_account
from .tools import WEATHER_TOOL

COHERE = "cohere.command-r-plus"
LLAMA = "meta.llama-3.3-70b-instruct"


@pytest.fixture
def oci_server() -> Iterator[OCIServer]:
    with OCIServer() as server:
        yield server


@pytest.fixture
def account(tmp_path: Path, oci_server: OCIServer) -> OCIAccount:
    (tmp_path / "oci").mkdir()
    return make_account(tmp_path / "oci", oci_server)


def section(account: OCIAccount, server: OCIServer, **extra: Any) -> dict[str, Any]:
    return {
        "config_file": str(account.config_file),
        "compartment_id": COMPARTMENT,
        "endpoint": server.url,
        "max_attempts": 1,
        **extra,
    }


def provider(account: OCIAccount, server: OCIServer, **extra: Any) -> OCIGenAIProvider:
    factory = ProviderFactory({"providers": {"oci_genai": section(account, server, **extra)}})
    created = factory.create("oci_genai")
    assert isinstance(created, OCIGenAIProvider)
    return created


def said(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


async def collect(oci: OCIGenAIProvider, messages: Any, **params: Any) -> tuple[str, list[Any]]:
    if isinstance(messages, str):
        messages = said(messages)
    chunks = [chunk async for chunk in oci.achat_stream(messages, **params)]
    return "".join(chunk.content for chunk in chunks), chunks


async def test_factory_streams_a_cohere_model_from_a_config_file_and_compartment(
    tmp_path: Path, account: OCIAccount, oci_server: OCIServer
) -> None:
    factory = ProviderFactory({"providers": {"oci_genai": section(account, oci_server)}})
    oci = factory.create("oci_genai", model=COHERE)
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "earlier"},
        {"role": "assistant", "content": "noted"},
        {"role": "user", "content": "hi there"},
    ]
    chunks = [chunk async for chunk in oci.achat_stream(messages, temperature=0.2, stop=["END"])]
    text = "".join(chunk.content for chunk in chunks)
    # The final Cohere event repeats the whole text: it must not be appended twice.
    assert text == "You said: hi there. Cohere on OCI answering."
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 8
    request = oci_server.state.chat_bodies[-1]
    assert request["servingMode"] == {"servingType": "ON_DEMAND", "modelId": COHERE}
    chat = request["chatRequest"]
    assert chat["apiFormat"] == "COHERE" and chat["isStream"] is True
    assert chat["message"] == "hi there" and chat["preambleOverride"] == "Be brief."
    assert [m["role"] for m in chat["chatHistory"]] == ["USER", "CHATBOT"]
    assert chat["temperature"] == 0.2 and chat["stopSequences"] == ["END"]
    assert oci_server.state.bad_signatures == 0


async def test_generic_model_streams_and_stops_though_the_service_keeps_the_socket_open(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    oci_server.state.faults.keep_open = True
    oci = provider(account, oci_server)
    started = time.perf_counter()
    text, chunks = await collect(
        oci, [{"role": "system", "content": "S"}, {"role": "user", "content": "hello"}], model=LLAMA
    )
    assert time.perf_counter() - started < 5  # the server would hold it for 15 s
    assert text == "You said: hello. Generic on OCI answering."
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    assert chunks[-1].usage is not None and chunks[-1].usage.total_tokens == 19
    chat = oci_server.state.chat_bodies[-1]["chatRequest"]
    assert chat["apiFormat"] == "GENERIC" and chat["streamOptions"] == {"isIncludeUsage": True}
    assert [m["role"] for m in chat["messages"]] == ["SYSTEM", "USER"]
    for _ in range(40):  # we hung up on the keep-alive stream
        if oci_server.state.disconnects:
            break
        await asyncio.sleep(0.05)
    assert oci_server.state.disconnects >= 1


@pytest.mark.parametrize("model", [COHERE, LLAMA])
async def test_a_stream_ends_at_its_finish_though_the_server_then_holds_silently(
    account: OCIAccount, oci_server: OCIServer, model: str
) -> None:
    """The live service sends its last event and then nothing, without closing: closing the
    SDK's stream waited on the blocked read until the 60 s read timeout."""
    oci_server.state.faults.hold_silently = True
    oci = provider(account, oci_server, timeout=20)
    started = time.perf_counter()
    text, chunks = await collect(oci, "hello", model=model)
    assert time.perf_counter() - started < 0.5
    assert text.startswith("You said: hello.")
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["stop"]
    for _ in range(40):  # and the connection was let go
        if oci_server.state.disconnects:
            break
        await asyncio.sleep(0.05)
    assert oci_server.state.disconnects == 1


async def test_done_marker_and_no_usage_still_end_the_answer(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    oci_server.state.faults.send_done = True
    text, _ = await collect(provider(account, oci_server), "hi", model=COHERE)
    assert text == "You said: hi. Cohere on OCI answering."


@pytest.mark.parametrize("model", [COHERE, LLAMA])
async def test_non_streaming_chat(account: OCIAccount, oci_server: OCIServer, model: str) -> None:
    completion = await provider(account, oci_server).achat(said("ping"), model=model, max_tokens=50)
    assert completion.content.startswith("You said: ping.")
    assert completion.choices[0].finish_reason == "stop"
    assert completion.usage is not None and completion.usage.prompt_tokens == 12
    assert oci_server.state.chat_bodies[-1]["chatRequest"]["maxTokens"] == 50


@pytest.mark.parametrize("model", [COHERE, LLAMA])
async def test_tool_call_round_trip(account: OCIAccount, oci_server: OCIServer, model: str) -> None:
    oci = provider(account, oci_server)
    messages: list[Any] = [{"role": "user", "content": "Weather in Paris?"}]
    _, chunks = await collect(oci, messages, model=model, tools=[WEATHER_TOOL])
    calls = [call for chunk in chunks for call in chunk.choices[0].delta.tool_calls or []]
    assert len(calls) == 1 and calls[0].function.name == "get_weather"
    # Generic arguments arrive in two events; either way they are whole here.
    assert calls[0].function.parsed_arguments() == {"city": "Paris"}
    assert [c.finish_reason for c in chunks if c.finish_reason] == ["tool_calls"]
    messages += [
        {"role": "assistant", "content": "", "tool_calls": [calls[0].model_dump()]},
        {"role": "tool", "tool_call_id": calls[0].id, "content": '{"temp_c": 21}'},
    ]
    text, _ = await collect(oci, messages, model=model, tools=[WEATHER_TOOL])
    assert text == 'The tool said: {"temp_c": 21}'
    chat = oci_server.state.chat_bodies[-1]["chatRequest"]
    if model == COHERE:
        assert chat["toolResults"] == [
            {
                "call": {"name": "get_weather", "parameters": {"city": "Paris"}},
                "outputs": [{"temp_c": 21}],
            }
        ]
        assert chat["tools"][0]["parameterDefinitions"]["city"] == {
            "type": "str",
            "isRequired": False,
        }
        assert chat["chatHistory"][-1]["toolCalls"][0]["name"] == "get_weather"
    else:
        assert chat["messages"][-1] == {
            "role": "TOOL",
            "content": [{"type": "TEXT", "text": '{"temp_c": 21}'}],
            "toolCallId": "call_oci_1",
        }
        assert chat["messages"][-2]["toolCalls"][0]["arguments"] == '{"city": "Paris"}'
        assert chat["tools"][0]["type"] == "FUNCTION"


# -- models and the disk cache ----------------------------------------------------------------


def model_requests(server: OCIServer) -> int:
    return server.state.count(f"{API}/models")


async def test_list_models_all_pages_chat_only_newest_version(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    models = await provider(account, oci_server).alist_models()
    assert [m.id for m in models] == [
        COHERE,
        LLAMA,
        "meta.llama-4-scout-17b-16e-instruct",
        "xai.grok-3",
    ]
    assert model_requests(oci_server) == 3  # five chat models, two per page
    cohere = models[0]
    assert cohere.modified_at is not None and cohere.modified_at.year == 2025
    assert cohere.family == "cohere" and cohere.raw["ocid"].startswith("ocid1.generativeaimodel")
    assert "vision" in models[2].capabilities and "vision" not in models[1].capabilities
    assert models[3].deprecated_at is not None and models[3].deprecated_at.year == 2026


async def test_second_listing_within_a_day_asks_nothing(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    first = await provider(account, oci_server).alist_models()
    asked = model_requests(oci_server)
    again = await provider(account, oci_server, timeout=30).alist_models()  # a new instance
    assert model_requests(oci_server) == asked
    assert [m.id for m in again] == [m.id for m in first]
    assert list(user_cache_dir().glob("oci-genai-models-*.json"))


async def test_stale_cache_refresh_and_a_broken_cache_file(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    oci = provider(account, oci_server)
    await oci.alist_models()
    asked = model_requests(oci_server)
    await oci.alist_models(refresh=True)
    assert model_requests(oci_server) == 2 * asked
    stale = provider(account, oci_server, models_cache_ttl=0)
    await asyncio.sleep(0.01)
    await stale.alist_models()
    assert model_requests(oci_server) == 3 * asked
    for cached in user_cache_dir().glob("oci-genai-models-*.json"):
        cached.write_text("{not json", encoding="utf-8")
    assert len(await oci.alist_models()) == 4
    assert model_requests(oci_server) == 4 * asked


# -- errors -------------------------------------------------------------------------------------


async def test_wrong_compartment_names_the_iam_policy(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    oci = provider(account, oci_server, compartment_id="ocid1.compartment.oc1..other")
    with pytest.raises(AuthenticationError) as caught:
        await collect(oci, "hi", model=LLAMA)
    assert "use generative-ai-family in compartment" in str(caught.value)
    assert "profile [DEFAULT]" in str(caught.value)
    with pytest.raises(AuthenticationError):
        await oci.alist_models()


@pytest.mark.parametrize(
    ("status", "error"),
    [(401, AuthenticationError), (429, RateLimitError), (500, ProviderConnectionError)],
)
async def test_service_errors(
    account: OCIAccount, oci_server: OCIServer, status: int, error: type[Exception]
) -> None:
    oci_server.state.faults.status = status
    with pytest.raises(error):
        await collect(provider(account, oci_server), "hi", model=LLAMA)
    with pytest.raises(error):
        await provider(account, oci_server).achat(said("hi"), model=LLAMA)


async def test_unknown_model(account: OCIAccount, oci_server: OCIServer) -> None:
    with pytest.raises(ModelNotFoundError, match=r"Entity with key cohere\.nope not found"):
        await collect(provider(account, oci_server), "hi", model="cohere.nope")


async def test_a_key_the_service_does_not_know_is_refused(
    tmp_path: Path, account: OCIAccount, oci_server: OCIServer
) -> None:
    (tmp_path / "other").mkdir()
    stranger = make_account(tmp_path / "other", oci_server)
    oci_server.state.public_keys.pop(stranger.key_id)
    with pytest.raises(AuthenticationError, match="rejected the signature of profile"):
        await collect(provider(stranger, oci_server), "hi", model=LLAMA)
    assert oci_server.state.bad_signatures == 1


async def test_missing_config_file_profile_or_compartment(
    tmp_path: Path, account: OCIAccount, oci_server: OCIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = provider(account, oci_server, config_file=str(tmp_path / "nope"))
    with pytest.raises(ConfigurationError, match="not found") as caught:
        await collect(missing, "hi")
    assert "oci setup config" in str(caught.value)
    with pytest.raises(ConfigurationError, match=r"profile \[WORK\] is not in"):
        await collect(provider(account, oci_server, profile="WORK"), "hi")
    no_compartment = section(account, oci_server)
    del no_compartment["compartment_id"]
    factory = ProviderFactory({"providers": {"oci_genai": no_compartment}}, environ={})
    with pytest.raises(ConfigurationError, match="OCI_COMPARTMENT_ID"):
        await collect(factory.create("oci_genai"), "hi")
    env = ProviderFactory(
        {"providers": {"oci_genai": no_compartment}}, environ={"OCI_COMPARTMENT_ID": COMPARTMENT}
    )
    text, _ = await collect(env.create("oci_genai"), "hi")
    assert text.startswith("You said: hi.")


async def test_stream_cut_keeps_the_partial_text(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    oci_server.state.faults.cut_after = 3
    seen: list[str] = []
    with pytest.raises(ProviderConnectionError) as caught:
        async for chunk in provider(account, oci_server).achat_stream(said("hi"), model=LLAMA):
            seen.append(chunk.content)
    assert caught.value.partial_text == "".join(seen) == "You said: hi. "


async def test_unreachable_endpoint(account: OCIAccount, oci_server: OCIServer) -> None:
    oci = provider(account, oci_server, endpoint="http://127.0.0.1:1", timeout=3)
    with pytest.raises(ProviderConnectionError, match="could not reach OCI"):
        await collect(oci, "hi")


async def test_cancelling_stops_reading(account: OCIAccount, oci_server: OCIServer) -> None:
    oci_server.state.faults.token_delay = 0.05
    stream = provider(account, oci_server).achat_stream(
        said("one two three four five six"), model=LLAMA
    )
    async with contextlib.aclosing(stream):
        async for chunk in stream:
            if chunk.content:
                break
    for _ in range(60):
        if oci_server.state.disconnects:
            break
        await asyncio.sleep(0.05)
    assert oci_server.state.disconnects == 1


def test_creating_the_provider_does_not_import_oci(
    account: OCIAccount, oci_server: OCIServer
) -> None:
    code = (
        "import sys\n"
        "from coda_tui.providers import ProviderFactory\n"
        f"f = ProviderFactory({{'providers': {{'oci_genai': {section(account, oci_server)!r}}}}})\n"
        "p = f.create('oci_genai')\n"
        "print('oci' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
