"""A local OpenAI-compatible server: chat completions (JSON and SSE) and the model list.

It speaks what vLLM, llama.cpp and LM Studio speak, in OpenAI's shapes: bearer-key auth (401 with
OpenAI's error object), 404 for an unknown model, 429 with Retry-After, tool calls whose
arguments arrive split across several events, usage when ``stream_options.include_usage`` asks
for it, and a stream that can be cut mid-way. The official ``openai`` client is run against it in
tests, so a protocol mismatch fails a test.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from .base import JSONHandler, LocalServer, ServerState
from .ollama import tokens


@dataclass
class OpenAIFaults:
    cut_after: int | None = None
    rate_limited: bool = False
    retry_after: int = 7
    status_500: bool = False
    token_delay: float = 0.0
    error_after: int | None = None
    """Send an ``{"error": ...}`` event after this many pieces, as servers do mid-stream."""
    pings_after: int | None = None
    """After this many pieces send only ``: ping`` comments, every ``ping_every`` s, for up to
    ``ping_for`` s (llama-cpp-python's keep-alive while its generation is stalled)."""
    ping_every: float = 0.1
    ping_for: float = 30.0
    html: bool = False
    """Answer every request with an HTML page and HTTP 200, as a web server at the wrong URL."""


@dataclass
class OpenAIState(ServerState):
    api_key: str | None = "sk-test-key"
    """The key every request must carry; None for a server that asks for none."""
    models: list[str] = field(default_factory=lambda: ["gpt-4o-mini", "local-llama"])
    reply: str | None = None
    name: str = "server"
    faults: OpenAIFaults = field(default_factory=OpenAIFaults)

    def reply_for(self, messages: list[dict[str, Any]]) -> str:
        if self.reply is not None:
            return self.reply
        last = next(
            (str(m.get("content") or "") for m in reversed(messages) if m.get("role") == "user"),
            "",
        )
        return f"{self.name} says: {last}"


def _error(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class OpenAIHandler(JSONHandler[OpenAIState]):
    stream_content_type = "text/event-stream"

    def route(self, method: str, path: str) -> Any:
        path = path.removeprefix("/v1")
        return {
            ("GET", "/models"): OpenAIHandler.list_models,
            ("POST", "/chat/completions"): OpenAIHandler.chat,
        }.get((method, path))

    def _authorised(self) -> bool:
        if self.state.faults.html:
            page = b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
            return False
        if self.state.api_key is None:
            return True
        if self.headers.get("Authorization") == f"Bearer {self.state.api_key}":
            return True
        given = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
        masked = f"{given[:3]}*****{given[-4:]}" if len(given) > 8 else "*****"
        message = f"Incorrect API key provided: {masked}. You can find your API key online."
        self.send_json(401, _error(message, "invalid_request_error", "invalid_api_key"))
        return False

    def _event(self, payload: Any) -> None:
        data = payload if isinstance(payload, str) else json.dumps(payload)
        self.chunk(f"data: {data}\n\n".encode())

    def list_models(self, body: Any) -> None:
        if not self._authorised():
            return
        data = [
            {"id": name, "object": "model", "created": 1_700_000_000, "owned_by": "local"}
            for name in self.state.models
        ]
        self.send_json(200, {"object": "list", "data": data})

    def chat(self, body: Any) -> None:
        if not self._authorised():
            return
        faults = self.state.faults
        model = body.get("model")
        if faults.rate_limited:
            self.send_json(
                429,
                _error("Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                {"Retry-After": str(faults.retry_after)},
            )
            return
        if faults.status_500:
            self.send_json(500, _error("The server had an error", "server_error", None))
            return
        if model not in self.state.models:
            message = f"The model `{model}` does not exist or you do not have access to it."
            self.send_json(404, _error(message, "invalid_request_error", "model_not_found"))
            return
        messages = body.get("messages") or []
        pieces = tokens(self.state.reply_for(messages))
        finish = "stop"
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and limit < len(pieces):
            pieces, finish = pieces[:limit], "length"
        calls = self._tool_calls(body, messages)
        if calls:
            pieces, finish = [], "tool_calls"
        prompt_tokens = sum(len(tokens(str(m.get("content") or ""))) for m in messages)
        usage = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": len(pieces) + len(calls),
            "total_tokens": prompt_tokens + len(pieces) + len(calls),
        }
        base = {"id": "chatcmpl-local", "created": int(time.time()), "model": model}
        if not body.get("stream"):
            message: dict[str, Any] = {"role": "assistant", "content": "".join(pieces) or None}
            if calls:
                message["tool_calls"] = [
                    {
                        "id": c["id"],
                        "type": "function",
                        "function": {"name": c["name"], "arguments": c["arguments"]},
                    }
                    for c in calls
                ]
            choice = {"index": 0, "message": message, "finish_reason": finish, "logprobs": None}
            self.send_json(
                200, {**base, "object": "chat.completion", "choices": [choice], "usage": usage}
            )
            return
        self.start_stream()

        def event(delta: dict[str, Any], reason: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": reason}
            self._event({**base, "object": "chat.completion.chunk", "choices": [choice]})

        event({"role": "assistant", "content": ""})
        for index, piece in enumerate(pieces):
            if faults.cut_after is not None and index == faults.cut_after:
                self.cut()
                return
            if faults.pings_after is not None and index == faults.pings_after:
                deadline = time.monotonic() + faults.ping_for
                while time.monotonic() < deadline:
                    self.chunk(b": ping\n\n")
                    time.sleep(faults.ping_every)
                self.end_stream()
                return
            if faults.error_after is not None and index == faults.error_after:
                self._event(_error("The model overloaded mid-answer", "server_error", None))
                self.end_stream()
                return
            event({"content": piece})
            if faults.token_delay:
                time.sleep(faults.token_delay)
        for position, call in enumerate(calls):
            arguments = call["arguments"]
            third = max(len(arguments) // 3, 1)
            event(
                {
                    "tool_calls": [
                        {
                            "index": position,
                            "id": call["id"],
                            "type": "function",
                            "function": {"name": call["name"], "arguments": ""},
                        }
                    ]
                }
            )
            for start in range(0, len(arguments), third):
                event(
                    {
                        "tool_calls": [
                            {
                                "index": position,
                                "function": {"arguments": arguments[start : start + third]},
                            }
                        ]
                    }
                )
        event({}, finish)
        if (body.get("stream_options") or {}).get("include_usage"):
            self._event({**base, "object": "chat.completion.chunk", "choices": [], "usage": usage})
        self._event("[DONE]")
        self.end_stream()

    @staticmethod
    def _tool_calls(body: dict[str, Any], messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not messages or messages[-1].get("role") != "user":
            return []
        prompt = str(messages[-1].get("content") or "")
        calls = []
        for tool in body.get("tools") or []:
            function = tool.get("function", {})
            name = function.get("name")
            if name and name in prompt:
                properties = function.get("parameters", {}).get("properties", {})
                arguments = json.dumps({key: prompt for key in properties})
                calls.append({"id": f"call_{len(calls) + 1}", "name": name, "arguments": arguments})
        return calls


class OpenAICompatServer(LocalServer[OpenAIState]):
    """The fake OpenAI-compatible server on 127.0.0.1; ``url`` + "/v1" is its API base."""

    def __init__(self, state: OpenAIState | None = None) -> None:
        super().__init__(OpenAIHandler, state or OpenAIState())

    @property
    def api_base(self) -> str:
        return f"{self.url}/v1"

    def __enter__(self) -> OpenAICompatServer:
        super().__enter__()
        return self
