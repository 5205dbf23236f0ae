"""Reads of reports: which weeks of a unit have anything to report (the archive), and where the page opens."""

from __future__ import annotations

import datetime

from django.db.models.functions import TruncDate
from django.utils import timezone

from qingdan.core.periods import Period, period_containing
from qingdan.dockets.models import Item
from qingdan.dockets.selectors import TOP_LEVEL
from qingdan.units.models import Unit
from qingdan.units.scopes import within

ARCHIVE_WEEKS = 104  # two years of weeks in the archive; older reports are a typed ?week= away


def weeks_with_data(*, unit: Unit, limit: int = ARCHIVE_WEEKS) -> list[Period]:
    """The weeks in which an item of the unit's subtree was listed, dispatched or closed, newest first.

    One query (a union of the three days, distinct): a week with none of them would be a report of
    zeros, which the archive leaves out. The days are local days, as the figures count them.
    """
    items = within(Item.objects.filter(TOP_LEVEL), unit, "lead_unit")
    tz = timezone.get_current_timezone()
    days = [items.exclude(**{f"{field}__isnull": True}).annotate(day=TruncDate(field, tzinfo=tz))
            .values_list("day", flat=True).distinct().order_by()
            for field in ("created_at", "dispatched_at", "closed_at")]
    found = days[0].union(days[1], days[2])
    weeks = {period_containing("week", _as_date(day)).start for day in found if day is not None}
    return [period_containing("week", start) for start in sorted(weeks, reverse=True)[:limit]]


def _as_date(day: datetime.date | datetime.datetime | str) -> datetime.date:
    if isinstance(day, datetime.datetime):
        return day.date()
    if isinstance(day, str):  # SQLite may hand a union's dates back as text
        return datetime.date.fromisoformat(day[:10])
    return day


def week_to_open(weeks: list[Period], last_full: Period) -> Period:
    """The week the page opens on: the last full week if it has data, else the newest week that has.

    Monday's report is about the week before; when that week was quiet the reader should see the
    last week something happened, not a page of zeros. A unit with no data at all opens on the
    last full week.
    """
    past = [week for week in weeks if week.start <= last_full.start]
    if past:
        return past[0]
    return weeks[-1] if weeks else last_full
