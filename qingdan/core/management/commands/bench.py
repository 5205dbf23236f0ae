"""``qingdan bench NAME``: run a benchmark on scratch databases and print its figures as Markdown.

Each database gets a child process (``DATABASE_URL`` set in its environment) that migrates a
freshly recreated database and then measures: the ORM code under test only ever talks to the
default database, and the demo or test databases are never touched. Databases whose name does
not contain "bench" are refused, since they are dropped and recreated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import BENCHMARKS
from bench.common import machine_info

# Each benchmark names its scratch databases (Benchmark.database): tree uses these two.
DEFAULT_SQLITE = "sqlite:///{var}/bench/{database}.sqlite3"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/qingdan_{database}"
# Options some benchmarks take, passed through to the measuring child (name, type, default, help).
EXTRA_OPTIONS = [
    ("rows", int, 100_000, "intake: rows of the generated import file"),
    ("requests", int, 3000, "intake: requests per timed HTTP run (bare view, then the API)"),
    ("concurrency", int, 16, "intake: client threads of the load generator"),
    ("workers", int, 4, "intake: gunicorn worker processes"),
    ("items", int, 500, "loop: items moved through the loop by the services"),
    ("grade_items", int, 1_000_000, "loop: open items generated and graded"),
    ("report_items", int, 200_000, "reports: items generated (10,000,000 for province scale)"),
]


def _database_name(url: str) -> str:
    return str(dj_database_url.parse(url)["NAME"] or "")


def recreate_database(url: str) -> None:
    """Start from nothing: delete the SQLite file, or drop and create the PostgreSQL database."""
    config = dj_database_url.parse(url)
    name = str(config["NAME"] or "")
    if "bench" not in Path(name).name:
        raise CommandError(f"refusing to recreate {name!r}: a bench database's name must contain 'bench'")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise CommandError(f"unsupported database engine {config['ENGINE']}")
    import psycopg  # noqa: PLC0415 (psycopg only on PostgreSQL)
    from psycopg import sql  # noqa: PLC0415 (psycopg only on PostgreSQL)

    params: dict[str, Any] = {"host": config.get("HOST") or None, "port": config.get("PORT") or None,
              "user": config.get("USER") or None, "password": config.get("PASSWORD") or None}
    try:
        with psycopg.connect(dbname="postgres", autocommit=True,
                             **{k: v for k, v in params.items() if v}) as maintenance:
            maintenance.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            maintenance.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise CommandError(f"cannot recreate PostgreSQL database {name}: {exc}") from exc


PREAMBLE = (
    "# Benchmarks\n\n"
    "Figures are ratios against the raw database (or a bare view) doing the same work in the same run, plus "
    "the absolute numbers and the machine they ran on. This page is written by the benchmarks themselves, "
    "each replacing only its own section:\n\n"
    "```sh\n"
    "QINGDAN_DEMO=1 .venv/bin/qingdan bench tree --all --output docs/benchmarks.md\n"
    "QINGDAN_DEMO=1 .venv/bin/qingdan bench intake --output docs/benchmarks.md\n"
    "QINGDAN_DEMO=1 .venv/bin/qingdan bench loop --output docs/benchmarks.md\n"
    "```\n\n"
    "They need PostgreSQL on 127.0.0.1:5432 (user postgres) and recreate only the databases named *bench*: "
    "`var/bench/bench.sqlite3` and `qingdan_bench` for tree, `var/bench/bench_intake.sqlite3` and "
    "`qingdan_bench_intake` for intake, `var/bench/bench_loop.sqlite3` and `qingdan_bench_loop` for loop "
    "(`--sqlite-only`, `--postgres-only` or `--database-url URL` to choose). "
    "Each database is measured in its own process.\n\n"
)


def merge_document(existing: str, report: str) -> str:
    """Return the page with this report's section (its ``## `` heading) replaced or appended, others kept."""
    def sections(text: str) -> list[str]:
        parts: list[str] = []
        current: list[str] = []
        for line in text.splitlines(keepends=True):
            if line.startswith("## ") and current:
                parts.append("".join(current))
                current = []
            current.append(line)
        if current:
            parts.append("".join(current))
        return [p for p in parts if p.startswith("## ")]

    new = {part.splitlines()[0]: part for part in sections(report)}
    merged = [new.pop(part.splitlines()[0], part) for part in sections(existing)]
    merged.extend(new.values())
    return PREAMBLE + "\n".join(part.rstrip("\n") + "\n" for part in merged)


