"""The measuring frame of the query-count tests (tests/test_query_counts*.py).

Each test builds two rows of what a surface lists, counts the queries of one request, adds ten
more rows that touch other related objects, and counts again: an N+1 shows as a count that grows.
The bound written in each test is the count measured on the slower of SQLite and PostgreSQL, plus
one, so a new query on a list page fails a test and gets looked at.

``covers`` records which URL names (and API paths, admin models) a test measures; the
completeness tests compare that record with the URL conf, so a new list page cannot go unmeasured.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

COVERED: set[str] = set()

FEW, MANY = 2, 12


def covers(*surfaces: str) -> Callable:
    """Mark a test as the measure of these surfaces (URL names, ``api GET /path``, ``admin app.model``)."""
    COVERED.update(surfaces)

    def mark(test: Callable) -> Callable:
        return test

    return mark


def label(index: int) -> str:
    """A row's name, unique and easy to find in a page: 行03号."""
    return f"行{index:02d}号"


def _body(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


def _count(client: Any, url: str, data: dict | None, headers: dict) -> tuple[int, Any]:
    client.get(url, data or {}, **headers)  # warm the session, the token stamp and cached scopes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {}, **headers)
    return len(captured), response


def assert_flat(client: Any, url: str | Callable[[], str], grow: Callable[[int, int], Any], *, bound: int,
                data: dict | None = None, headers: dict | None = None, growth: int = 0,
                shown: Callable[[int], str] = label) -> None:
    """Measure ``url`` with FEW and then MANY rows; the count must not grow (by more than ``growth``).

    ``grow(start, stop)`` adds rows start..stop-1; ``shown(i)`` is the text that proves row i is on
    the page, so a test cannot pass on an empty page.
    """
    headers = headers or {}
    counts = []
    for start, stop in ((0, FEW), (FEW, MANY)):
        grow(start, stop)
        target = url() if callable(url) else url
        count, response = _count(client, target, data, headers)
        assert response.status_code == 200, (target, response.status_code, response.content[:500])
        body = _body(response)
        missing = [shown(i) for i in range(stop) if shown(i) not in body]
        assert not missing, f"{target}: rows not shown: {missing}"
        counts.append(count)
    _record(url() if callable(url) else url, counts)
    few, many = counts
    assert many - few <= growth, f"{url}: {few} queries with {FEW} rows, {many} with {MANY}: an N+1"
    assert many <= bound, f"{url}: {many} queries, bound {bound}"


def _record(url: str, counts: list[int]) -> None:
    """QC_RECORD=file appends the measured counts, to set the bounds from both databases."""
    path = os.environ.get("QC_RECORD")
    if path:
        import inspect

        test = next((f.function for f in inspect.stack() if f.function.startswith("test_")), "?")
        with open(path, "a", encoding="utf-8") as out:
            out.write(f"{test}\t{url}\t{counts[0]}\t{counts[1]}\n")
