"""Benchmarks run by ``qingdan bench NAME``.

Every benchmark measures qingdan against the raw database doing the same work in the same
run, so its figures read as ratios that survive a change of machine. ``BENCHMARKS`` maps a
name to what the command needs; add an entry here to add a benchmark. The package imports
Django models, so import it only once Django is set up (management commands, tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench import tree


@dataclass(frozen=True)
class Benchmark:
    """How to run one benchmark on the current database and how to show its results.

    ``measure(**options)`` runs in a process whose default database is a scratch bench
    database and returns JSON-able figures. ``render(results, machine)`` turns the figures of
    one or more databases into Markdown.
    """

    title: str
    measure: Callable[..., dict[str, Any]]
    render: Callable[[list[dict[str, Any]], dict[str, Any]], str]


BENCHMARKS: dict[str, Benchmark] = {
    "tree": Benchmark(title=tree.TITLE, measure=tree.measure, render=tree.render),
}
