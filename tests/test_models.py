from __future__ import annotations

import pytest

from coda_tui.providers import (
    ChatCompletionChunk,
    ConfigurationError,
    FunctionCall,
    Message,
    Pricing,
    Usage,
)
from coda_tui.providers.convert import coerce_messages, coerce_tools, to_openai_messages


def test_messages_accept_dicts_and_models_alike() -> None:
    messages = coerce_messages(
        [
            {"role": "system", "content": "be brief"},
            Message(role="user", content="hi"),
            {
                "role": "assistant",
                "tool_calls": [{"id": "c1", "function": {"name": "f", "arguments": "{}"}}],
            },
            {"role": "tool", "content": "42", "tool_call_id": "c1"},
        ]
    )
    assert [m.role for m in messages] == ["system", "user", "assistant", "tool"]
    assert messages[2].tool_calls is not None
    assert messages[2].tool_calls[0].function.name == "f"
    wire = to_openai_messages(messages)
    assert wire[1] == {"role": "user", "content": "hi"}
    assert "content" not in wire[2]


@pytest.mark.parametrize(
    ("bad", "needle"),
    [
        ([{"role": "robot", "content": "x"}], "message 0"),
        ([{"content": "x"}], "role"),
        ([], "no messages"),
        ([{"role": "user", "content": "x", "colour": "red"}], "colour"),
    ],
)
def test_bad_messages_give_a_clear_configuration_error(bad: list, needle: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        coerce_messages(bad)
    assert needle in str(caught.value)


def test_bad_tool_names_its_index() -> None:
    with pytest.raises(ConfigurationError, match="tool 1"):
        coerce_tools([{"function": {"name": "ok"}}, {"function": {}}])


def test_chunk_is_openai_shaped() -> None:
    chunk = ChatCompletionChunk.model_validate(
        {
            "model": "m",
            "provider": "p",
            "choices": [{"delta": {"content": "Hi"}, "finish_reason": None}],
        }
    )
    dumped = chunk.model_dump()
    assert dumped["object"] == "chat.completion.chunk"
    assert dumped["choices"][0]["delta"]["content"] == "Hi"
    assert chunk.content == "Hi"
    assert chunk.finish_reason is None


def test_function_arguments_tolerate_invalid_json() -> None:
    assert FunctionCall(name="f", arguments='{"a": 1}').parsed_arguments() == {"a": 1}
    assert FunctionCall(name="f", arguments="{not json").parsed_arguments() == {}
    assert FunctionCall(name="f", arguments="[1]").parsed_arguments() == {}


def test_pricing_cost_per_million_tokens() -> None:
    usage = Usage(prompt_tokens=1_000, completion_tokens=500, total_tokens=1_500)
    assert Pricing(input_per_million=3.0, output_per_million=15.0).cost(usage) == pytest.approx(
        0.0105
    )
    assert Pricing(input_per_million=3.0).cost(usage) is None
