"""Read the figures: a unit's rates for a period, its children side by side, trends. Scope applied here.

Every read of a unit down to ``figures_depth()`` is a few indexed rows of the figures table
(unit, day range), whatever the number of items below it: the root of a province reads the same
handful of rows as a county. Deeper units (townships, villages) are counted from their few items
on request (``figures_counted``), with the same definitions.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from qingdan.core.errors import NotFound
from qingdan.core.periods import Period
from qingdan.supervision.figures import figures_depth
from qingdan.supervision.models import STOCK_DAY, Figure, IndexScheme, Ranking
from qingdan.supervision.rates import Rates
from qingdan.supervision.running import figures_counted
from qingdan.units.choices import Role
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user

# Who may read figures: supervisors, organizers, leaders and administrators of a subtree.
FIGURE_ROLES = frozenset({Role.SUPERVISOR, Role.ORGANIZER, Role.LEADER, Role.ADMIN})


def figure_scope(user: Any):
    """The subtrees whose figures ``user`` may read."""
    return scope_for_user(user, roles=FIGURE_ROLES)


def unit_get_for_figures(*, user: Any, code: str) -> Unit:
    """Return the unit with ``code`` if its figures are in the user's scope (NotFound otherwise)."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not figure_scope(user).contains(unit):
        raise NotFound(_("No such unit in your scope."))
    return unit


def figure_units_for_user(user: Any) -> list[Unit]:
    """The top units of the user's figure scope (where their dashboard starts)."""
    scope = figure_scope(user)
    if scope.is_global:
        return list(Unit.objects.filter(depth=1).order_by("path"))
    return list(Unit.objects.filter(path__in=scope.paths).order_by("path"))


def _period_q(start: datetime.date, end: datetime.date, *, stock: bool = True) -> Q:
    q = Q(day__gte=start, day__lte=end)
    return q | Q(day=STOCK_DAY) if stock else q


def _counters(units: list[Unit], start: datetime.date, end: datetime.date, *, stock: bool = True,
              names: tuple[str, ...] | None = None) -> dict[int, dict[tuple[datetime.date, str], int]]:
    """{unit id: {(day, name): value}} for the days ``start``–``end`` (and the stock day).

    The one place that knows where a unit's figures live: kept rows down to ``figures_depth()``,
    a count of the subtree's items below it.
    """
    result: dict[int, dict[tuple[datetime.date, str], int]] = {unit.pk: defaultdict(int) for unit in units}
    kept = [unit.pk for unit in units if unit.depth <= figures_depth()]
    if kept:
        rows = Figure.objects.filter(_period_q(start, end, stock=stock), unit__in=kept)
        if names is not None:
            rows = rows.filter(name__in=names)
        for unit_id, day, name, value in (rows.values("unit_id", "day", "name").annotate(v=Sum("value"))
                                          .values_list("unit_id", "day", "name", "v")):
            result[unit_id][(day, name)] += int(value)
    deep = [unit for unit in units if unit.depth > figures_depth()]
    for unit_id, counters in figures_counted(deep).items():
        for (day, name), value in counters.items():
            if (start <= day <= end or (stock and day == STOCK_DAY)) and (names is None or name in names):
                result[unit_id][(day, name)] += value
    return result


def _rates(counters: dict[tuple[datetime.date, str], int]) -> Rates:
    totals: dict[str, int] = defaultdict(int)
    for (_day, name), value in counters.items():
        totals[name] += value
    return Rates(counters={name: value for name, value in totals.items() if value})


def unit_rates(*, unit: Unit, start: datetime.date, end: datetime.date) -> Rates:
    """A unit's (and its subtree's) counters for the days ``start``–``end`` plus the stock figures."""
    return _rates(_counters([unit], start, end)[unit.pk])


def units_rates(*, units: list[Unit], start: datetime.date, end: datetime.date) -> dict[int, Rates]:
    """Several units' rates in one query (a leaderboard's rows, a dashboard's children)."""
    return {unit_id: _rates(counters) for unit_id, counters in _counters(units, start, end).items()}


def own_rates(*, total: Rates, children: list[Rates]) -> Rates:
    """A unit's own figures (「本级」): its subtree's less its children's, so that the rows add up to the total.

    Items led by the unit itself (and by its retired children, which have no row of their own)
    and ratings answered by it; no query, the difference of figures already read.
    """
    counters = dict(total.counters)
    for rates in children:
        for name, value in rates.counters.items():
            counters[name] = counters.get(name, 0) - value
    return Rates(counters={name: value for name, value in counters.items() if value})


def scheme_current(*, unit: Unit) -> IndexScheme | None:
    """The latest index scheme of the nearest unit at or above ``unit`` that has one."""
    paths = [unit.path[:end] for end in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    return (IndexScheme.objects.filter(owner_unit__path__in=paths).select_related("owner_unit")
            .order_by("-owner_unit__depth", "-version").first())


def ranking_previous(*, parent: Unit, level: int, period: Period,
                     before: datetime.datetime | None = None) -> Ranking | None:
    """The published ranking of the period before ``period`` (the latest recorded), or None.

    Movement on a board is measured against this snapshot — the places people were shown —
    never against a recomputation of last period from today's data, which late closures,
    reopenings and changed weights would have moved. ``before`` limits it to snapshots
    recorded earlier (to show a past board as it was).
    """
    previous = period.previous()
    rankings = Ranking.objects.filter(parent=parent, level=level, period_kind=previous.kind,
                                      starts_on=previous.start)
    if before is not None:
        rankings = rankings.filter(created_at__lt=before)
    return rankings.select_related("scheme").order_by("-created_at", "-id").first()


def ranking_recorded(*, parent: Unit, period: Period) -> Ranking | None:
    """A ranking already recorded under ``parent`` for ``period`` (the board says so beside its button)."""
    return Ranking.objects.filter(parent=parent, period_kind=period.kind, starts_on=period.start
                                  ).select_related("scheme").first()


def monthly_series(*, unit: Unit, months: list[tuple[datetime.date, datetime.date]],
                   names: tuple[str, ...]) -> dict[str, list[int]]:
    """Counters per month (trend charts): one query over the whole span."""
    start, end = months[0][0], months[-1][1]
    per_day: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for (day, name), value in _counters([unit], start, end, stock=False, names=names)[unit.pk].items():
        per_day[name][day] = value
    return {name: [sum(v for d, v in per_day[name].items() if a <= d <= b) for a, b in months] for name in names}
