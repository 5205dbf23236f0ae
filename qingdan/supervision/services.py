"""Writes of supervision: index schemes (versioned weights), rankings (登台打擂) and unit grades.

A ranking is computed from the running figures with one named scheme version and stored with
it, so the board shown at a quarterly meeting can be computed again, and will come out the
same, after the organizer has changed the weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.core.periods import Period
from qingdan.notifications.services import notify
from qingdan.people.models import RoleAssignment
from qingdan.supervision.models import GradeChange, IndexScheme, Ranking, RankingRow, UnitGrade, UnitGradeState
from qingdan.supervision.rates import (
    DEFAULT_GREEN_AT,
    DEFAULT_WEIGHTS,
    DEFAULT_YELLOW_AT,
    INDEX_COMPONENTS,
    Rates,
    competition_ranks,
    composite_index,
    grade_for_index,
)
from qingdan.supervision.selectors import ranking_previous, scheme_current, units_rates
from qingdan.units.choices import Role
from qingdan.units.models import Unit
from qingdan.units.scopes import may, within

SCHEME_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN})
RANKING_ROLES = frozenset({Role.ORGANIZER, Role.ADMIN, Role.SUPERVISOR})


class SchemeInvalid(ApplicationError):
    """An index scheme that cannot rank anyone: an unknown component, a weight that is not a number."""

    code = "scheme_invalid"


def scheme_create(*, actor: Actor, owner_unit: Unit, weights: dict[str, Any], green_at: Any = DEFAULT_GREEN_AT,
                  yellow_at: Any = DEFAULT_YELLOW_AT, note: str = "") -> IndexScheme:
    """Store a new version of a unit's index weights and grade thresholds (old versions stay)."""
    if not may(actor, owner_unit, SCHEME_ROLES):
        raise PermissionDenied(_("Only the organizers of this unit set its index."))
    clean: dict[str, float] = {}
    for name, weight in (weights or {}).items():
        if name not in INDEX_COMPONENTS:
            raise SchemeInvalid(_("Unknown index component: %(name)s.") % {"name": name})
        try:
            value = Decimal(str(weight))
        except InvalidOperation as exc:
            raise SchemeInvalid(_("A weight is a number.")) from exc
        if value < 0:
            raise SchemeInvalid(_("A weight cannot be negative."))
        if value:
            clean[name] = float(value)
    if not clean:
        raise SchemeInvalid(_("Give at least one weight above zero."))
    try:
        green, yellow = Decimal(str(green_at)), Decimal(str(yellow_at))
    except InvalidOperation as exc:
        raise SchemeInvalid(_("A threshold is a number.")) from exc
    if not (0 <= yellow <= green <= 100):
        raise SchemeInvalid(_("Thresholds lie between 0 and 100, yellow at or below green."))
    with transaction.atomic(durable=True):
        last = (IndexScheme.objects.select_for_update().filter(owner_unit=owner_unit).order_by("-version")
                .values_list("version", flat=True).first())
        scheme = IndexScheme.objects.create(owner_unit=owner_unit, version=(last or 0) + 1, weights=clean,
                                            green_at=green, yellow_at=yellow, note=(note or "")[:200],
                                            created_by=user_of(actor))
        audit_record(actor=actor, action="supervision.scheme_created", obj=scheme, unit_path=owner_unit.path,
                     after={"version": scheme.version, "weights": clean, "green_at": str(green),
                            "yellow_at": str(yellow)})
    return scheme


def scheme_for(*, unit: Unit) -> IndexScheme:
    """The scheme in force for rankings under ``unit``: its own or its nearest ancestor's, else the defaults."""
    scheme = scheme_current(unit=unit)
    if scheme is not None:
        return scheme
    root = Unit.objects.filter(path=unit.path[:Unit.steplen]).get()
    return scheme_create(actor="system", owner_unit=root, weights=DEFAULT_WEIGHTS, note="default")


@dataclass
class BoardRow:
    """One unit on a leaderboard."""

    unit: Unit
    rates: Rates
    index: Decimal | None
    rank: int | None
    grade: str
    previous_rank: int | None
    compared_with: Ranking | None = None  # the published board of last period, if one was recorded

    @property
    def movement(self) -> int | None:
        """Places gained since last period's published board (negative: places lost).

        None when there is no published board to compare with, or the unit is unranked on it
        or now: movement is never invented from a recomputation.
        """
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def is_new(self) -> bool:
        """Ranked now but not on last period's published board (shown as "new", not as a move)."""
        return self.compared_with is not None and self.rank is not None and self.previous_rank is None


def board_units(parent: Unit, level: int | None = None) -> list[Unit]:
    """The region units of ``level`` under ``parent`` (default: its children's level)."""
    if level is None:
        level = parent.level + 1

    return list(within(Unit.objects.filter(level=level, kind="region", is_active=True), parent, strict=True)
                .order_by("path"))


