"""``qingdan bench tree``: the national division import and subtree queries, against the raw database.

The issue's targets are absolute (the country imports in under 2 minutes on PostgreSQL, a
province's subtree count answers in under 50 ms), but absolute figures only mean something on
the machine that produced them. So each figure is also given as a ratio against the raw
database doing the same thing in the same run:

* imports against a raw bulk load of the very rows qingdan wrote (PostgreSQL ``COPY`` through
  psycopg's ``cursor.copy``, SQLite ``executemany``) into a clone of ``units_unit`` with the
  same indexes, in one transaction;
* queries against a bare indexed lookup of one unit by code through the raw driver.

The same SQL as the selector's, sent through the raw driver, is timed too: the gap between
it and the selector is what the ORM costs; the gap between it and the bare lookup is what the
range scan costs.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from bench.common import database_info, load_average, median_seconds, placeholder, raw_connection
from qingdan.units.choices import UnitKind
from qingdan.units.divisions import default_source, divisions_import, read_divisions
from qingdan.units.models import Unit
from qingdan.units.scopes import subtree_bounds
from qingdan.units.selectors import unit_ancestors, unit_subtree_count

TITLE = "Unit tree: national division import and subtree queries"
BASELINE_TABLE = "bench_raw_unit"
COLUMNS = ["path", "depth", "numchild", "code", "name", "kind", "level", "is_active", "retired_at",
           "created_at", "updated_at"]
STEPLEN = Unit.steplen
TARGET_IMPORT_SECONDS = 120.0
TARGET_PROVINCE_COUNT_SECONDS = 0.050
LEVEL_NAMES = {1: "province", 3: "county", 4: "township", 5: "village"}


@dataclass
class QueryFigure:
    """One query timed three ways: qingdan's selector, the same SQL raw, and the bare lookup."""

    query: str  # "subtree count" or "ancestors"
    level: str
    code: str
    name: str
    rows: int  # units counted, or ancestors returned
    seconds: float
    raw_seconds: float
    baseline_seconds: float

    @property
    def ratio(self) -> float:
        """How many bare indexed lookups the selector costs."""
        return self.seconds / self.baseline_seconds


@dataclass
class TreeFigures:
    """Everything one database measured; JSON-able through ``to_dict``."""

    database: dict[str, Any]
    scope: str  # "all" or a province code
    units: int
    repeat: int
    read_seconds: float
    import_seconds: float  # reading the files + divisions_import, as `qingdan import-divisions` does
    reimport_seconds: float
    reimport_unchanged: int
    baseline_load_seconds: float
    baseline_load_method: str
    baseline_lookup_seconds: float
    baseline_lookup_sql: str
    after_import: str  # what ran between the import and the queries
    province_count_before_maintenance_seconds: float | None
    autovacuum_ran_first: bool | None  # had autovacuum already visited units_unit before the queries?
    load_before: str  # the machine's load averages when this database's run began
    queries: list[QueryFigure] = field(default_factory=list)

    @property
    def import_ratio(self) -> float:
        """Import time over the raw bulk load of the same rows."""
        return self.import_seconds / self.baseline_load_seconds

    @property
    def reimport_ratio(self) -> float:
        """Re-import time over the raw bulk load of the same rows."""
        return self.reimport_seconds / self.baseline_load_seconds

    def to_dict(self) -> dict[str, Any]:
        """Return the figures with the ratios written out, for JSON and for the reader."""
        data = asdict(self)
        data["import_ratio"] = self.import_ratio
        data["reimport_ratio"] = self.reimport_ratio
        for query, figure in zip(data["queries"], self.queries, strict=True):
            query["ratio"] = figure.ratio
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TreeFigures:
        """Rebuild the figures written by ``to_dict`` (ratios are recomputed, not trusted)."""
        names = {f for f in cls.__dataclass_fields__ if f != "queries"}
        query_names = set(QueryFigure.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names},
                   queries=[QueryFigure(**{k: v for k, v in q.items() if k in query_names})
                            for q in data.get("queries", [])])


