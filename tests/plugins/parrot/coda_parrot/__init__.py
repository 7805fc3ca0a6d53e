"""The parrot provider's spec: what coda-tui reads from the entry point (no provider import)."""

from typing import Literal

from coda_tui.config import ProviderSettings
from coda_tui.providers import FormField, ProviderKind, ProviderSpec


class ParrotSettings(ProviderSettings):
    type: Literal["parrot"] = "parrot"
    model: str | None = "parrot-1"
    prefix: str = "Squawk!"
    """What the parrot says before repeating you."""


SPEC = ProviderSpec(
    "parrot",
    ParrotSettings,
    "coda_parrot.provider:ParrotProvider",
    kinds=(
        ProviderKind(
            "parrot",
            "Parrot (says what you said)",
            "parrot",
            "parrot-1",
            fields=(
                FormField("prefix", "What it says first", "Squawk!"),
                FormField("model", "Model"),
            ),
        ),
    ),
)
