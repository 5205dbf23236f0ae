"""Months, quarters, years and ISO weeks as date ranges, and the period before each."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from qingdan.core.errors import ApplicationError

_PERIOD = re.compile(r"^(\d{4})(?:-(?:(Q)([1-4])|(W)(\d{1,2})|(\d{1,2})))?$")


@dataclass(frozen=True)
class Period:
    """A named range of days: ``2026-11`` (month), ``2026-Q4``, ``2026``, ``2026-W47``."""

    kind: str  # month, quarter, year, week
    start: datetime.date
    end: datetime.date

    @property
    def key(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "week":
            year, week, _day = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return period_containing(self.kind, self.start - datetime.timedelta(days=1))


def _month_end(year: int, month: int) -> datetime.date:
    first_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_next - datetime.timedelta(days=1)


def period_containing(kind: str, day: datetime.date) -> Period:
    """The month, quarter, year or ISO week that contains ``day``."""
    if kind == "year":
        return Period("year", datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    if kind == "quarter":
        first = (day.month - 1) // 3 * 3 + 1
        return Period("quarter", datetime.date(day.year, first, 1), _month_end(day.year, first + 2))
    if kind == "week":
        monday = day - datetime.timedelta(days=day.weekday())
        return Period("week", monday, monday + datetime.timedelta(days=6))
    if kind == "month":
        return Period("month", day.replace(day=1), _month_end(day.year, day.month))
    raise ApplicationError(_("Unknown period kind."), code="period_invalid")


def period_parse(text: str) -> Period:
    """Read ``2026``, ``2026-Q4``, ``2026-11`` or ``2026-W47``."""
    match = _PERIOD.match((text or "").strip().upper())
    if not match:
        raise ApplicationError(_("Write the period as 2026, 2026-Q4, 2026-11 or 2026-W47."), code="period_invalid")
    year = int(match.group(1))
    try:
        if match.group(2):
            return period_containing("quarter", datetime.date(year, (int(match.group(3)) - 1) * 3 + 1, 1))
        if match.group(4):
            return period_containing("week", datetime.date.fromisocalendar(year, int(match.group(5)), 1))
        if match.group(6):
            return period_containing("month", datetime.date(year, int(match.group(6)), 1))
    except ValueError as exc:
        raise ApplicationError(_("No such period."), code="period_invalid") from exc
    return period_containing("year", datetime.date(year, 1, 1))


def last_months(day: datetime.date, count: int) -> list[Period]:
    """The ``count`` months up to and including the one containing ``day``, oldest first."""
    months = [period_containing("month", day)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months
