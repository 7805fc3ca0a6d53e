"""Our requests as the ``oci`` SDK's chat request objects, and its responses back.

Cohere models take one ``message`` plus ``chat_history``, a ``preamble_override`` for the system
prompt and ``tool_results`` for answered calls; every other vendor takes a list of ``messages``
(the "generic" format). Only called once the SDK has been imported (on first use).
"""

from __future__ import annotations

import json
from typing import Any

from ..base import ChatRequest
from ..errors import ImagesNotSupportedError
from ..models import FunctionCall, Message, Tool, ToolCall, Usage
from .events import COHERE_FINISH, GENERIC_FINISH, cohere_tool_call, usage_from

JSON_TO_COHERE_TYPE = {
    "string": "str",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "array": "list",
    "object": "dict",
}


def is_cohere(model: str) -> bool:
    return model.lower().startswith("cohere.")


def chat_request(request: ChatRequest, stream: bool) -> Any:
    if is_cohere(request.model):
        return cohere_request(request, stream)
    return generic_request(request, stream)


# -- Cohere ------------------------------------------------------------------------------------


def _cohere_tool(tool: Tool) -> Any:
    from oci.generative_ai_inference import models as m

    schema = tool.function.parameters
    required = set(schema.get("required") or [])
    definitions = {
        name: m.CohereParameterDefinition(
            type=JSON_TO_COHERE_TYPE.get(str(spec.get("type")), "str"),
            description=spec.get("description"),
            is_required=name in required,
        )
        for name, spec in (schema.get("properties") or {}).items()
    }
    return m.CohereTool(
        name=tool.function.name,
        description=tool.function.description or tool.function.name,
        parameter_definitions=definitions,
    )


def _outputs(content: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(content or "")
    except json.JSONDecodeError:
        return [{"result": content or ""}]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        return value
    return [{"result": value}]


def cohere_request(request: ChatRequest, stream: bool) -> Any:
    from oci.generative_ai_inference import models as m

    if any(item.images for item in request.messages):
        raise ImagesNotSupportedError(
            f"{request.model} takes text only: Cohere's chat on OCI has no images",
            hint="choose a model that takes images, such as meta.llama-3.2-90b-vision-instruct",
        )

    calls: dict[str, ToolCall] = {}
    history: list[Any] = []
    system: list[str] = []
    messages = list(request.messages)
    # Trailing tool answers are this turn's tool_results; the last user text is its message.
    trailing: list[Message] = []
    while messages and messages[-1].role == "tool":
        trailing.insert(0, messages.pop())
    message = ""
    if not trailing and messages and messages[-1].role == "user":
        message = messages.pop().content or ""

    def result(answer: Message) -> Any:
        call = calls.get(answer.tool_call_id or "")
        name = call.function.name if call else (answer.name or "tool")
        parameters = call.function.parsed_arguments() if call else {}
        return m.CohereToolResult(
            call=m.CohereToolCall(name=name, parameters=parameters),
            outputs=_outputs(answer.content),
        )

    for item in messages:
        if item.role == "system":
            system.append(item.content or "")
        elif item.role == "user":
            history.append(m.CohereUserMessage(message=item.content or ""))
        elif item.role == "assistant":
            for call in item.tool_calls or []:
                calls[call.id] = call
            tool_calls = [
                m.CohereToolCall(name=c.function.name, parameters=c.function.parsed_arguments())
                for c in item.tool_calls or []
            ]
            history.append(
                m.CohereChatBotMessage(message=item.content or "", tool_calls=tool_calls or None)
            )
        else:
            history.append(m.CohereToolMessage(tool_results=[result(item)]))
    return m.CohereChatRequest(
        message=message,
        chat_history=history or None,
        preamble_override="\n\n".join(system) or None,
        tool_results=[result(answer) for answer in trailing] or None,
        tools=[_cohere_tool(tool) for tool in request.tools] or None,
        is_stream=stream,
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        top_p=request.top_p,
        stop_sequences=request.stop or None,
    )


# -- generic -----------------------------------------------------------------------------------


def _text(content: str | None) -> list[Any] | None:
    from oci.generative_ai_inference import models as m

    return [m.TextContent(text=content)] if content else None


def _generic_message(item: Message) -> Any:
    from oci.generative_ai_inference import models as m

    if item.role == "system":
        return m.SystemMessage(content=_text(item.content))
    if item.role == "user":
        content = _text(item.content) or ([] if item.images else _text(" "))
        images = [m.ImageContent(image_url=m.ImageUrl(url=i.data_url)) for i in item.images or []]
        return m.UserMessage(content=[*(content or []), *images])
    if item.role == "tool":
        return m.ToolMessage(content=_text(item.content or " "), tool_call_id=item.tool_call_id)
    calls = [
        m.FunctionCall(id=c.id, name=c.function.name, arguments=c.function.arguments)
        for c in item.tool_calls or []
    ]
    return m.AssistantMessage(content=_text(item.content), tool_calls=calls or None)


def generic_request(request: ChatRequest, stream: bool) -> Any:
    from oci.generative_ai_inference import models as m

    tools = [
        m.FunctionDefinition(
            name=tool.function.name,
            description=tool.function.description,
            parameters=tool.function.parameters,
        )
        for tool in request.tools
    ]
    return m.GenericChatRequest(
        messages=[_generic_message(item) for item in request.messages],
        is_stream=stream,
        stream_options=m.StreamOptions(is_include_usage=True) if stream else None,
        max_tokens=request.max_tokens,
        temperature=request.temperature,
        top_p=request.top_p,
        stop=request.stop or None,
        tools=tools or None,
    )


# -- responses ---------------------------------------------------------------------------------


def _usage(response: Any) -> Usage | None:
    usage = getattr(response, "usage", None)
    if usage is None:
        return None
    return usage_from(
        {
            "promptTokens": usage.prompt_tokens,
            "completionTokens": usage.completion_tokens,
            "totalTokens": usage.total_tokens,
        }
    )


def read_response(response: Any) -> tuple[str, list[ToolCall], str, Usage | None]:
    """Text, tool calls, finish reason and usage of a ChatResult's ``chat_response``."""
    if getattr(response, "api_format", "") == "COHERE":
        calls = [
            cohere_tool_call({"name": c.name, "parameters": c.parameters}, i)
            for i, c in enumerate(response.tool_calls or [])
        ]
        reason = COHERE_FINISH.get(str(response.finish_reason), "stop")
        return response.text or "", calls, "tool_calls" if calls else reason, _usage(response)
    choice = (response.choices or [None])[0]
    if choice is None:
        return "", [], "stop", _usage(response)
    message = choice.message
    text = "".join(getattr(part, "text", "") or "" for part in message.content or [])
    calls = [
        ToolCall(id=c.id, function=FunctionCall(name=c.name, arguments=c.arguments or "{}"))
        for c in getattr(message, "tool_calls", None) or []
    ]
    reason = GENERIC_FINISH.get(str(choice.finish_reason).lower(), "stop")
    return text, calls, "tool_calls" if calls else reason, _usage(response)