class Command(BaseCommand):
    help = ("Run a benchmark on fresh scratch databases (SQLite var/bench/<name>.sqlite3 and PostgreSQL "
            "qingdan_<name>: qingdan_bench for tree, qingdan_bench_intake for intake) and print its figures, "
            "as ratios against the raw database or a bare view, in Markdown.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("benchmark", choices=sorted(BENCHMARKS), help="which benchmark to run")
        parser.add_argument("--database-url", action="append", dest="database_urls", metavar="URL",
                            help="run on this database only (repeatable); its name must contain 'bench'. "
                                 f"Default: {DEFAULT_SQLITE.format(var='var', database='bench')} and "
                                 f"{DEFAULT_POSTGRES.format(database='bench')} (tree)")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
        which.add_argument("--postgres-only", action="store_true", help="skip SQLite")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--province", metavar="CODE", help="import one province only, e.g. 33")
        scope.add_argument("--all", action="store_true", help="import the whole country (the default)")
        parser.add_argument("--repeat", type=int, default=21, help="timed runs of each query (median; default 21)")
        for name, kind, default, text in EXTRA_OPTIONS:
            parser.add_argument(f"--{name.replace('_', '-')}", type=kind, default=default,
                                help=f"{text} (default {default:,})")
        parser.add_argument("--output", type=Path,
                            help="also write the report into this page, e.g. docs/benchmarks.md, replacing only "
                                 "this benchmark's section")
        parser.add_argument("--json", type=Path, help="also write the raw figures as JSON")
        # Internal: measure on this process's own default database and write the figures here.
        parser.add_argument("--measure-here", type=Path, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **options: Any) -> None:
        benchmark = BENCHMARKS[options["benchmark"]]
        province = options["province"]
        if province and (len(province) != 2 or not province.isdigit()):
            raise CommandError("--province takes a two-digit code such as 33")
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1")

        if options["measure_here"]:
            self._measure_here(benchmark, options)
            return

        urls = options["database_urls"] or [
            url for url, skip in (
                (DEFAULT_SQLITE.format(var=settings.BASE_DIR / "var", database=benchmark.database),
                 options["postgres_only"]),
                (DEFAULT_POSTGRES.format(database=benchmark.database), options["sqlite_only"])) if not skip]
        machine = machine_info()  # before the runs: the load averages are then other people's work
        results, failures = [], []
        for url in urls:
            try:
                results.append(self._run_child(url, options))
            except CommandError as exc:
                failures.append(f"{_database_name(url)}: {exc}")
                self.stderr.write(f"bench on {_database_name(url)} failed: {exc}")
        report = benchmark.render(results, machine) if results else ""
        if report:
            self.stdout.write(report)
        if options["output"] and results:
            options["output"].parent.mkdir(parents=True, exist_ok=True)
            existing = options["output"].read_text(encoding="utf-8") if options["output"].exists() else ""
            options["output"].write_text(merge_document(existing, report), encoding="utf-8")
            self.stderr.write(f"wrote {options['output']}")
        if options["json"] and results:
            options["json"].write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
        if failures:
            raise CommandError("; ".join(failures))

    def _measure_here(self, benchmark: Any, options: dict[str, Any]) -> None:
        """Child side: refuse anything but a bench database, measure, write the figures."""
        name = str(settings.DATABASES["default"]["NAME"])
        if "bench" not in Path(name).name:
            raise CommandError(f"refusing to measure on {name!r}: not a bench database")
        extra = {name: options[name] for name, *_ in EXTRA_OPTIONS}
        figures = benchmark.measure(province=options["province"], repeat=options["repeat"],
                                    progress=lambda message: self.stderr.write(message), **extra)
        options["measure_here"].write_text(json.dumps(figures, ensure_ascii=False), encoding="utf-8")

    def _run_child(self, url: str, options: dict[str, Any]) -> dict[str, Any]:
        """Recreate the database, migrate it and measure on it, each in a child process."""
        recreate_database(url)
        env = {**os.environ, "DATABASE_URL": url}
        base = [sys.executable, "-m", "qingdan"]
        with tempfile.TemporaryDirectory(prefix="qingdan-bench-") as scratch:
            result_file = Path(scratch) / "figures.json"
            measure = [*base, "bench", options["benchmark"], "--measure-here", str(result_file),
                       "--repeat", str(options["repeat"])]
            if options["province"]:
                measure += ["--province", options["province"]]
            for name, *_ in EXTRA_OPTIONS:
                measure += [f"--{name.replace('_', '-')}", str(options[name])]
            for command in ([*base, "migrate", "--noinput", "-v", "0"], measure):
                done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)  # noqa: S603 - our own argv
                if done.returncode != 0:
                    raise CommandError(f"`{' '.join(command[2:])}` exited with {done.returncode}")
            return json.loads(result_file.read_text(encoding="utf-8"))
