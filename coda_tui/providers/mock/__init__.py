"""The offline Mock provider: deterministic answers for demos, tests and benchmarks."""

from ..spec import MODEL, Detected, ProviderKind, ProviderSpec
from .settings import MockSettings

SPEC = ProviderSpec(
    "mock",
    MockSettings,
    "coda_tui.providers.mock.provider:MockProvider",
    kinds=(
        ProviderKind(
            "mock",
            "Mock (offline)",
            "mock",
            "mock-1",
            fields=(MODEL,),
            detect=lambda environ: Detected("always available, offline", True),
        ),
    ),
)
