"""``qingdan bench reports``: dashboard figures for the province root, a county and a township.

The whole country's divisions (665,276 units, as ``qingdan import-divisions --all``) and
``--report-items`` items (default 200,000; 10,000,000 for province scale) written with COPY,
all led by the villages of one province (浙江省) and spread over the last 365 days with a
realistic mix of statuses. The running figures are built by the set-based rebuild (what the
receivers would have accumulated), then for each unit we time what a dashboard page reads — the
unit's figures for the month plus its children's — against a plain ``GROUP BY`` over the items
computing the same figures (counts by status and the month's new, dispatched, closed and on-time
closures). Figures are kept down to ``QINGDAN_FIGURES_DEPTH`` (counties by default): the
township's dashboard counts its items on request.
PostgreSQL only: SQLite has no COPY and is not the province-scale database.
"""

from __future__ import annotations

import datetime
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from bench.common import database_info, load_average, raw_connection
from qingdan.core.periods import period_containing
from qingdan.dockets.services import docket_create
from qingdan.supervision.figures import figures_depth
from qingdan.supervision.running import figures_rebuild_sql
from qingdan.supervision.selectors import unit_rates, units_rates
from qingdan.units.choices import UnitLevel
from qingdan.units.divisions import default_source, divisions_import, read_divisions
from qingdan.units.models import Unit
from qingdan.units.scopes import subtree_bounds
from qingdan.units.selectors import unit_children

TITLE = "Reports: dashboard figures from the running figures vs a GROUP BY over the items"
PROVINCE = "33"  # 浙江省: every item is led by one of its villages
STATUSES = [("closed", 55), ("accepted", 12), ("rectifying", 10), ("dispatched", 8), ("stage_result", 5),
            ("closure_requested", 4), ("listed", 4), ("returned", 2)]


def build_tree(province: str = PROVINCE) -> dict[str, list[Unit]]:
    """Import the whole country's divisions (665,276 units); return ``province``'s units by level name."""
    divisions_import(actor="bench", divisions=read_divisions(default_source()))
    root = Unit.objects.get(code=province)
    by_level: dict[str, list[Unit]] = {"province": [], "city": [], "county": [], "township": [], "village": []}
    levels = [UnitLevel.PROVINCE, UnitLevel.CITY, UnitLevel.COUNTY, UnitLevel.TOWNSHIP, UnitLevel.VILLAGE]
    names: dict[int, str] = dict(zip(levels, by_level, strict=True))
    for unit in Unit.objects.filter(path__startswith=root.path).order_by("path"):
        by_level[names[unit.level]].append(unit)
    return by_level


