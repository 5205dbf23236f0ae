"""Keep the running figures: add each item change to its unit and all ancestors, recount, repair.

Writes are one multi-row ``INSERT … ON CONFLICT DO UPDATE SET value = value + excluded.value``
per item change (an upsert with an increment, the SQL form of ``F("value") + n``), inside the
change's own transaction, so figures and items commit or roll back together.

Lock contention: every change in the province touches the root's rows for that day, and a row
lock is held until the change commits. The top two levels therefore write to one of
``HOT_SLOTS`` stripes chosen by item id (readers sum the stripes), and rows are written in key
order so two changes never wait on each other in opposite orders (no deadlock).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Sum

from qingdan.dockets.choices import GRADED_STATUSES, OPEN_STATUSES
from qingdan.dockets.selectors import TOP_LEVEL
from qingdan.supervision.figures import (
    OWN_PREFIX,
    Key,
    ancestor_paths,
    figures_depth,
    item_counters,
    keeps,
    rating_counters,
    response_limit,
)
from qingdan.supervision.models import STOCK_DAY, Figure
from qingdan.units.models import Unit

HOT_SLOTS = 8
HOT_DEPTH = 2  # province and city rows are striped
_BATCH = 500

RowKey = tuple[int, datetime.date, str, int]  # unit id, day, name, slot


def _slot(depth: int, item_id: int | None) -> int:
    return (item_id or 0) % HOT_SLOTS if depth <= HOT_DEPTH else 0


def _upsert(rows: dict[RowKey, int]) -> None:
    """Add ``rows`` to the figures table (create missing rows), in key order."""
    items = sorted((key, value) for key, value in rows.items() if value)
    if not items:
        return
    table = Figure._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(items), _BATCH):
            chunk = items[start:start + _BATCH]
            values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (unit_id, day, name, slot), value in chunk:
                params.extend([unit_id, day, name, slot, value])
            cursor.execute(
                f"INSERT INTO {table} (unit_id, day, name, slot, value) VALUES {values} "
                f"ON CONFLICT (unit_id, day, name, slot) DO UPDATE SET value = {table}.value + excluded.value",
                params)


def _unit_ids(paths: Iterable[str]) -> dict[str, int]:
    return dict(Unit.objects.filter(path__in=set(paths)).values_list("path", "id"))


def _spread(rows: dict[RowKey, int], counters: Counter, lead_path: str, ids: dict[str, int], *, sign: int,
            item_id: int | None) -> None:
    """Add ``sign × counters`` to the lead unit (own and tree names) and its ancestors (tree names)."""
    chain = ancestor_paths(lead_path)
    for (day, name), value in counters.items():
        for path in chain:
            unit_id = ids.get(path)
            if unit_id is None or not keeps(path, name, lead_path):
                continue
            key = (unit_id, day, name, _slot(len(path) // Unit.steplen, item_id))
            rows[key] = rows.get(key, 0) + sign * value


def figures_item_changed(*, item: Any, before: dict | None, after: dict) -> None:
    """Add one item change to the figures (called inside the change's transaction)."""
    # An item never changes docket, and a docket's kind and source are fixed when it is made.
    kinds = {after["docket_id"]: (item.docket.kind, item.docket.source)}
    if before is not None and before["docket_id"] not in kinds:
        from qingdan.dockets.models import Docket

        kinds[before["docket_id"]] = tuple(Docket.objects.filter(pk=before["docket_id"])  # type: ignore[assignment]
                                           .values_list("kind", "source").get())
    paths = ancestor_paths(after["lead_unit_path"]) + (ancestor_paths(before["lead_unit_path"]) if before else [])
    ids = _unit_ids(paths)
    rows: dict[RowKey, int] = {}
    if before is not None:
        kind, source = kinds[before["docket_id"]]
        _spread(rows, item_counters(before, created_at=item.created_at, kind=kind, source=source),
                before["lead_unit_path"], ids, sign=-1, item_id=item.pk)
    kind, source = kinds[after["docket_id"]]
    _spread(rows, item_counters(after, created_at=item.created_at, kind=kind, source=source),
            after["lead_unit_path"], ids, sign=+1, item_id=item.pk)
    _upsert(rows)


def figures_rating_added(*, rating_id: int) -> None:
    """Add one follow-up rating to the figures of the unit that answered and its ancestors.

    A rating is counted once, when given, whether or not an item answered the case; it is not
    moved afterwards (a reopened case's new answer brings a new rating).
    """
    from qingdan.intake.models import Rating

    row = (Rating.objects.filter(pk=rating_id).values_list("unit__path", "satisfaction", "solved", "at").first())
    if row is None:
        return
    path, satisfaction, solved, at = row
    rows: dict[RowKey, int] = {}
    _spread(rows, rating_counters(satisfaction=satisfaction, solved=solved, at=at), path,
            _unit_ids(ancestor_paths(path)), sign=+1, item_id=rating_id)
    _upsert(rows)


def figures_items_regraded(*, item_ids: Iterable[int] | None) -> None:
    """Bring the grade figures up to date after a grading pass.

    A pass tells which items changed grade but not from which, so the grade counts of the
    affected lead units are counted afresh from their own items (indexed by unit and status)
    and the difference is added to those units and their ancestors.
    """
    from qingdan.dockets.models import Item

    if item_ids is None:
        units = set(Item.objects.filter(status__in=GRADED_STATUSES).values_list("lead_unit_id", flat=True)
                    .distinct())
        units |= set(Figure.objects.filter(day=STOCK_DAY, name__startswith=f"{OWN_PREFIX}grade:")
                     .values_list("unit_id", flat=True).distinct())
    else:
        ids = list(item_ids)
        units = set()
        for start in range(0, len(ids), 5000):
            units |= set(Item.objects.filter(pk__in=ids[start:start + 5000]).values_list("lead_unit_id", flat=True)
                         .distinct())
    units_list = sorted(units)
    for start in range(0, len(units_list), 1000):
        _regrade_units(units_list[start:start + 1000])


def _regrade_units(unit_ids: list[int]) -> None:
    from qingdan.dockets.models import Item

    fresh: Counter = Counter()
    for unit_id, grade, count in (Item.objects.filter(TOP_LEVEL, lead_unit_id__in=unit_ids, status__in=GRADED_STATUSES)
                                  .values("lead_unit_id", "grade").annotate(n=Count("id")).values_list(
                                      "lead_unit_id", "grade", "n")):
        fresh[(unit_id, grade)] += count
    stored: Counter = Counter()
    for unit_id, name, value in (Figure.objects.filter(unit_id__in=unit_ids, day=STOCK_DAY,
                                                       name__startswith=f"{OWN_PREFIX}grade:")
                                 .values("unit_id", "name").annotate(v=Sum("value")).values_list(
                                     "unit_id", "name", "v")):
        stored[(unit_id, name[len(OWN_PREFIX) + len("grade:"):])] += value
    paths = dict(Unit.objects.filter(pk__in=unit_ids).values_list("id", "path"))
    rows: dict[RowKey, int] = {}
    chains = {unit_id: ancestor_paths(path) for unit_id, path in paths.items()}
    ids = _unit_ids(p for chain in chains.values() for p in chain)
    for key in set(fresh) | set(stored):
        delta = fresh[key] - stored[key]
        if not delta:
            continue
        unit_id, grade = key
        counters = Counter({(STOCK_DAY, f"grade:{grade}"): delta, (STOCK_DAY, f"{OWN_PREFIX}grade:{grade}"): delta})
        _spread(rows, counters, paths[unit_id], ids, sign=+1, item_id=0)
    _upsert(rows)


# --- recount ---------------------------------------------------------------------------------

@dataclass
class VerifyResult:
    """What a recount found: rows compared and the ones that differ (unit id, day, name → kept, counted)."""

    compared: int = 0
    differences: dict[tuple[int, datetime.date, str], tuple[int, int]] = field(default_factory=dict)
    repaired: bool = False

    @property
    def ok(self) -> bool:
        return not self.differences


def figures_recount(*, root: Unit | None = None, every_depth: bool = False
                    ) -> dict[tuple[int, datetime.date, str], int]:
    """Count every kept figure from the items, from scratch (for the units under ``root``, or all).

    With ``root`` only the rows of ``root`` and its descendants are counted (they depend only
    on items led inside that subtree), so a province can be checked one county at a time.
    ``every_depth`` counts the units below ``figures_depth()`` too (their figures on request).
    """
    from qingdan.dockets.models import Item
    from qingdan.intake.models import Rating
    from qingdan.units.scopes import is_inside, within

    items = Item.objects.all()
    ratings = Rating.objects.all()
    if root is not None:
        items = within(items, root, "lead_unit")
        ratings = within(ratings, root, "unit")
    fields = ["status", "grade", "docket_id", "category", "due_on", "original_deadline", "dispatched_at",
              "accepted_at", "closed_at", "stage_result_at", "returns", "reopened", "parent_id"]
    own: dict[str, Counter] = defaultdict(Counter)
    for row in items.values("pk", "created_at", "lead_unit__path", "docket__kind", "docket__source", *fields
                            ).iterator(chunk_size=5000):
        own[row["lead_unit__path"]].update(item_counters(
            row, created_at=row["created_at"], kind=row["docket__kind"], source=row["docket__source"]))
    for path, satisfaction, solved, at in ratings.values_list("unit__path", "satisfaction", "solved", "at"
                                                              ).iterator(chunk_size=5000):
        own[path].update(rating_counters(satisfaction=satisfaction, solved=solved, at=at))
    ids = _unit_ids({p for path in own for p in ancestor_paths(path)})
    totals: dict[tuple[int, datetime.date, str], int] = defaultdict(int)
    for path, counters in own.items():
        for (day, name), value in counters.items():
            for target in ancestor_paths(path):
                if root is not None and not is_inside(target, root):
                    continue
                if not keeps(target, name, path) and not (every_depth and not name.startswith(OWN_PREFIX)):
                    continue
                totals[(ids[target], day, name)] += value
    return {key: value for key, value in totals.items() if value}


def figures_counted(units: list[Unit]) -> dict[int, Counter[Key]]:
    """The figures of units below ``figures_depth()``, counted from their subtrees' items now.

    Such a subtree holds few items (a township's year is some thousands at province scale), so
    this answers about as fast as reading kept rows, and equals a recount by definition. On
    PostgreSQL one query runs the rebuild's set-based definitions over the subtrees' items (a
    test checks they agree with ``item_counters``); elsewhere the recount does it in Python.
    """
    result: dict[int, Counter[Key]] = {unit.pk: Counter() for unit in units}
    if not units:
        return result
    if connection.vendor == "postgresql":
        for unit_id, day, name, value in _counted_sql(units):
            result[unit_id][(day, name)] += value
        return result
    by_parent: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_parent[unit.path[:-Unit.steplen]].append(unit)
    for parent_path, siblings in by_parent.items():
        root = siblings[0] if len(siblings) == 1 else Unit.objects.get(path=parent_path)
        wanted = {unit.pk for unit in siblings}
        for (unit_id, day, name), value in figures_recount(root=root, every_depth=True).items():
            if unit_id in wanted:
                result[unit_id][(day, name)] += value
    return result


def _counted_sql(units: list[Unit]) -> list[tuple[int, datetime.date, str, int]]:
    from qingdan.units.scopes import Scope

    # Every unit inside a wanted subtree → the wanted unit, found in one query on the path index;
    # a unit inside two wanted subtrees (a township and one of its villages) counts for both.
    wanted_by_path = {unit.path: unit.pk for unit in units}
    unit_ids: list[int] = []
    target_ids: list[int] = []
    for pk, path in Unit.objects.filter(Scope.of_paths(list(wanted_by_path)).q()).values_list("pk", "path"):
        for prefix in ancestor_paths(path):
            if prefix in wanted_by_path:
                unit_ids.append(pk)
                target_ids.append(wanted_by_path[prefix])
    head = "WITH sup_map AS (SELECT * FROM unnest(%(unit_ids)s::int[], %(target_ids)s::int[]) AS m(unit_id, target_id))"
    params = {**_own_sql_params(own_anywhere=False), "unit_ids": unit_ids, "target_ids": target_ids}
    wanted = {unit.pk for unit in units}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # a small query: compiling it would cost more than running it
        cursor.execute(_OWN_SQL.format(head=head), params)
        return [(unit_id, day, name, int(value)) for unit_id, day, name, value in cursor.fetchall()
                if unit_id in wanted and value]


def figures_verify(*, root: Unit | None = None, repair: bool = False) -> VerifyResult:
    """Compare the running figures with a recount; with ``repair`` make them equal the recount."""
    from qingdan.units.scopes import within

    counted = figures_recount(root=root)
    kept_rows = Figure.objects.all()
    if root is not None:
        kept_rows = within(kept_rows, root, "unit")
    kept: dict[tuple[int, datetime.date, str], int] = {}
    for unit_id, day, name, value in (kept_rows.values("unit_id", "day", "name").annotate(v=Sum("value"))
                                      .values_list("unit_id", "day", "name", "v")):
        if value:
            kept[(unit_id, day, name)] = value
    result = VerifyResult(compared=len(set(kept) | set(counted)))
    for key in set(kept) | set(counted):
        if kept.get(key, 0) != counted.get(key, 0):
            result.differences[key] = (kept.get(key, 0), counted.get(key, 0))
    if repair and result.differences:
        with transaction.atomic():
            rows: dict[RowKey, int] = {}
            for (unit_id, day, name), (had, should) in result.differences.items():
                rows[(unit_id, day, name, 0)] = should - had
            _upsert(rows)
            kept_rows.filter(value=0).delete()
        result.repaired = True
    return result


# --- set-based rebuild (PostgreSQL) -------------------------------------------------------------

_OWN_SQL = """
{head}
SELECT CASE WHEN v.name NOT LIKE 'own:%%' THEN m.target_id
            WHEN %(own_anywhere)s OR m.target_id = i.lead_unit_id THEN i.lead_unit_id END AS unit_id,
       v.day, v.name, SUM(v.value)::bigint AS value
FROM dockets_item i
JOIN dockets_docket d ON d.id = i.docket_id
JOIN sup_map m ON m.unit_id = i.lead_unit_id
CROSS JOIN LATERAL (SELECT (i.created_at AT TIME ZONE %(tz)s)::date AS cday,
                           (i.dispatched_at AT TIME ZONE %(tz)s)::date AS dday,
                           (i.closed_at AT TIME ZONE %(tz)s)::date AS xday,
                           (i.stage_result_at AT TIME ZONE %(tz)s)::date AS sday,
                           i.status = ANY(%(open)s) AS is_open,
                           i.parent_id IS NULL AS top) t
CROSS JOIN LATERAL (VALUES
    (t.cday, 'new', 1),
    (t.cday, 'new:kind:' || d.kind, 1),
    (t.cday, 'new:source:' || d.source, 1),
    (t.cday, 'new:cat:' || LEFT(COALESCE(NULLIF(i.category, ''), '-'), 60), 1),
    (t.cday, CASE WHEN i.status = 'closed' THEN 'resolved' END, 1),
    (%(stock)s::date, 'status:' || i.status, 1),
    (%(stock)s::date, CASE WHEN t.is_open THEN 'open' END, 1),
    (%(stock)s::date, CASE WHEN t.is_open AND i.reopened > 0 THEN 'reopened_open' END, 1),
    (%(stock)s::date, CASE WHEN i.status = ANY(%(graded)s) THEN 'grade:' || i.grade END, 1),
    (%(stock)s::date, CASE WHEN i.status = ANY(%(graded)s) THEN 'own:grade:' || i.grade END, 1),
    (t.dday, CASE WHEN i.dispatched_at IS NOT NULL THEN 'dispatched' END, 1),
    (t.dday, CASE WHEN i.accepted_at IS NOT NULL AND i.accepted_at - i.dispatched_at <= %(limit)s
                  THEN 'responded' END, 1),
    (COALESCE(t.dday, t.cday), CASE WHEN i.returns > 0 THEN 'returns' END, i.returns),
    (t.xday, CASE WHEN i.closed_at IS NOT NULL AND i.status = 'closed' THEN 'closed' END, 1),
    (t.xday, CASE WHEN i.closed_at IS NOT NULL AND i.status = 'closed' THEN 'closed:kind:' || d.kind END, 1),
    (t.xday, CASE WHEN i.closed_at IS NOT NULL AND i.status = 'closed'
                   AND (LEAST(i.due_on, i.original_deadline) IS NULL  -- promised_due: LEAST skips NULLs
                        OR t.xday <= LEAST(i.due_on, i.original_deadline)) THEN 'closed_on_time' END, 1),
    (t.xday, CASE WHEN i.closed_at IS NOT NULL AND i.status = 'closed' AND i.reopened > 0
                  THEN 'closed_repeat' END, 1),
    (t.sday, CASE WHEN i.stage_result_at IS NOT NULL THEN 'stage_results' END, 1),
    -- a sub-item's own counters (figures.SUB_PREFIX); every other name counts top-level items only
    (t.cday, 'sub:new', 1),
    (t.xday, CASE WHEN i.closed_at IS NOT NULL AND i.status = 'closed' THEN 'sub:closed' END, 1),
    (t.sday, CASE WHEN i.stage_result_at IS NOT NULL THEN 'sub:stage_results' END, 1),
    (%(stock)s::date, CASE WHEN t.is_open THEN 'sub:open' END, 1)
) AS v(day, name, value)
WHERE v.name IS NOT NULL AND (v.name LIKE 'sub:%%') = NOT t.top
GROUP BY 1, 2, 3
UNION ALL
SELECT m.target_id, r.day, r.name, COUNT(*)
FROM intake_rating g
JOIN sup_map m ON m.unit_id = g.unit_id
CROSS JOIN LATERAL (SELECT (g.at AT TIME ZONE %(tz)s)::date AS day) t
CROSS JOIN LATERAL (VALUES (t.day, 'rated'),
                           (t.day, 'rated:' || g.satisfaction),
                           (t.day, CASE WHEN g.solved THEN 'rated:solved'
                                        WHEN NOT g.solved THEN 'rated:unsolved' END)) AS r(day, name)
WHERE r.name IS NOT NULL
GROUP BY 1, 2, 3
"""


def figures_rebuild_sql() -> int:
    """Replace every figure with a set-based recount inside PostgreSQL; return the rows written.

    The same definitions as ``item_counters`` (a test checks the two agree), in one scan of the
    items and one pass per tree level: each level's totals are its own items' counters plus
    its children's totals. Items led below ``figures_depth()`` count at their ancestor on that
    level straight away. For the first load of a big database and for repairs at scale.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("figures_rebuild_sql needs PostgreSQL; use figures_verify(repair=True)")
    table = Figure._meta.db_table
    params = _own_sql_params(own_anywhere=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        # Each unit → the unit its tree figures are kept on: itself, or its ancestor at the kept depth.
        cursor.execute("CREATE TEMP TABLE sup_map ON COMMIT DROP AS SELECT u.id AS unit_id, a.id AS target_id "
                       "FROM units_unit u JOIN units_unit a ON a.path = SUBSTR(u.path, 1, LEAST(u.depth, %s) * %s)",
                       [figures_depth(), Unit.steplen])
        cursor.execute("ANALYZE sup_map")
        cursor.execute(_OWN_SQL.format(head="CREATE TEMP TABLE sup_own ON COMMIT DROP AS"), params)
        cursor.execute("CREATE TEMP TABLE sup_tot (unit_id int, depth int, path varchar(255), day date, "
                       "name varchar(80), value bigint) ON COMMIT DROP")
        cursor.execute("INSERT INTO sup_tot SELECT o.unit_id, u.depth, u.path, o.day, o.name, o.value "
                       "FROM sup_own o JOIN units_unit u ON u.id = o.unit_id")
        cursor.execute("SELECT COALESCE(MAX(depth), 0) FROM sup_tot")
        deepest = cursor.fetchone()[0]
        for depth in range(deepest, 1, -1):
            cursor.execute(
                "INSERT INTO sup_tot SELECT p.id, p.depth, p.path, t.day, t.name, SUM(t.value) FROM sup_tot t "
                "JOIN units_unit p ON p.path = SUBSTR(t.path, 1, %s) WHERE t.depth = %s AND t.name NOT LIKE 'own:%%' "
                "GROUP BY p.id, p.depth, p.path, t.day, t.name", [(depth - 1) * Unit.steplen, depth])
        cursor.execute(f"INSERT INTO {table} (unit_id, day, name, slot, value) "
                       "SELECT unit_id, day, name, 0, SUM(value) FROM sup_tot GROUP BY unit_id, day, name "
                       "HAVING SUM(value) <> 0")
        written = cursor.rowcount
    return written


def _own_sql_params(*, own_anywhere: bool) -> dict[str, Any]:
    """The parameters of ``_OWN_SQL``; ``own_anywhere`` keeps ``own:`` rows for every lead unit
    (the rebuild) rather than only for the units asked about (a count on request)."""
    return {"tz": settings.TIME_ZONE, "open": sorted(OPEN_STATUSES), "graded": sorted(GRADED_STATUSES),
            "stock": STOCK_DAY, "limit": response_limit(), "own_anywhere": own_anywhere}
