"""OCI Generative AI's model list: friendly ids, capabilities, dates, and a 24 h disk cache.

Listing models is a signed, paginated call that takes a second or more; the list changes a few
times a year. So it is kept on disk (the platform's cache dir), one file per account, region and
compartment, and only asked again when older than ``models_cache_ttl`` or on an explicit refresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ...config.paths import user_cache_dir
from ..models import Capability, Model

CACHE_VERSION = 1


def model_from_summary(summary: Any, provider: str) -> Model:
    """One ``oci.generative_ai.models.ModelSummary`` as a Model, named as users write it."""
    name = str(summary.display_name or summary.id)
    vendor = str(summary.vendor or name.split(".", 1)[0])
    capabilities: list[Capability] = ["chat", "tools"]
    lowered = name.lower()
    if "vision" in lowered or "llama-4" in lowered or vendor.lower() == "google":
        capabilities.append("vision")
    deprecated: datetime | None = summary.time_deprecated or summary.time_on_demand_retired
    return Model(
        id=name,
        provider=provider,
        display_name=name,
        family=vendor,
        capabilities=capabilities,
        # the list names no vision; it is read from the name, so only a yes is sure (Cohere:
        # a no, since its chat format has no images)
        capabilities_known="vision" in capabilities or vendor.lower() == "cohere",
        modified_at=summary.time_created,
        deprecated_at=deprecated,
        raw={
            "ocid": summary.id,
            "vendor": vendor,
            "version": summary.version,
            "capabilities": list(summary.capabilities or []),
            "is_long_term_supported": summary.is_long_term_supported,
            "time_on_demand_retired": _iso(summary.time_on_demand_retired),
        },
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def newest_per_name(models: list[Model]) -> list[Model]:
    """The service lists each version of a model; users pick by name, so keep the newest."""
    best: dict[str, Model] = {}
    for model in models:
        kept = best.get(model.id)
        newer = model.modified_at
        if kept is None or (newer and (kept.modified_at is None or newer > kept.modified_at)):
            best[model.id] = model
    return sorted(best.values(), key=lambda m: m.id)


class ModelCache:
    """Models on disk with the time they were fetched; a broken file is just a miss."""

    def __init__(self, key_parts: tuple[str, ...], directory: Path | None = None) -> None:
        digest = hashlib.sha256("\0".join(key_parts).encode()).hexdigest()[:16]
        self.path = (directory or user_cache_dir()) / f"oci-genai-models-{digest}.json"

    def load(self, ttl: float, now: float | None = None) -> list[Model] | None:
        now = time.time() if now is None else now
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != CACHE_VERSION or now - float(data["fetched_at"]) > ttl:
                return None
            return [Model.model_validate(entry) for entry in data["models"]]
        except (OSError, ValueError, KeyError, TypeError, ValidationError):
            return None

    def save(self, models: list[Model], now: float | None = None) -> None:
        """Written atomically; a cache that cannot be written only costs the next start a call."""
        payload = {
            "version": CACHE_VERSION,
            "fetched_at": time.time() if now is None else now,
            "models": [model.model_dump(mode="json") for model in models],
        }
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", dir=self.path.parent, delete=False, suffix=".tmp", encoding="utf-8"
            ) as handle:
                json.dump(payload, handle)
            os.replace(handle.name, self.path)
        except OSError:
            return