def generate_items(villages: list[Unit], *, count: int, today: datetime.date) -> float:
    """COPY ``count`` items into dockets_item; return the seconds it took."""
    docket = docket_create(actor="bench", name="全省民生问题清单（基准）", owner_unit=Unit.objects.get(code=PROVINCE),
                           source="public")
    columns = ["docket_id", "number", "title", "description", "lead_unit_id", "commitment", "deadline", "due_on",
               "priority", "category", "progress", "weight", "measures", "reply", "status", "grade", "supervised",
               "published", "returns", "reopened", "dispatched_at", "accepted_at", "closed_at", "version",
               "created_at", "updated_at"]
    rng = random.Random(47)
    population = [s for s, _w in STATUSES]
    weights = [w for _s, w in STATUSES]
    categories = ["城乡建设", "交通出行", "生态环境", "教育", "医疗卫生", "社会保障", "市场监管", "农业农村"]
    tz = timezone.get_current_timezone()
    village_ids = [v.pk for v in villages]

    def rows() -> Any:
        statuses = rng.choices(population, weights, k=count)
        for n in range(count):
            created = datetime.datetime.combine(today - datetime.timedelta(days=rng.randrange(365)),
                                                datetime.time(8), tzinfo=tz) + datetime.timedelta(
                minutes=rng.randrange(600))
            status = statuses[n]
            dispatched = accepted = closed = None
            if status != "listed":
                dispatched = created + datetime.timedelta(hours=1)
            if status not in ("listed", "dispatched", "returned"):
                assert dispatched is not None  # every status after listed was dispatched
                accepted = dispatched + datetime.timedelta(hours=rng.choice((2, 5, 20, 30, 50)))
            due = (created + datetime.timedelta(days=30)).date()
            if status == "closed":
                closed = created + datetime.timedelta(days=rng.randrange(1, 45))
            grade = "red" if due < today and status not in ("closed", "listed") else "green"
            yield (docket.pk, n + 1, "基准事项", "", village_ids[n % len(village_ids)], "", due, due, "normal",
                   categories[n % len(categories)], 0, 1, "", "", status, grade, False, False,
                   1 if status == "returned" else 0, 1 if n % 50 == 0 and status == "closed" else 0,
                   dispatched, accepted, closed, 1, created, created)

    started = time.perf_counter()
    raw = raw_connection()
    with transaction.atomic(), raw.cursor() as cursor, \
            cursor.copy(f"COPY dockets_item ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows():
            copy.write_row(row)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dockets_item")
    return seconds


GROUP_BY_SQL = """
SELECT i.status,
       COUNT(*) FILTER (WHERE i.created_at >= %(start)s AND i.created_at < %(end)s) AS new,
       COUNT(*) FILTER (WHERE i.dispatched_at >= %(start)s AND i.dispatched_at < %(end)s) AS dispatched,
       COUNT(*) FILTER (WHERE i.status = 'closed' AND i.closed_at >= %(start)s AND i.closed_at < %(end)s) AS closed,
       COUNT(*) FILTER (WHERE i.status = 'closed' AND i.closed_at >= %(start)s AND i.closed_at < %(end)s
                        AND (i.due_on IS NULL OR (i.closed_at AT TIME ZONE %(tz)s)::date <= i.due_on)) AS on_time
FROM dockets_item i JOIN units_unit u ON u.id = i.lead_unit_id
WHERE u.path >= %(low)s AND u.path <= %(high)s
GROUP BY i.status
"""


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return {"p50_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000, "runs": len(ordered)}


def _time(call: Callable[[], Any], repeat: int) -> dict[str, float]:
    call()  # warm-up
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return _percentiles(samples)


def measure(*, report_items: int = 200_000, repeat: int = 21, progress: Callable[[str], None] | None = None,
            **_options: Any) -> dict[str, Any]:
    """Build the data, then time the dashboard reads and the GROUP BY for the root, a county and a township."""
    say = progress or (lambda _message: None)
    if connection.vendor != "postgresql":
        say("  reports: PostgreSQL only (COPY, and the province-scale database); skipped")
        return {"database": database_info(), "skipped": True}
    if Unit.objects.exists():
        raise RuntimeError("`qingdan bench reports` needs a fresh database")
    database = database_info()
    load_before = load_average()
    say(f"{database['label']}: importing the country's divisions …")
    levels = build_tree()
    units_total = Unit.objects.count()
    today = timezone.localdate()
    say(f"  writing {report_items:,} items with COPY …")
    load_seconds = generate_items(levels["village"], count=report_items, today=today)
    say(f"    {load_seconds:.1f} s; building the running figures (set-based rebuild) …")
    started = time.perf_counter()
    figure_rows = figures_rebuild_sql()
    rebuild_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE supervision_figure")
    say(f"    {rebuild_seconds:.1f} s, {figure_rows:,} figure rows")
    month = period_containing("month", today)
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(month.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(month.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    targets = {"province root": levels["province"][0], "county": levels["county"][0],
               "township": levels["township"][0], "village": levels["village"][0]}
    results: dict[str, Any] = {}
    raw = raw_connection()
    for label, unit in targets.items():
        children = list(unit_children(unit, include_retired=False))

        def dashboard(unit: Unit = unit, children: list[Unit] = children) -> Any:
            rates = unit_rates(unit=unit, start=month.start, end=month.end)
            units_rates(units=children, start=month.start, end=month.end)
            return rates

        low, high = subtree_bounds(unit.path)

        def group_by(low: str = low, high: str = high) -> Any:
            with raw.cursor() as cursor:
                cursor.execute(GROUP_BY_SQL, {"start": start, "end": end, "low": low, "high": high,
                                              "tz": settings.TIME_ZONE})
                return cursor.fetchall()

        say(f"  {label}: dashboard reads …")
        ours = _time(dashboard, repeat)
        say(f"    p50 {ours['p50_ms']:.1f} ms; GROUP BY over the items …")
        base = _time(group_by, max(3, min(repeat, 7)) if unit.depth == 1 else repeat)
        rates = dashboard()
        plain = group_by()
        closed = sum(row[3] for row in plain)
        if rates.get("closed") != closed:
            raise RuntimeError(f"{label}: figures say {rates.get('closed')} closed this month, GROUP BY {closed}")
        items_below = sum(rates.breakdown("status:").values())
        results[label] = {"unit": unit.code, "children": len(children), "items": items_below, "figures": ours,
                          "group_by": base, "ratio_p50": base["p50_ms"] / ours["p50_ms"],
                          "closed_this_month": closed}
        say(f"    GROUP BY p50 {base['p50_ms']:.1f} ms")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('supervision_figure'), pg_total_relation_size('dockets_item')")
        figure_bytes, item_bytes = cursor.fetchone()
    return {"database": database, "load_before": load_before, "items": report_items,
            "units": units_total, "province_units": {k: len(v) for k, v in levels.items()},
            "figures_depth": figures_depth(), "load_seconds": load_seconds,
            "rebuild_seconds": rebuild_seconds, "figure_rows": figure_rows, "figure_bytes": figure_bytes,
            "item_bytes": item_bytes, "month": month.key, "results": results}


_PLURALS = {"province": "province", "city": "cities", "county": "counties", "township": "townships",
            "village": "villages"}


def _levels(counts: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {_PLURALS[level]}" for level, n in counts.items())


def _ratio(value: float) -> str:
    return f"{value:,.0f}×" if value >= 10 else f"{value:.2f}×"


def render(results: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """Return the Markdown section for docs/benchmarks.md."""
    measured = [r for r in results if not r.get("skipped")]
    if not measured:
        return f"## {TITLE}\n\nPostgreSQL was not measured.\n"
    r = measured[0]
    lines = [
        f"## {TITLE}", "",
        f"`qingdan bench reports --postgres-only --report-items {r['items']:,}`, {machine['date']}: "
        f"{r['items']:,} items in a database holding the whole country's {r['units']:,} units; every item is led "
        f"by a village of 浙江省 ({_levels(r['province_units'])}) and was created in the last 365 days; the month "
        f"measured is {r['month']}. Figures kept down to depth {r['figures_depth']}; below it a unit "
        "counts its items on request.", "",
        f"Machine: {machine['cores']} cores, {machine['memory_gib']} GiB memory, {machine['cpu']}; {machine['os']}; "
        f"Python {machine['python']}, Django {machine['django']}; qingdan {machine.get('revision', 'unknown')}; "
        f"{r['database']['label']}, shared_buffers {r['database'].get('shared_buffers')}; load {r['load_before']}.",
        "",
        f"Writing the items with COPY: {r['load_seconds']:.1f} s. Building the running figures from scratch "
        f"(`figures_rebuild_sql`, what the receivers accumulate as items move): {r['rebuild_seconds']:.1f} s, "
        f"{r['figure_rows']:,} figure rows ({r['figure_bytes'] / 2**20:,.0f} MiB; the items take "
        f"{r['item_bytes'] / 2**20:,.0f} MiB).", "",
        "Dashboard read: the unit's figures for the month (rates, stock counts by status and grade) plus one row "
        "set for all its children, through `unit_rates` and `units_rates`. Baseline: one plain `GROUP BY status` "
        "over the unit's items with `FILTER` counts of the month's new, dispatched, closed and on-time closures "
        "(fewer figures than the dashboard shows). Ratio: baseline p50 over ours (higher is better).", "",
        "| Unit | items below | children | dashboard p50 | p95 | GROUP BY p50 | p95 | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, row in r["results"].items():
        lines.append(f"| {label} ({row['unit']}) | {row['items']:,} | {row['children']} | "
                     f"{row['figures']['p50_ms']:.1f} ms | {row['figures']['p95_ms']:.1f} ms | "
                     f"{row['group_by']['p50_ms']:,.1f} ms | {row['group_by']['p95_ms']:,.1f} ms | "
                     f"{_ratio(row['ratio_p50'])} |")
    lines += ["", "Down to the kept depth the dashboard's cost depends on the number of figure rows of one unit for "
              "one month (a few hundred: days × counter names × the 8 stripes of the top two levels), not on the "
              "items below it, while the GROUP BY grows with the subtree. Below it (the township) the dashboard "
              "counts the subtree's items, so both sides grow with them.", ""]
    return "\n".join(lines)
