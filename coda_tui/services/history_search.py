"""What is typed in the search box: words to find, and filters written as ``key:value``.

``borrow provider:litellm role:user since:7d`` finds "borrow" in the prompts sent to litellm in
the last week. Filters are words too, so the box needs no other widget and works the same at
80 columns; a filter it does not know stays a word to find.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

FILTERS = ("provider", "model", "role", "since")
SPAN = re.compile(r"^(\d+)([hdw])$")
SECONDS = {"h": 3600, "d": 86400, "w": 7 * 86400}


@dataclass
class SearchQuery:
    words: str = ""
    filters: dict[str, Any] = field(default_factory=dict)
    problem: str = ""
    """A filter value that could not be read (said under the box; the rest still searches)."""


def parse_query(text: str, now: float | None = None) -> SearchQuery:
    query = SearchQuery()
    words: list[str] = []
    for token in text.split():
        key, sep, value = token.partition(":")
        if not sep or key not in FILTERS or not value:
            words.append(token)
        elif key == "since":
            since = _since(value, time.time() if now is None else now)
            if since is None:
                query.problem = f"since:{value}: write since:7d, since:12h or since:2026-11-01"
            else:
                query.filters["since"] = since
        else:
            query.filters[key] = value
    query.words = " ".join(words)
    return query


def _since(value: str, now: float) -> float | None:
    span = SPAN.match(value)
    if span:
        return now - int(span.group(1)) * SECONDS[span.group(2)]
    try:
        return datetime.fromisoformat(value).timestamp()
    except ValueError:
        return None