# --- the raw baselines --------------------------------------------------------------------------

def _create_baseline_table(cursor: Any) -> None:
    """Create an empty clone of units_unit with the same columns, constraints and indexes."""
    cursor.execute(f"DROP TABLE IF EXISTS {BASELINE_TABLE}")
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TABLE {BASELINE_TABLE} (LIKE units_unit INCLUDING ALL)")
        return
    cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'units_unit' AND sql IS NOT NULL "
                   "ORDER BY type = 'index'")
    for kind, name, sql in cursor.fetchall():
        sql = sql.replace('"units_unit"', f'"{BASELINE_TABLE}"')
        if kind == "index":
            sql = sql.replace(f'"{name}"', f'"{BASELINE_TABLE}_{name}"', 1)
        cursor.execute(sql)


def raw_bulk_load() -> tuple[float, str]:
    """Time the raw database loading the rows of units_unit into an identically indexed clone.

    The rows are read first and kept in memory, so only the load and its commit are timed:
    this is the floor any import of the same rows can reach on this database.
    """
    raw = raw_connection()
    columns = ", ".join(COLUMNS)
    cursor = raw.cursor()
    cursor.execute(f"SELECT {columns} FROM units_unit ORDER BY id")
    rows = cursor.fetchall()
    _create_baseline_table(cursor)
    cursor.close()
    started = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            method = f"COPY {BASELINE_TABLE} FROM STDIN (psycopg cursor.copy)"
            with raw.cursor() as copy_cursor, copy_cursor.copy(
                    f"COPY {BASELINE_TABLE} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            method = f"executemany INSERT INTO {BASELINE_TABLE} (sqlite3)"
            marks = ", ".join("?" * len(COLUMNS))
            raw.executemany(f"INSERT INTO {BASELINE_TABLE} ({columns}) VALUES ({marks})", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as django_cursor:
        django_cursor.execute(f"SELECT count(*) FROM {BASELINE_TABLE}")
        loaded = django_cursor.fetchone()[0]
        django_cursor.execute(f"DROP TABLE {BASELINE_TABLE}")
    if loaded != len(rows):
        raise RuntimeError(f"baseline loaded {loaded} rows, expected {len(rows)}")
    return seconds, method


def _raw_query(sql: str, params: list[Any]) -> Callable[[], list[tuple[Any, ...]]]:
    """Return a call that runs ``sql`` through the raw driver, as bare as the database allows."""
    raw = raw_connection()
    sql = sql.replace("%s", placeholder())

    def run() -> list[tuple[Any, ...]]:
        cursor = raw.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    return run


# --- picking the units to query -----------------------------------------------------------------

def _biggest_subtrees(province: str | None) -> list[Unit]:
    """Return the province, and its biggest county and township, plus one village of that township.

    The biggest are the worst case a user in that role can ask for. Missing levels (an import
    limited by depth) are left out.
    """
    sizes: Counter[str] = Counter()
    for path in Unit.objects.filter(kind=UnitKind.REGION).values_list("path", flat=True).iterator(chunk_size=20000):
        for depth in (1, 3, 4, 5):
            if len(path) >= depth * STEPLEN:
                sizes[path[:depth * STEPLEN]] += 1

    def biggest(prefix: str, depth: int) -> str | None:
        candidates = [p for p in sizes if len(p) == depth * STEPLEN and p.startswith(prefix)]
        return max(candidates, key=lambda p: (sizes[p], -int(p, 36))) if candidates else None

    top = Unit.objects.get(code=province).path if province else biggest("", 1)
    if top is None:
        return []  # an empty tree
    paths = [top]
    for depth in (3, 4, 5):
        below = biggest(paths[-1], depth)
        if below is None:
            break
        paths.append(below)
    units = {u.path: u for u in Unit.objects.filter(path__in=paths)}
    return [units[p] for p in paths]


# --- the benchmark ------------------------------------------------------------------------------

def measure(*, province: str | None = None, repeat: int = 21, source: Path | None = None,
            progress: Callable[[str], None] | None = None, **_other_benchmarks_options: Any) -> dict[str, Any]:
    """Import the divisions into the empty unit tree of the default database and time the queries.

    Meant for a scratch database: it refuses a tree that already holds units, because then it
    would time an update, not an import.
    """
    say = progress or (lambda _message: None)
    if Unit.objects.exists():
        raise RuntimeError("the unit tree is not empty; `qingdan bench tree` needs a fresh database")
    source = source or default_source()
    database = database_info()
    load_before = load_average()
    say(f"{database['label']}: reading and importing {province if province else 'the whole country'} …")

    started = time.perf_counter()
    divisions = read_divisions(source, province=province)
    read_seconds = time.perf_counter() - started
    created = divisions_import(actor="bench", divisions=divisions, province=province).created
    import_seconds = time.perf_counter() - started
    units = Unit.objects.count()
    if created != len(divisions) or units != created:
        raise RuntimeError(f"imported {created} of {len(divisions)} divisions, the tree holds {units}")
    say(f"  imported {units} units in {import_seconds:.1f}s; raw bulk load of the same rows …")

    baseline_load_seconds, baseline_load_method = raw_bulk_load()
    say(f"  raw bulk load {baseline_load_seconds:.1f}s; re-importing …")

    started = time.perf_counter()
    again = divisions_import(actor="bench", divisions=read_divisions(source, province=province), province=province)
    reimport_seconds = time.perf_counter() - started
    if again.created or again.renamed or again.retired or again.unchanged != len(divisions):
        raise RuntimeError(f"re-import changed the tree: {again.summary()}")
    say(f"  re-import {reimport_seconds:.1f}s; timing queries ({repeat} runs each) …")

    picked = _biggest_subtrees(province)
    lookup_sql = "SELECT count(*) FROM units_unit WHERE code = %s"
    baseline_lookup = median_seconds(_raw_query(lookup_sql, [picked[0].code]), repeat)

    before_maintenance = autovacuum_ran = None
    after_import = "nothing"
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Right after the import the table has no statistics and no visibility map; autovacuum
        # fixes both within minutes. Time that moment once, then reach the steady state at once.
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_autovacuum IS NOT NULL OR last_autoanalyze IS NOT NULL "
                           "FROM pg_stat_user_tables WHERE relname = 'units_unit'")
            autovacuum_ran = bool(cursor.fetchone()[0])
        before_maintenance = median_seconds(lambda: unit_subtree_count(picked[0]), repeat)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE units_unit")
        after_import = "VACUUM ANALYZE units_unit (what autovacuum does within minutes)"

    queries: list[QueryFigure] = []
    for unit in picked:
        level = LEVEL_NAMES.get(unit.depth, f"depth {unit.depth}")
        if unit.depth <= 4:
            low, high = subtree_bounds(unit.path)
            raw_count = _raw_query("SELECT count(*) FROM units_unit WHERE path >= %s AND path <= %s", [low, high])
            rows = unit_subtree_count(unit)
            if rows != raw_count()[0][0]:
                raise RuntimeError(f"selector and raw SQL disagree on the subtree of {unit.code}")
            queries.append(QueryFigure(
                query="subtree count", level=level, code=unit.code, name=unit.name, rows=rows,
                seconds=median_seconds(partial(unit_subtree_count, unit), repeat),
                raw_seconds=median_seconds(raw_count, repeat), baseline_seconds=baseline_lookup))
    for unit in picked:
        if unit.depth < 3:
            continue  # a province has no ancestors: the selector sends no query
        prefixes = [unit.path[:i] for i in range(STEPLEN, len(unit.path), STEPLEN)]
        marks = ", ".join(["%s"] * len(prefixes))
        raw_ancestors = _raw_query(f"SELECT id, {', '.join(COLUMNS)} FROM units_unit WHERE path IN ({marks}) "
                                   "ORDER BY depth", prefixes)
        queries.append(QueryFigure(
            query="ancestors", level=LEVEL_NAMES.get(unit.depth, f"depth {unit.depth}"), code=unit.code,
            name=unit.name, rows=len(unit_ancestors(unit)),
            seconds=median_seconds(partial(unit_ancestors, unit), repeat),
            raw_seconds=median_seconds(raw_ancestors, repeat), baseline_seconds=baseline_lookup))
    say("  done")

    return TreeFigures(
        database=database, scope=province or "all", units=units, repeat=repeat, read_seconds=read_seconds,
        import_seconds=import_seconds, reimport_seconds=reimport_seconds, reimport_unchanged=again.unchanged,
        baseline_load_seconds=baseline_load_seconds, baseline_load_method=baseline_load_method,
        baseline_lookup_seconds=baseline_lookup, baseline_lookup_sql=lookup_sql, after_import=after_import,
        province_count_before_maintenance_seconds=before_maintenance, autovacuum_ran_first=autovacuum_ran,
        load_before=load_before, queries=queries,
    ).to_dict()


# --- the report ---------------------------------------------------------------------------------

def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def _ms(seconds: float) -> str:
    ms = seconds * 1000
    return f"{ms:.1f} ms" if ms >= 10 else f"{ms:.2f} ms" if ms >= 0.1 else f"{ms:.3f} ms"


def _x(ratio: float) -> str:
    return f"{ratio:.0f}×" if ratio >= 100 else f"{ratio:.1f}×"


def _met(value: float, limit: float) -> str:
    return "yes" if value < limit else "**no**"


def render(results: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """Return the Markdown report: machine, targets, then import and query tables, one column group per database."""
    figures = [TreeFigures.from_dict(r) for r in results]
    if not figures:
        return "No database was measured.\n"
    labels = [f.database["label"] for f in figures]
    scope = figures[0].scope
    what = "the whole country" if scope == "all" else f"province {scope}"
    lines = [
        f"## {TITLE}",
        "",
        f"`qingdan bench tree {'--all' if scope == 'all' else '--province ' + scope} --repeat {figures[0].repeat}`, "
        f"{machine['date']}: imports {what} ({figures[0].units:,} units) into a fresh database, then times "
        f"subtree queries (median of {figures[0].repeat} runs after one warm-up).",
        "",
        f"Machine: {machine['cores']} cores, {machine['memory_gib']} GiB memory, {machine['cpu']}; "
        f"{machine['os']}; Python {machine['python']}, Django {machine['django']}; qingdan "
        f"{machine.get('revision', 'unknown')}. The machine is shared: "
        "the load averages (1/5/15 min) at the start of each database's run are given, since other work "
        "moves every absolute figure (the ratios less so).",
        "",
    ]
    for f in figures:
        db = f.database
        if db["vendor"] == "postgresql":
            lines.append(f"- {db['label']} (`{db['server_version']}`), shared_buffers {db['shared_buffers']}, "
                         f"synchronous_commit {db['synchronous_commit']}, collation {db['lc_collate']}, "
                         f"on the same machine over TCP (127.0.0.1); load {f.load_before}.")
        elif db["vendor"] == "sqlite":
            lines.append(f"- {db['label']}, journal_mode {db['journal_mode']}, synchronous {db['synchronous']} "
                         f"(1 = NORMAL), the settings qingdan uses; file on local disk; load {f.load_before}.")
    lines.append("")

    if scope == "all":
        lines += ["### Targets", "", "| Target | " + " | ".join(labels) + " |",
                  "|---|" + "---:|" * len(figures)]
        lines.append("| Whole country imports in under 2 minutes | " + " | ".join(
            f"{_s(f.import_seconds)} — {_met(f.import_seconds, TARGET_IMPORT_SECONDS)}" for f in figures) + " |")
        counts = [next((q for q in f.queries if q.query == "subtree count" and q.level == "province"), None)
                  for f in figures]
        lines.append("| A province's subtree count answers in under 50 ms | " + " | ".join(
            f"{_ms(q.seconds)} — {_met(q.seconds, TARGET_PROVINCE_COUNT_SECONDS)}" if q else "—"
            for q in counts) + " |")
        lines += ["", "The issue sets both targets for PostgreSQL; SQLite is shown for comparison.", ""]

    lines += ["### Import", "",
              "Ratio: qingdan's time over the raw bulk load of the same rows (lower is better; 1× is the floor).", "",
              "| Measurement | " + " | ".join(f"{label} | ratio" for label in labels) + " |",
              "|---|" + "---:|---:|" * len(figures)]
    lines.append("| Baseline: raw bulk load of the same rows into a clone of `units_unit` with the same indexes, "
                 "one transaction | " + " | ".join(f"{_s(f.baseline_load_seconds)} | 1×" for f in figures) + " |")
    lines.append(f"| `import-divisions {'--all' if scope == 'all' else '--province ' + scope}`: "
                 "read the files + `divisions_import` | "
                 + " | ".join(f"{_s(f.import_seconds)} | {_x(f.import_ratio)}" for f in figures) + " |")
    lines.append("| … of which reading and checking the files | "
                 + " | ".join(f"{_s(f.read_seconds)} | " for f in figures) + " |")
    lines.append("| Re-import, nothing changed (read + `divisions_import`) | "
                 + " | ".join(f"{_s(f.reimport_seconds)} | {_x(f.reimport_ratio)}" for f in figures) + " |")
    lines += ["", "Baseline methods: " + "; ".join(f"{f.database['label']}: {f.baseline_load_method}"
                                                   for f in figures) + ".", ""]

    lines += ["### Queries", "",
              "Ratio: the selector's time over a bare indexed lookup of one unit by code through the raw driver "
              f"(`{figures[0].baseline_lookup_sql}`). \"Raw SQL\" is the selector's own SQL sent through the raw "
              "driver: selector minus raw SQL is the ORM's cost, raw SQL minus the lookup is the range scan's.",
              "", "| Query | Rows | " + " | ".join(f"{label} | raw SQL | ratio" for label in labels) + " |",
              "|---|---:|" + "---:|---:|---:|" * len(figures)]
    lines.append("| Baseline: bare indexed lookup by code | 1 | "
                 + " | ".join(f"{_ms(f.baseline_lookup_seconds)} | | 1×" for f in figures) + " |")
    for index, query in enumerate(figures[0].queries):
        label = f"{query.query.capitalize()}, {query.level} {query.code} {query.name}"
        cells = []
        for f in figures:
            q = f.queries[index] if index < len(f.queries) else None
            cells.append(f"{_ms(q.seconds)} | {_ms(q.raw_seconds)} | {_x(q.ratio)}" if q else "— | — | —")
        lines.append(f"| {label} | {query.rows:,} | " + " | ".join(cells) + " |")
    lines.append("")
    maintenance = [f for f in figures if f.province_count_before_maintenance_seconds is not None]
    for f in figures:
        if f.after_import != "nothing":
            lines.append(f"Before the queries, {f.database['label']} ran {f.after_import}.")
    for f in maintenance:
        visited = "had already" if f.autovacuum_ran_first else "had not yet"
        lines.append(f"Before that (autovacuum {visited} visited the table), the {figures[0].queries[0].level} "
                     f"count took {_ms(f.province_count_before_maintenance_seconds or 0)} on {f.database['label']}.")
    if any(f.after_import == "nothing" for f in figures):
        lines.append("SQLite ran nothing between the import and the queries (no ANALYZE: qingdan never runs it).")
    lines.append("")
    return "\n".join(lines)
