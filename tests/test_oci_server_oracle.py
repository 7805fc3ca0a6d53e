"""The local OCI endpoint driven by the ``oci`` SDK's own clients, with no code of ours between:
if the SDK signs, sends, parses and pages against it, the fake speaks the service's shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import oci
import pytest
from oci.generative_ai import GenerativeAiClient
from oci.generative_ai_inference import GenerativeAiInferenceClient
from oci.generative_ai_inference import models as m

from .servers.oci_genai import COMPARTMENT, OCIServer, make_account


@pytest.fixture
def server() -> Iterator[OCIServer]:
    with OCIServer() as running:
        yield running


def sdk_options(server: OCIServer) -> dict[str, Any]:
    return {
        "service_endpoint": server.url,
        "retry_strategy": oci.retry.NoneRetryStrategy(),
        "circuit_breaker_strategy": oci.circuit_breaker.NoCircuitBreakerStrategy(),
    }


def config(tmp_path: Path, server: OCIServer) -> dict[str, Any]:
    account = make_account(tmp_path, server)
    return dict(oci.config.from_file(str(account.config_file), "DEFAULT"))


def details(request: Any, model: str) -> Any:
    return m.ChatDetails(
        compartment_id=COMPARTMENT,
        serving_mode=m.OnDemandServingMode(model_id=model),
        chat_request=request,
    )


def test_sdk_chat_parses_a_cohere_result(tmp_path: Path, server: OCIServer) -> None:
    client = GenerativeAiInferenceClient(config(tmp_path, server), **sdk_options(server))
    result = client.chat(
        details(m.CohereChatRequest(message="hello"), "cohere.command-r-plus")
    ).data
    assert isinstance(result, m.ChatResult)
    assert isinstance(result.chat_response, m.CohereChatResponse)
    assert result.chat_response.text == "You said: hello. Cohere on OCI answering."
    assert result.chat_response.usage.total_tokens == 19
    assert server.state.bad_signatures == 0


def test_sdk_chat_parses_generic_tool_calls(tmp_path: Path, server: OCIServer) -> None:
    client = GenerativeAiInferenceClient(config(tmp_path, server), **sdk_options(server))
    tool = m.FunctionDefinition(name="get_weather", parameters={"type": "object"})
    request = m.GenericChatRequest(
        messages=[m.UserMessage(content=[m.TextContent(text="weather?")])], tools=[tool]
    )
    response = client.chat(details(request, "meta.llama-3.3-70b-instruct")).data.chat_response
    assert isinstance(response, m.GenericChatResponse)
    message = response.choices[0].message
    assert isinstance(message, m.AssistantMessage)
    call = message.tool_calls[0]
    assert isinstance(call, m.FunctionCall) and call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Paris"}
    assert response.choices[0].finish_reason == "tool_calls"


def test_sdk_stream_is_an_event_stream(tmp_path: Path, server: OCIServer) -> None:
    client = GenerativeAiInferenceClient(config(tmp_path, server), **sdk_options(server))
    request = m.GenericChatRequest(
        messages=[m.UserMessage(content=[m.TextContent(text="stream me")])],
        is_stream=True,
        stream_options=m.StreamOptions(is_include_usage=True),
    )
    events = client.chat(details(request, "meta.llama-3.3-70b-instruct")).data
    data = [json.loads(event.data) for event in events.events()]
    text = "".join(
        part["text"] for d in data for part in (d.get("message") or {}).get("content", [])
    )
    assert text == "You said: stream me. Generic on OCI answering."
    assert data[-2]["finishReason"] == "stop" and "usage" in data[-1]


def test_sdk_pages_through_the_model_list(tmp_path: Path, server: OCIServer) -> None:
    client = GenerativeAiClient(config(tmp_path, server), **sdk_options(server))
    everything = oci.pagination.list_call_get_all_results(
        client.list_models, compartment_id=COMPARTMENT, capability=["CHAT"]
    ).data
    assert [s.display_name for s in everything][:2] == ["cohere.command-r-plus"] * 2
    assert len(everything) == 5 and all(s.lifecycle_state == "ACTIVE" for s in everything)
    first_page = client.list_models(compartment_id=COMPARTMENT, capability=["CHAT"])
    assert len(first_page.data.items) == 2 and first_page.next_page == "2"


def test_sdk_sees_an_unsigned_or_wrongly_signed_request_refused(
    tmp_path: Path, server: OCIServer
) -> None:
    settings = config(tmp_path, server)
    server.state.public_keys.clear()
    client = GenerativeAiClient(settings, **sdk_options(server))
    with pytest.raises(oci.exceptions.ServiceError) as caught:
        client.list_models(compartment_id=COMPARTMENT)
    assert caught.value.status == 401 and caught.value.code == "NotAuthenticated"
