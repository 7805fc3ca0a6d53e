"""The search box's little language: words, and key:value filters."""

from __future__ import annotations

from datetime import datetime

from coda_tui.services.history_search import parse_query

NOW = datetime(2026, 12, 2, 12, 0).timestamp()


def test_words_and_filters_are_told_apart() -> None:
    query = parse_query("borrow provider:litellm role:user checker", NOW)
    assert query.words == "borrow checker"
    assert query.filters == {"provider": "litellm", "role": "user"}
    assert query.problem == ""


def test_since_takes_spans_and_dates() -> None:
    assert parse_query("x since:7d", NOW).filters["since"] == NOW - 7 * 86400
    assert parse_query("x since:12h", NOW).filters["since"] == NOW - 12 * 3600
    assert (
        parse_query("since:2026-11-01", NOW).filters["since"] == datetime(2026, 11, 1).timestamp()
    )
    bad = parse_query("x since:lately", NOW)
    assert "since" not in bad.filters and "since:7d" in bad.problem and bad.words == "x"


def test_unknown_keys_and_empty_values_stay_words() -> None:
    query = parse_query("http://host colour:red provider:", NOW)
    assert query.words == "http://host colour:red provider:" and query.filters == {}