def board_compute(*, parent: Unit, period: Period, scheme: IndexScheme, level: int | None = None,
                  compared_before: Any = None) -> list[BoardRow]:
    """Rank the units of one level under ``parent`` for ``period`` with ``scheme`` (nothing is stored).

    Movement compares with last period's published ranking (``compared_before``: only one
    recorded before that moment); without one, every movement is None.
    """
    level = level or parent.level + 1
    units = board_units(parent, level)
    now = units_rates(units=units, start=period.start, end=period.end)
    indexes = [composite_index(now[u.pk], scheme.weights) for u in units]
    ranks = competition_ranks(indexes)
    # Movement: against the board published for last period, as it was shown (selectors.ranking_previous).
    snapshot = ranking_previous(parent=parent, level=level, period=period, before=compared_before)
    previous_ranks: dict[int, int | None] = dict(snapshot.rows.values_list("unit_id", "rank")) if snapshot else {}
    rows = [BoardRow(unit=u, rates=now[u.pk], index=index, rank=rank, previous_rank=previous_ranks.get(u.pk),
                     grade=grade_for_index(index, green_at=scheme.green_at, yellow_at=scheme.yellow_at),
                     compared_with=snapshot)
            for u, index, rank in zip(units, indexes, ranks, strict=True)]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.unit.path))
    return rows


def ranking_record(*, actor: Actor, parent: Unit, period: Period, level: int | None = None,
                   scheme: IndexScheme | None = None) -> Ranking:
    """Compute and store a leaderboard, set each unit's grade and record (and tell) grade changes."""
    if not may(actor, parent, RANKING_ROLES):
        raise PermissionDenied(_("You may not rank the units under this unit."))
    scheme = scheme or scheme_for(unit=parent)
    rows = board_compute(parent=parent, period=period, scheme=scheme, level=level)
    now = timezone.now()
    changes: list[GradeChange] = []
    with transaction.atomic(durable=True):
        ranking = Ranking.objects.create(parent=parent, level=level or parent.level + 1, period_kind=period.kind,
                                         starts_on=period.start, ends_on=period.end, scheme=scheme,
                                         created_by=user_of(actor))
        RankingRow.objects.bulk_create([
            RankingRow(ranking=ranking, unit=row.unit, rank=row.rank, index=row.index, grade=row.grade,
                       movement=row.movement, rates=row.rates.as_dict()) for row in rows])
        states = {s.unit_id: s for s in UnitGradeState.objects.select_for_update().filter(
            unit__in=[r.unit for r in rows])}
        for row in rows:
            if not row.grade:
                continue
            state = states.get(row.unit.pk)
            if state is None:
                UnitGradeState.objects.create(unit=row.unit, grade=row.grade, ranking=ranking, since=now)
                changes.append(GradeChange(unit=row.unit, from_grade="", to_grade=row.grade, ranking=ranking, at=now))
            elif state.grade != row.grade:
                changes.append(GradeChange(unit=row.unit, from_grade=state.grade, to_grade=row.grade,
                                           ranking=ranking, at=now))
                state.grade, state.ranking, state.since = row.grade, ranking, now
                state.save(update_fields=["grade", "ranking", "since"])
        GradeChange.objects.bulk_create(changes)
        audit_record(actor=actor, action="supervision.ranking_recorded", obj=ranking, unit_path=parent.path,
                     after={"period": period.key, "scheme": scheme.pk, "version": scheme.version,
                            "units": len(rows), "grade_changes": len(changes)})
        _notify_grade_changes([c for c in changes if c.from_grade], period)
    return ranking


def _notify_grade_changes(changes: list[GradeChange], period: Period) -> None:
    """Tell the leaders and supervisors of a unit whose grade changed (not a unit's first grade)."""
    if not changes:
        return

    for change in changes:
        people = [a.user for a in RoleAssignment.objects.filter(
            unit=change.unit, role__in=[Role.LEADER, Role.SUPERVISOR]).select_related("user")]
        labels = dict(UnitGrade.choices)
        notify(recipients=people, kind="unit.grade_changed",
               title=_("%(unit)s is now %(grade)s (%(period)s)") % {
                   "unit": change.unit.name, "grade": labels.get(change.to_grade, change.to_grade),
                   "period": period.key},
               body=_("The grade went from %(from)s to %(to)s.") % {
                   "from": labels.get(change.from_grade, change.from_grade),
                   "to": labels.get(change.to_grade, change.to_grade)},
               url=f"/supervision/units/{change.unit.code}/", object_type="units.unit",
               object_id=str(change.unit.pk), unit_path=change.unit.path,
               payload={"from": change.from_grade, "to": change.to_grade, "period": period.key})
