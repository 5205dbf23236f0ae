"""Months, quarters, years and ISO weeks as date ranges, and the period before each."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.errors import ApplicationError
from qingdan.core.params import ParameterInvalid, year_check

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


def period_parse(text: str, *, name: str = "period") -> Period:
    """Read ``2026``, ``2026-Q4``, ``2026-11`` or ``2026-W47``; a year outside 1900–2200 is refused too.

    The refusal is a ``ParameterInvalid`` (400 on a page and in the API), since the text comes from a
    link or a command line; ``0000`` or ``0001-01`` would otherwise crash the date arithmetic.
    """
    match = _PERIOD.match((text or "").strip().upper())
    if not match:
        raise ParameterInvalid(_("Write the period as 2026, 2026-Q4, 2026-11 or 2026-W47."), code="period_invalid",
                               extra={"parameter": name})
    year = int(match.group(1))
    try:
        year_check(year, name=name)
    except ParameterInvalid as exc:
        raise ParameterInvalid(exc.message, code="period_invalid", extra=exc.extra) from exc
    try:
        if match.group(2):
            return period_containing("quarter", datetime.date(year, (int(match.group(3)) - 1) * 3 + 1, 1))
        if match.group(4):
            return period_containing("week", datetime.date.fromisocalendar(year, int(match.group(5)), 1))
        if match.group(6):
            return period_containing("month", datetime.date(year, int(match.group(6)), 1))
    except ValueError as exc:
        raise ParameterInvalid(_("No such period."), code="period_invalid", extra={"parameter": name}) from exc
    return period_containing("year", datetime.date(year, 1, 1))


def query_period(query: Mapping[str, str], name: str, *, default_kind: str,
                 today: datetime.date | None = None) -> Period:
    """The period in ``query[name]``, or the ``default_kind`` period containing today when it is missing."""
    text = (query.get(name) or "").strip()
    if text:
        return period_parse(text, name=name)
    return period_containing(default_kind, today or timezone.localdate())


def last_months(day: datetime.date, count: int) -> list[Period]:
    """The ``count`` months up to and including the one containing ``day``, oldest first."""
    months = [period_containing("month", day)]
    while len(months) < count:
        months.insert(0, months[0].previous())
    return months
