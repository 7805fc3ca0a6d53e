"""What a provider tells the rest of coda-tui about itself, without its module being imported.

A provider package (built in, or installed and named in the ``coda_tui.providers`` entry-point
group) exposes one ``ProviderSpec``: its type name, its ``Settings`` model (the keys its
``[providers.NAME]`` sections may have, checked when the config is loaded), where its class lives
(imported on first use, so an SDK that takes seconds to import costs nothing until then) and the
kinds a user can set up from the providers screen. Nothing else in coda-tui lists providers.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..config.schema import ProviderSettings


@dataclass(frozen=True)
class FormField:
    """One text field of the set-up form; ``name`` is the section key it fills."""

    name: str
    label: str
    placeholder: str = ""
    password: bool = False


@dataclass(frozen=True)
class Detected:
    """What is already on this machine for a kind, found without asking the user."""

    text: str
    ready: bool


Detector = Callable[[Mapping[str, str]], Detected | None]
"""Cheap local checks, given the environment (no network: a probe is the screen's job)."""


@dataclass(frozen=True)
class ProviderKind:
    """A preset a user sets up: OpenAI, Groq and a local vLLM are all ``litellm`` sections that
    differ by model prefix, key variable and address."""

    key: str
    title: str
    type: str
    model: str = ""
    key_variable: str = ""
    api_base: str = ""
    docs: str = ""
    fields: tuple[FormField, ...] = ()
    detect: Detector | None = None
    """Else: a key variable is checked when there is one, and nothing is said otherwise."""

    def detected(self, environ: Mapping[str, str]) -> Detected | None:
        if self.detect is not None:
            return self.detect(environ)
        if self.key_variable:
            if environ.get(self.key_variable):
                return Detected(f"{self.key_variable} is set in your environment", True)
            return Detected(f"{self.key_variable} is not set", False)
        return None


@dataclass(frozen=True)
class ProviderSpec:
    type: str
    """The name sections use in ``type = "..."`` (and a section named so needs no type)."""
    settings: builtins.type[ProviderSettings]
    provider: str
    """``"module:Class"``, imported the first time a provider of this type is made."""
    kinds: tuple[ProviderKind, ...] = field(default_factory=tuple)

    @property
    def default_model(self) -> str | None:
        default = self.settings.model_fields["model"].default
        return default if isinstance(default, str) else None


MODEL = FormField("model", "Default model")
TIMEOUT = FormField("timeout", "Timeout (seconds)", "60")
KEY_FIELD = "key_variable"
SESSION_KEY_FIELD = "session_key"
KEY_FIELDS = (
    FormField(KEY_FIELD, "Environment variable that holds the key (saved as ${NAME})"),
    FormField(
        SESSION_KEY_FIELD,
        "…or paste a key: used for this session only, never written to any file",
        password=True,
    ),
)
"""A key as a ``${VAR}`` reference, or typed in for this session only: what every provider
that takes a key offers (the form turns the first into ``api_key = "${NAME}"``)."""
