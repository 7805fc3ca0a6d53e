"""The fake OpenAI-compatible server driven by the official ``openai`` client."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest

from .servers.openai_compat import OpenAICompatServer
from .tools import WEATHER_TOOL


@pytest.fixture
def server() -> Iterator[OpenAICompatServer]:
    with OpenAICompatServer() as running:
        yield running


def client(server: OpenAICompatServer, key: str = "sk-test-key") -> openai.OpenAI:
    return openai.OpenAI(base_url=server.api_base, api_key=key, max_retries=0)


def test_models_list(server: OpenAICompatServer) -> None:
    assert [m.id for m in client(server).models.list()] == ["gpt-4o-mini", "local-llama"]


def test_completion_whole_and_streamed_with_usage(server: OpenAICompatServer) -> None:
    c = client(server)
    messages = [{"role": "user", "content": "hello there"}]
    whole = c.chat.completions.create(model="gpt-4o-mini", messages=messages)  # type: ignore[arg-type]
    assert whole.choices[0].message.content == "server says: hello there"
    assert whole.usage is not None and whole.usage.completion_tokens == 4
    parts = list(
        c.chat.completions.create(
            model="gpt-4o-mini",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    text = "".join(p.choices[0].delta.content or "" for p in parts if p.choices)
    assert text == whole.choices[0].message.content
    assert [p.choices[0].finish_reason for p in parts if p.choices][-1] == "stop"
    assert parts[-1].usage is not None and parts[-1].usage.total_tokens == 6


def test_streamed_tool_call_arguments_arrive_in_pieces(server: OpenAICompatServer) -> None:
    parts = list(
        client(server).chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": "get_weather in Oslo"}],
            tools=[WEATHER_TOOL],  # type: ignore[list-item]
            stream=True,
        )
    )
    deltas = [d for p in parts if p.choices for d in p.choices[0].delta.tool_calls or []]
    assert len(deltas) >= 3
    assert deltas[0].id == "call_1" and deltas[0].function.name == "get_weather"
    arguments = "".join(d.function.arguments or "" for d in deltas)
    assert arguments == '{"city": "get_weather in Oslo"}'


def test_errors_match_openai(server: OpenAICompatServer) -> None:
    with pytest.raises(openai.AuthenticationError):
        client(server, key="sk-wrong-key-123").models.list()
    with pytest.raises(openai.NotFoundError):
        client(server).chat.completions.create(
            model="nope", messages=[{"role": "user", "content": "x"}]
        )
    server.state.faults.rate_limited = True
    with pytest.raises(openai.RateLimitError) as caught:
        client(server).chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]
        )
    assert caught.value.response.headers["retry-after"] == "7"
