"""The kinds of provider a user sets up, the form fields each needs, and what is auto-detected.

A kind is a preset over one provider type: OpenAI, Anthropic, Gemini, Groq and OpenRouter are all
``litellm`` sections that differ by model prefix and key variable.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import ProviderSettings
from ..config.refs import is_reference

KEY_FIELD = "key_variable"
SESSION_KEY_FIELD = "session_key"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    placeholder: str = ""
    password: bool = False


@dataclass(frozen=True)
class ProviderKind:
    key: str
    title: str
    type: str
    model: str = ""
    key_variable: str = ""
    api_base: str = ""
    fields: tuple[FormField, ...] = field(default_factory=tuple)


MODEL = FormField("model", "Default model")
TIMEOUT = FormField("timeout", "Timeout (seconds)", "60")
KEY_FIELDS = (
    FormField(KEY_FIELD, "Environment variable that holds the key (saved as ${NAME})"),
    FormField(
        SESSION_KEY_FIELD,
        "…or paste a key: used for this session only, never written to any file",
        password=True,
    ),
)


def _hosted(key: str, title: str, model: str, variable: str) -> ProviderKind:
    fields = (MODEL, *KEY_FIELDS, TIMEOUT)
    return ProviderKind(key, title, "litellm", model, variable, fields=fields)


KINDS: tuple[ProviderKind, ...] = (
    ProviderKind(
        "ollama",
        "Ollama",
        "ollama",
        "llama3.2",
        fields=(FormField("base_url", "Server address", "http://localhost:11434"), MODEL, TIMEOUT),
    ),
    _hosted("openai", "OpenAI", "openai/gpt-4o-mini", "OPENAI_API_KEY"),
    _hosted("anthropic", "Anthropic", "anthropic/claude-3-5-haiku-latest", "ANTHROPIC_API_KEY"),
    _hosted("gemini", "Google Gemini", "gemini/gemini-2.0-flash", "GEMINI_API_KEY"),
    _hosted("groq", "Groq", "groq/llama-3.3-70b-versatile", "GROQ_API_KEY"),
    _hosted("openrouter", "OpenRouter", "openrouter/openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
    ProviderKind(
        "local",
        "OpenAI-compatible server (vLLM, llama.cpp, LM Studio…)",
        "litellm",
        "openai/my-model",
        "",
        "http://localhost:8000/v1",
        fields=(
            FormField("api_base", "Base URL", "http://localhost:8000/v1"),
            MODEL,
            FormField(
                KEY_FIELD,
                "Variable with this server's own key, saved as ${NAME}; empty sends none "
                "(OPENAI_API_KEY only ever goes to OpenAI itself)",
            ),
            KEY_FIELDS[1],
            TIMEOUT,
        ),
    ),
    ProviderKind(
        "oci",
        "OCI Generative AI",
        "oci_genai",
        "meta.llama-3.3-70b-instruct",
        fields=(
            FormField("config_file", "OCI config file", "~/.oci/config"),
            FormField("profile", "Profile", "DEFAULT"),
            FormField("compartment_id", "Compartment OCID (or ${OCI_COMPARTMENT_ID})"),
            FormField("region", "Region (else the profile's)", "us-chicago-1"),
            FormField("endpoint", "Endpoint (dedicated or private; else from the region)"),
            MODEL,
            TIMEOUT,
        ),
    ),
    ProviderKind("mock", "Mock (offline)", "mock", "mock-1", fields=(MODEL,)),
)


def kind_of(name: str, section: ProviderSettings | None) -> ProviderKind:
    """The kind a configured section is (by name, else type and model prefix)."""
    by_key = {kind.key: kind for kind in KINDS}
    if name in by_key and (section is None or section.type == by_key[name].type):
        return by_key[name]
    if section is None:
        return by_key["mock"]
    if section.type == "litellm":
        if getattr(section, "api_base", None):
            return by_key["local"]
        prefix = (section.model or "").split("/", 1)[0]
        return by_key.get(prefix, by_key["local"])
    return next(kind for kind in KINDS if kind.type == section.type)


def form_values(kind: ProviderKind, section: ProviderSettings | None) -> dict[str, str]:
    """The form's starting text: the section's values, else the kind's suggestions."""
    values = {"model": kind.model, KEY_FIELD: kind.key_variable, "api_base": kind.api_base}
    if section is not None:
        for form_field in kind.fields:
            value = getattr(section, form_field.name, None)
            if value is not None and form_field.name in section.model_fields_set:
                values[form_field.name] = str(value)
        api_key = getattr(section, "api_key", None)
        if api_key is not None and is_reference(api_key.get_secret_value()):
            reference = api_key.get_secret_value().removeprefix("${").removesuffix("}")
            values[KEY_FIELD] = reference.split(":-")[0]
    values[SESSION_KEY_FIELD] = ""
    return values


class FormError(ValueError):
    """A form value that cannot be saved; the message says which and why."""


VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
"""Capitals, digits and _: a lower-case or dashed word here is far more likely a pasted key."""


def section_from_form(kind: ProviderKind, values: dict[str, str]) -> dict[str, Any]:
    """What the form saves: a ``[providers.NAME]`` table with no secret in it."""
    section: dict[str, Any] = {"type": kind.type}
    for form_field in kind.fields:
        text = values.get(form_field.name, "").strip()
        if not text or form_field.name == SESSION_KEY_FIELD:
            continue
        if form_field.name == KEY_FIELD:
            name = text.removeprefix("${").removesuffix("}")
            if not VARIABLE.match(name):
                raise FormError(
                    "the key variable must be a name such as OPENAI_API_KEY (capitals, digits, _); "
                    "paste a key itself in the session-only field"
                )
            section["api_key"] = "${" + name + "}"
        elif form_field.name == "timeout":
            try:
                section["timeout"] = float(text)
            except ValueError:
                raise FormError(f"timeout must be a number of seconds, not {text!r}") from None
        else:
            section[form_field.name] = text
    return section


@dataclass(frozen=True)
class Detected:
    """What is already on this machine for a kind, found without asking the user."""

    text: str
    ready: bool


def detect(kind: ProviderKind, environ: dict[str, str] | None = None) -> Detected | None:
    """Cheap local checks (an Ollama probe is async and done by the screen)."""
    environ = dict(os.environ) if environ is None else environ
    if kind.key_variable:
        if environ.get(kind.key_variable):
            return Detected(f"{kind.key_variable} is set in your environment", True)
        return Detected(f"{kind.key_variable} is not set", False)
    if kind.type == "oci_genai":
        name = environ.get("OCI_CLI_CONFIG_FILE") or "~/.oci/config"
        if Path(name).expanduser().is_file():
            return Detected(f"{name} found", True)
        return Detected(f"no {name} (run `oci setup config`)", False)
    if kind.type == "mock":
        return Detected("always available, offline", True)
    return None
