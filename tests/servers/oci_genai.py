"""A local OCI Generative AI endpoint: chat (JSON and SSE, Cohere and generic formats) and the
model list, in the shapes the ``oci`` SDK deserialises.

Every request must carry a valid OCI request signature (RSA-SHA256 over the signed headers, with
the body's SHA-256), checked against the public key of the test's throwaway API key, as the real
service does. Faults mimic what the live service does: no ``[DONE]`` and a connection kept open
after the answer, tool-call arguments split over events, 401/404/429/5xx errors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .base import JSONHandler, LocalServer, ServerState

API = "/20231130"
COMPARTMENT = "ocid1.compartment.oc1..testcompartment"
TENANCY = "ocid1.tenancy.oc1..testtenancy"
USER = "ocid1.user.oc1..testuser"
SIGNATURE = re.compile(r'(\w+)="([^"]*)"')


@dataclass
class OCIModel:
    name: str
    vendor: str
    created: str = "2025-01-15T00:00:00.000Z"
    deprecated: str | None = None
    capabilities: list[str] = field(default_factory=lambda: ["CHAT"])

    def summary(self) -> dict[str, Any]:
        digest = hashlib.sha256((self.name + self.created).encode()).hexdigest()[:20]
        return {
            "id": f"ocid1.generativeaimodel.oc1.us-chicago-1.{digest}",
            "compartmentId": None,
            "capabilities": self.capabilities,
            "lifecycleState": "ACTIVE",
            "displayName": self.name,
            "vendor": self.vendor,
            "version": "1.0",
            "timeCreated": self.created,
            "type": "BASE",
            "isLongTermSupported": False,
            "timeDeprecated": self.deprecated,
        }


@dataclass
class OCIFaults:
    status: int | None = None
    """Answer every chat with this HTTP error."""
    keep_open: bool = False
    """After the last event, keep the connection open with keep-alive comments."""
    hold_silently: bool = False
    """After the last event, send nothing at all and keep the connection open until the client
    hangs up (the live service)."""
    send_done: bool = False
    cut_after: int | None = None
    split_arguments: bool = True
    token_delay: float = 0.0


@dataclass
class OCIState(ServerState):
    public_keys: dict[str, Any] = field(default_factory=dict)
    compartment: str = COMPARTMENT
    models: list[OCIModel] = field(default_factory=list)
    page_size: int = 2
    faults: OCIFaults = field(default_factory=OCIFaults)
    bad_signatures: int = 0
    chat_bodies: list[dict[str, Any]] = field(default_factory=list)


def default_models() -> list[OCIModel]:
    return [
        OCIModel("cohere.command-r-plus", "cohere"),
        OCIModel("cohere.command-r-plus", "cohere", created="2024-08-01T00:00:00.000Z"),
        OCIModel("meta.llama-3.3-70b-instruct", "meta"),
        OCIModel("meta.llama-4-scout-17b-16e-instruct", "meta"),
        OCIModel("xai.grok-3", "xai", deprecated="2026-06-01T00:00:00.000Z"),
        OCIModel("cohere.embed-english-v3.0", "cohere", capabilities=["TEXT_EMBEDDINGS"]),
    ]


def words(text: str) -> list[str]:
    return re.findall(r"\S+\s*", text)


class OCIHandler(JSONHandler[OCIState]):
    stream_content_type = "text/event-stream"  # exactly: the SDK checks without a charset

    def error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        code = {
            400: "InvalidParameter",
            401: "NotAuthenticated",
            404: "NotAuthorizedOrNotFound",
            429: "TooManyRequests",
        }.get(status, "InternalServerError")
        headers = {"opc-request-id": "test-request", **(headers or {})}
        self.send_json(status, {"code": code, "message": message}, headers)

    def route(self, method: str, path: str) -> Any:
        if not self.signed():
            return OCIHandler.unauthenticated
        return super().route(method, path)

    def signed(self) -> bool:
        """Check the OCI signature the way the service does (draft-cavage HTTP signatures)."""
        fields = dict(SIGNATURE.findall(self.headers.get("Authorization") or ""))
        key = self.state.public_keys.get(fields.get("keyId", ""))
        if key is None or fields.get("algorithm") != "rsa-sha256":
            return self._bad()
        lines = []
        for name in fields.get("headers", "").split():
            if name == "(request-target)":
                lines.append(f"(request-target): {self.command.lower()} {self.path}")
            elif self.headers.get(name) is None:
                return self._bad()
            else:
                lines.append(f"{name}: {self.headers[name]}")
        if self.command == "POST":
            digest = base64.b64encode(hashlib.sha256(self.raw_body).digest()).decode()
            if "x-content-sha256" not in fields["headers"].split():
                return self._bad()
            if self.headers.get("x-content-sha256") != digest:
                return self._bad()
        try:
            key.verify(
                base64.b64decode(fields.get("signature", "")),
                "\n".join(lines).encode("ascii"),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            return self._bad()
        return True

    def _bad(self) -> bool:
        with self.state.lock:
            self.state.bad_signatures += 1
        return False

    def unauthenticated(self, body: Any) -> None:
        self.error(401, "The required information to complete authentication was not provided.")

    # -- models ---------------------------------------------------------------------------------

    def list_models(self, body: Any) -> None:
        query = parse_qs(urlsplit(self.path).query)
        if query.get("compartmentId") != [self.state.compartment]:
            self.error(404, "Authorization failed or requested resource not found.")
            return
        wanted = set(query.get("capability", []))
        state = [m for m in query.get("lifecycleState", ["ACTIVE"])]
        items = [
            m.summary()
            for m in self.state.models
            if (not wanted or wanted & set(m.capabilities)) and "ACTIVE" in state
        ]
        start = int(query.get("page", ["0"])[0])
        page = items[start : start + self.state.page_size]
        headers = {}
        if start + self.state.page_size < len(items):
            headers["opc-next-page"] = str(start + self.state.page_size)
        self.send_json(200, {"items": page}, headers)

    # -- chat -----------------------------------------------------------------------------------

    def chat(self, body: Any) -> None:
        with self.state.lock:
            self.state.chat_bodies.append(body)
        faults = self.state.faults
        if faults.status:
            messages = {401: "Not authenticated", 429: "Too many requests for the tenancy"}
            self.error(faults.status, messages.get(faults.status, "Internal error"))
            return
        if body.get("compartmentId") != self.state.compartment:
            self.error(404, "Authorization failed or requested resource not found.")
            return
        model = (body.get("servingMode") or {}).get("modelId", "")
        if model not in {m.name for m in self.state.models}:
            self.error(400, f"Entity with key {model} not found")
            return
        request = body.get("chatRequest") or {}
        cohere = request.get("apiFormat") == "COHERE"
        text, calls = self.answer(request, cohere)
        if not request.get("isStream"):
            self.send_json(200, self.whole(model, text, calls, cohere))
            return
        self.start_stream()
        events = self.cohere_events(text, calls) if cohere else self.generic_events(text, calls)
        for index, event in enumerate(events):
            if faults.cut_after is not None and index == faults.cut_after:
                self.cut()
                return
            self.chunk(f"data: {json.dumps(event)}\n\n".encode())
            if faults.token_delay:
                time.sleep(faults.token_delay)
        if faults.send_done:
            self.chunk(b"data: [DONE]\n\n")
        if faults.keep_open:  # no end, until the client hangs up
            for _ in range(300):
                time.sleep(0.05)
                self.chunk(b": keep-alive\n\n")
        if faults.hold_silently:  # like the live service: not a byte more
            self.hold_until_gone(30)
            return
        self.end_stream()

    def answer(self, request: dict[str, Any], cohere: bool) -> tuple[str, list[dict[str, Any]]]:
        """Call the first tool offered unless tool results came back; else echo the prompt."""
        if cohere:
            results = request.get("toolResults") or []
            if results:
                return f"The tool said: {json.dumps(results[0]['outputs'][0])}", []
            if request.get("tools"):
                return "", [{"name": request["tools"][0]["name"], "parameters": {"city": "Paris"}}]
            return f"You said: {request.get('message', '')}. Cohere on OCI answering.", []
        messages = request.get("messages") or []
        if messages and messages[-1]["role"] == "TOOL":
            return f"The tool said: {messages[-1]['content'][0]['text']}", []
        if request.get("tools"):
            name = request["tools"][0]["name"]
            return "", [{"id": "call_oci_1", "name": name, "arguments": '{"city": "Paris"}'}]
        last = next((m for m in reversed(messages) if m["role"] == "USER"), {"content": []})
        prompt = "".join(part.get("text", "") for part in last.get("content") or [])
        return f"You said: {prompt}. Generic on OCI answering.", []

    @staticmethod
    def usage(text: str) -> dict[str, int]:
        completion = len(words(text)) or 1
        return {"promptTokens": 12, "completionTokens": completion, "totalTokens": 12 + completion}

    def whole(
        self, model: str, text: str, calls: list[dict[str, Any]], cohere: bool
    ) -> dict[str, Any]:
        if cohere:
            response: dict[str, Any] = {
                "apiFormat": "COHERE",
                "text": text,
                "finishReason": "COMPLETE",
                "usage": self.usage(text),
            }
            if calls:
                response["toolCalls"] = calls
        else:
            message: dict[str, Any] = {"role": "ASSISTANT"}
            if text:
                message["content"] = [{"type": "TEXT", "text": text}]
            if calls:
                message["toolCalls"] = [{"type": "FUNCTION", **call} for call in calls]
            response = {
                "apiFormat": "GENERIC",
                "timeCreated": "2026-11-25T12:00:00.000Z",
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finishReason": "tool_calls" if calls else "stop",
                    }
                ],
                "usage": self.usage(text),
            }
        return {"modelId": model, "modelVersion": "1.0", "chatResponse": response}

    def cohere_events(self, text: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [
            {"apiFormat": "COHERE", "text": word} for word in words(text)
        ]
        final: dict[str, Any] = {
            "apiFormat": "COHERE",
            "text": text,  # the whole answer again, as the live service does
            "finishReason": "COMPLETE",
            "usage": self.usage(text),
        }
        if calls:
            final["toolCalls"] = calls
        return [*events, final]

    def generic_events(self, text: str, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def event(message: dict[str, Any], **extra: Any) -> dict[str, Any]:
            return {"index": 0, "message": {"role": "ASSISTANT", **message}, **extra}

        events = [event({"content": [{"type": "TEXT", "text": w}]}) for w in words(text)]
        for call in calls:
            arguments = call["arguments"]
            parts = (
                [arguments[:5], arguments[5:]] if self.state.faults.split_arguments else [arguments]
            )
            first = {"type": "FUNCTION", "id": call["id"], "name": call["name"]}
            events.append(event({"toolCalls": [{**first, "arguments": parts[0]}]}))
            events += [
                event({"toolCalls": [{"type": "FUNCTION", "arguments": p}]}) for p in parts[1:]
            ]
        finish = "tool_calls" if calls else "stop"
        events.append(event({"content": [{"type": "TEXT", "text": ""}]}, finishReason=finish))
        events.append({"usage": self.usage(text)})
        return events


OCIHandler.routes = {
    ("POST", f"{API}/actions/chat"): OCIHandler.chat,
    ("GET", f"{API}/models"): OCIHandler.list_models,
}


class OCIServer(LocalServer[OCIState]):
    """The fake OCI endpoint on 127.0.0.1; use as a context manager."""

    def __init__(self, state: OCIState | None = None) -> None:
        super().__init__(OCIHandler, state or OCIState(models=default_models()))

    def __enter__(self) -> OCIServer:
        super().__enter__()
        return self


@dataclass
class OCIAccount:
    """A throwaway API key and ``~/.oci/config``-style file, as `oci setup config` writes."""

    config_file: Path
    key_id: str
    profile: str = "DEFAULT"


def make_account(directory: Path, server: OCIServer, profile: str = "DEFAULT") -> OCIAccount:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_file = directory / "oci_api_key.pem"
    key_file.write_bytes(pem)
    key_file.chmod(0o600)
    public = key.public_key()
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    digest = hashlib.md5(der).hexdigest()
    fingerprint = ":".join(digest[i : i + 2] for i in range(0, 32, 2))
    key_id = f"{TENANCY}/{USER}/{fingerprint}"
    server.state.public_keys[key_id] = public
    config_file = directory / "config"
    config_file.write_text(
        f"[{profile}]\nuser={USER}\nfingerprint={fingerprint}\ntenancy={TENANCY}\n"
        f"region=us-chicago-1\nkey_file={key_file}\n",
        encoding="utf-8",
    )
    return OCIAccount(config_file, key_id, profile)
