from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator

import pytest

from coda_tui.providers import (
    CompletionAccumulator,
    ProviderConnectionError,
    ProviderFactory,
)
from coda_tui.providers.mock.provider import MockProvider

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}


def mock(**settings: object) -> MockProvider:
    provider = ProviderFactory().create("mock", **{"delay": 0, **settings})
    assert isinstance(provider, MockProvider)
    return provider


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def assistant(text: str) -> dict[str, str]:
    return {"role": "assistant", "content": text}


async def test_remembers_the_users_name_across_turns() -> None:
    provider = mock()
    history = [user("Hi, my name is Ada and I love sailing"), assistant("Nice!")]
    reply = await provider.achat([*history, user("What is my name?")])
    assert reply.content == "Your name is Ada."
    forgetful = await provider.achat([user("What is my name?")])
    assert forgetful.content == "You haven't told me your name yet."


async def test_remembers_earlier_topics() -> None:
    provider = mock()
    history = [user("Explain photosynthesis in plants"), assistant("...")]
    reply = await provider.achat([*history, user("What have we talked about so far?")])
    assert "photosynthesis" in reply.content
    assert "plants" in reply.content


async def test_replies_are_deterministic_and_depend_on_the_prompt() -> None:
    provider = mock()
    a1 = await provider.achat([user("tell me about volcanoes")])
    a2 = await provider.achat([user("tell me about volcanoes")])
    b = await provider.achat([user("tell me about glaciers")])
    assert a1.content == a2.content
    assert a1.content != b.content
    assert "volcanoes" in a1.content


async def test_code_prompt_gets_a_markdown_code_block() -> None:
    reply = await mock().achat([user("show me some python code")])
    assert "```python" in reply.content


async def test_streams_word_by_word_and_reports_usage() -> None:
    provider = mock(reply="one two three four")
    chunks = [c async for c in provider.achat_stream([user("count")])]
    texts = [c.content for c in chunks if c.content]
    assert texts == ["one", " two", " three", " four"]
    assert chunks[-1].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == 4
    assert chunks[-1].usage.prompt_tokens == 1
    assert all(c.provider == "mock" and c.model == "mock-1" for c in chunks)


async def test_chunk_words_groups_pieces() -> None:
    provider = mock(reply="a b c d e", chunk_words=2)
    texts = [c.content async for c in provider.achat_stream([user("x")]) if c.content]
    assert texts == ["a b", " c d", " e"]


async def test_echo_mode() -> None:
    reply = await mock(mode="echo").achat([user("repeat after me")])
    assert reply.content == "repeat after me"


async def test_max_tokens_cuts_with_length_reason() -> None:
    reply = await mock(reply="a b c d e").achat([user("x")], max_tokens=2)
    assert reply.content == "a b"
    assert reply.choices[0].finish_reason == "length"


async def test_fail_after_keeps_the_partial_text() -> None:
    provider = mock(reply="alpha beta gamma delta", fail_after=2)
    received: list[str] = []
    with pytest.raises(ProviderConnectionError) as caught:
        async for chunk in provider.achat_stream([user("x")]):
            received.append(chunk.content)
    assert "".join(received) == "alpha beta"
    assert caught.value.partial_text == "alpha beta"


async def test_slow_first_token() -> None:
    provider = mock(reply="hi", first_token_delay=0.2)
    start = time.perf_counter()
    stream = provider.achat_stream([user("x")])
    await stream.__anext__()
    assert time.perf_counter() - start >= 0.2
    await stream.aclose()


async def test_delay_paces_the_stream() -> None:
    provider = mock(reply="a b c d e", delay=0.05)
    start = time.perf_counter()
    await provider.achat([user("x")])
    assert time.perf_counter() - start >= 0.2


async def test_tool_call_when_the_prompt_names_the_tool_then_uses_the_result() -> None:
    provider = mock()
    first = await provider.achat([user("use get_weather for Paris")], tools=[WEATHER_TOOL])
    [call] = first.choices[0].message.tool_calls or []
    assert first.choices[0].finish_reason == "tool_calls"
    assert call.function.name == "get_weather"
    arguments = json.loads(call.function.arguments)
    assert arguments == {"city": "use get_weather for Paris", "days": 1}
    follow_up = [
        user("use get_weather for Paris"),
        first.choices[0].message,
        {"role": "tool", "tool_call_id": call.id, "content": "sunny, 21C"},
    ]
    second = await provider.achat(follow_up, tools=[WEATHER_TOOL])
    assert second.content == "The tool returned: sunny, 21C"


async def test_configured_tool_call_is_emitted_when_offered() -> None:
    reply = await mock(tool_call="get_weather").achat([user("hello")], tools=[WEATHER_TOOL])
    assert reply.choices[0].message.tool_calls
    plain = await mock(tool_call="get_weather").achat([user("hello")])
    assert not plain.choices[0].message.tool_calls


async def test_list_models_carries_pricing_for_the_priced_model() -> None:
    models = {m.id: m for m in await mock().alist_models()}
    assert set(models) == {"mock-1", "mock-vision", "mock-priced"}
    assert models["mock-priced"].pricing is not None
    assert models["mock-1"].context_length == 32_768


async def test_accumulator_matches_achat() -> None:
    provider = mock()
    accumulator = CompletionAccumulator(model="mock-1", provider="mock")
    async for chunk in provider.achat_stream([user("tell me about rivers")]):
        accumulator.add(chunk)
    whole = await provider.achat([user("tell me about rivers")])
    assert accumulator.result().content == whole.content


# -- sync wrappers ------------------------------------------------------------------------------


def test_sync_chat_and_stream_from_plain_code() -> None:
    provider = mock(reply="x y z")
    assert provider.chat([user("hi")]).content == "x y z"
    assert [c.content for c in provider.chat_stream([user("hi")]) if c.content] == ["x", " y", " z"]


async def test_sync_api_works_inside_a_running_loop() -> None:
    provider = mock(reply="inside loop")
    assert provider.chat([user("hi")]).content == "inside loop"
    assert "".join(c.content for c in provider.chat_stream([user("hi")])) == "inside loop"


async def test_sync_api_works_from_the_loops_thread_pool() -> None:
    provider = mock(reply="from a worker thread")
    loop = asyncio.get_running_loop()
    reply = await loop.run_in_executor(None, lambda: provider.chat([user("hi")]))
    assert reply.content == "from a worker thread"


def test_sync_stream_errors_propagate_with_partial_text() -> None:
    provider = mock(reply="a b c", fail_after=1)
    with pytest.raises(ProviderConnectionError) as caught:
        list(provider.chat_stream([user("x")]))
    assert caught.value.partial_text == "a"


def test_closing_a_sync_stream_early_stops_the_producer() -> None:
    provider = mock(reply=" ".join(["w"] * 10_000), delay=0.001)
    before = threading.active_count()
    stream: Iterator = provider.chat_stream([user("x")])
    assert next(stream).content == "w"
    stream.close()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 2
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert threading.active_count() == before
