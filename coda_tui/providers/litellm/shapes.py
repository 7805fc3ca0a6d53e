"""What LiteLLM's world hands back, read into ours: its model map entries as ``Model``s, and the
details hidden in its (and the openai SDK's) exceptions."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ..models import Model, Pricing


def model_from_cost(model_id: str, provider: str, info: dict[str, Any]) -> Model:
    """A ``Model`` from one entry of litellm's model map (prices there are per token)."""
    capabilities: list[Any] = ["chat"]
    if info.get("supports_function_calling"):
        capabilities.append("tools")
    if info.get("supports_vision"):
        capabilities.append("vision")
    input_cost, output_cost = info.get("input_cost_per_token"), info.get("output_cost_per_token")
    pricing = None
    if input_cost is not None or output_cost is not None:
        pricing = Pricing(
            input_per_million=input_cost * 1e6 if input_cost is not None else None,
            output_per_million=output_cost * 1e6 if output_cost is not None else None,
        )
    deprecated = None
    if isinstance(info.get("deprecation_date"), str):
        try:
            deprecated = datetime.fromisoformat(info["deprecation_date"])
        except ValueError:
            deprecated = None
    return Model(
        id=model_id,
        provider=provider,
        context_length=info.get("max_input_tokens") or info.get("max_tokens"),
        max_output_tokens=info.get("max_output_tokens"),
        capabilities=capabilities,
        capabilities_known="supports_vision" in info,
        pricing=pricing,
        deprecated_at=deprecated,
        raw={k: v for k, v in info.items() if isinstance(v, str | int | float | bool)},
    )


def retry_after(exc: object) -> float | None:
    """Seconds a 429 asks to wait, from an SDK's exception or an HTTP response."""
    response = getattr(exc, "response", None)
    for headers in (
        getattr(exc, "headers", None),
        getattr(response, "headers", None),
        getattr(exc, "litellm_response_headers", None),  # where litellm keeps them for some
    ):
        if headers:
            value = headers.get("retry-after") or headers.get("Retry-After")
            try:
                return float(value) if value is not None else None
            except ValueError:
                return None
    return None


_PREFIX = re.compile(r"^(?:litellm\.\w+: |\w+(?:Error|Exception)(?: - |: ))+")


_OBJECT = re.compile(r"<[^<>]*? object at 0x[0-9a-fA-F]+>")
_WRAPPED = re.compile(r"<(\w+(?:Error|Exception)): ([^<>]*)>")


def plain_message(message: str) -> str:
    """One readable line: litellm stacks class names in front of the server's words, and
    its transport errors quote Python objects (``ssl:<ssl.SSLContext object at 0x...>``,
    ``<TransferEncodingError: 400, ...>``); keep the words."""
    text = _WRAPPED.sub(r"\1: \2", _OBJECT.sub("", message))
    text = _PREFIX.sub("", text).strip() or message.strip()
    line = " ".join(text.split())
    return line if len(line) <= 240 else line[:239] + "…"


def is_transport(exc: BaseException) -> bool:
    """A refused, timed-out or cut connection, however deep litellm wrapped it (it reports a
    refused connection as an InternalServerError whose cause is httpx's ConnectError)."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return False
        name = type(seen).__name__
        if name.endswith("StatusError"):  # httpx's HTTPStatusError: the server did answer
            return False
        if type(seen).__module__.startswith(("httpx", "httpcore", "aiohttp")) or name in (
            "APIConnectionError",
            "APITimeoutError",
        ):
            return True
        if isinstance(seen, ConnectionError | TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def provider_of(model: str) -> str:
    """``openai/gpt-4o`` -> ``openai``; a bare name is taken as OpenAI's, as litellm does."""
    return model.split("/", 1)[0] if "/" in model else "openai"
