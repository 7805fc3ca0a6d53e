"""``coda-tui search TERMS``: the history's hits on stdout, for people (one a line) or programs
(``--json``). Loads the config and the store only: no provider, no UI."""

from __future__ import annotations

import json
import sqlite3
import sys
from dataclasses import asdict
from datetime import datetime

from .config import LoadedConfig
from .services.untrusted import visible_text
from .store import ChatStore, history_path


def search(
    loaded: LoadedConfig,
    terms: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    role: str | None = None,
    limit: int = 20,
    as_json: bool = False,
) -> int:
    history = loaded.config.history
    if not history.enabled:
        print("coda-tui: chat history is off ([history] enabled = false)", file=sys.stderr)
        return 1
    where = history_path(history.path)
    if not where.exists():
        print(f"coda-tui: no chat history yet at {where}", file=sys.stderr)
        return 1
    try:
        store = ChatStore(where)
        if store.index_progress()[0]:
            store.index_rest(_indexing)  # what an upgrade left to index: finish it first
            print(file=sys.stderr)
        hits = store.search(terms, provider=provider, model=model, role=role, limit=limit)
    except (sqlite3.Error, OSError) as exc:
        print(f"coda-tui: cannot search {where}: {exc}", file=sys.stderr)
        return 1
    if as_json:
        rows = [{**asdict(hit), "snippet": hit.marked("", "")} for hit in hits]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    for hit in hits:
        day = datetime.fromtimestamp(hit.created_at).strftime("%Y-%m-%d")
        text = visible_text(hit.marked("[", "]").replace("\n", " "))
        print(f"{day}  {visible_text(hit.chat_title)[:30]:<30}  {hit.role:<9}  {text}")
    return 0 if hits else 1


def _indexing(left: int, total: int) -> None:
    done = 100 * (total - left) // max(total, 1)
    print(f"\rIndexing the history for search: {done}%", end="", file=sys.stderr, flush=True)
