"""Benchmarks run by ``qingdan bench NAME``.

Every benchmark measures qingdan against the raw database doing the same work in the same
run, so its figures read as ratios that survive a change of machine. ``BENCHMARKS`` maps a
name to what the command needs; add an entry here to add a benchmark. The benchmarks import
Django models, so ``BENCHMARKS`` is built on first use, once Django is set up: importing the
package itself stays free, as ``bench.settings`` (loaded before Django is) needs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
    # Scratch database names: var/bench/<database>.sqlite3 and PostgreSQL qingdan_<database>.
    database: str = "bench"


def _benchmarks() -> dict[str, Benchmark]:
    from bench import intake, loop, reports, tree, triage  # noqa: PLC0415 (each benchmark loads only when it is asked for)

    return {
        "tree": Benchmark(title=tree.TITLE, measure=tree.measure, render=tree.render),
        "intake": Benchmark(title=intake.TITLE, measure=intake.measure, render=intake.render,
                            database="bench_intake"),
        "triage": Benchmark(title=triage.TITLE, measure=triage.measure, render=triage.render,
                            database="bench_triage"),
        "loop": Benchmark(title=loop.TITLE, measure=loop.measure, render=loop.render, database="bench_loop"),
        "reports": Benchmark(title=reports.TITLE, measure=reports.measure, render=reports.render,
                             database="bench_reports"),
    }


def __getattr__(name: str) -> Any:
    """Build ``BENCHMARKS`` when it is first asked for (PEP 562)."""
    if name == "BENCHMARKS":
        globals()["BENCHMARKS"] = benchmarks = _benchmarks()
        return benchmarks
    raise AttributeError(name)
