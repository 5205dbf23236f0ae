"""Edit the working-day calendar: every change is checked and audited.

The calendar is national: one table for every unit. So only those who manage a whole root of
the tree (a province's organizers and administrators) or a superuser may change it; a
county organizer may read it in the admin but not move the country's holidays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record, audit_record_many
from qingdan.core.actors import Actor
from qingdan.core.errors import ApplicationError, NotFound, PermissionDenied
from qingdan.core.models import CalendarDay, DayKind
from qingdan.core.workdays import calendar_changed, shipped_calendar_rows
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.scopes import is_system, scope_for_user

_AUDIT_TYPE = "core.calendarday"


def calendar_may_edit(actor: Actor) -> bool:
    """Tell whether ``actor`` may change the calendar (the system, a superuser, a root's manager)."""
    if is_system(actor):
        return True
    if not getattr(actor, "is_active", False):
        return False
    if getattr(actor, "is_superuser", False):
        return True
    scope = scope_for_user(actor, roles=MANAGE_ROLES)
    return any(len(path) == 4 for path in scope.paths)  # a root's path is one 4-character step


def _ensure_may_edit(actor: Actor) -> None:
    if not calendar_may_edit(actor):
        raise PermissionDenied(_("Only organizers of a whole province may change the working-day calendar."))


def _snapshot(day: CalendarDay) -> dict[str, Any]:
    return {"date": day.date.isoformat(), "kind": day.kind, "name": day.name, "year": day.year}


def calendar_day_set(*, actor: Actor, date: dt.date, kind: str, name: str, year: int | None = None) -> CalendarDay:
    """Record ``date`` as a holiday or a make-up working day, replacing what the table said of it."""
    _ensure_may_edit(actor)
    name = (name or "").strip()
    if kind not in DayKind.values:
        raise ApplicationError(_("Unknown kind of calendar day."), code="calendar_invalid")
    if not name:
        raise ApplicationError(_("Name the holiday this day belongs to."), code="calendar_invalid")
    if kind == DayKind.WORKDAY and date.weekday() < 5:
        raise ApplicationError(_("A make-up working day falls on a Saturday or Sunday."), code="calendar_invalid")
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        before = _snapshot(day) if day else None
        if day is None:
            day = CalendarDay(date=date)
        day.kind, day.name, day.year = kind, name[:40], year or date.year
        day.save()
        audit_record(actor=actor, action="core.calendar_day_set", object_type=_AUDIT_TYPE,
                     object_id=day.date.isoformat(), unit_path="", before=before, after=_snapshot(day))
    return day


def calendar_day_delete(*, actor: Actor, date: dt.date) -> None:
    """Remove the exception for ``date``: the day follows the Monday–Friday rule again."""
    _ensure_may_edit(actor)
    with transaction.atomic():
        day = CalendarDay.objects.select_for_update().filter(date=date).first()
        if day is None:
            raise NotFound(_("The calendar has no entry for %(date)s.") % {"date": date.isoformat()})
        before = _snapshot(day)
        day.delete()
        audit_record(actor=actor, action="core.calendar_day_deleted", object_type=_AUDIT_TYPE,
                     object_id=before["date"], unit_path="", before=before)


def calendar_load_shipped(*, actor: Actor) -> int:
    """Add the shipped rows (State Council notices) that the table lacks; keep every edited row.

    Returns the number of days added. Useful after a database was emptied, e.g. by a test flush.
    """
    _ensure_may_edit(actor)
    with transaction.atomic():
        present = set(CalendarDay.objects.values_list("date", flat=True))
        missing = [CalendarDay(**row) for row in shipped_calendar_rows() if row["date"] not in present]
        CalendarDay.objects.bulk_create(missing)
        if missing:
            audit_record_many(actor=actor, action="core.calendar_loaded", changes=[
                {"object_type": _AUDIT_TYPE, "object_id": day.date.isoformat(), "after": _snapshot(day)}
                for day in missing])
            calendar_changed()  # bulk_create sends no signals
    return len(missing)


def calendar_days_of_year(year: int) -> list[CalendarDay]:
    """The holiday calendar's exceptions of one year, in date order (the calendar page)."""
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def calendar_day_stored(pk: int) -> CalendarDay:
    """The stored state of a calendar day (the admin compares it with the posted form)."""
    return CalendarDay.objects.get(pk=pk)
