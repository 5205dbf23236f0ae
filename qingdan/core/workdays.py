"""Chinese working days: Monday to Friday, minus public holidays, plus make-up working days (调休).

Every deadline in qingdan goes through this module, never ``+ timedelta(days=n)``.

The exceptions live in ``core.CalendarDay`` (shipped filled from the State Council's notices,
editable by organizers). A date whose year has no row in the table follows the plain
Monday–Friday rule: nothing is guessed for years the State Council has not yet published.

Counting rules, used by every function here:

* ``add_working_days(start, n)`` with ``n > 0`` is the n-th working day *after* ``start``;
  ``start`` itself never counts, whether or not it is a working day (dispatched on Friday with
  one working day: due Monday). ``n < 0`` counts backwards the same way (the |n|-th working day
  before ``start``). ``n == 0`` is ``start`` when it is a working day, else the next working day.
* ``working_days_between(a, b)`` is the number of working days in ``(a, b]``, negative when
  ``b < a``; so ``add_working_days(a, working_days_between(a, b)) == b`` for a working day ``b``.

The table is read once per process into a ``WorkingCalendar`` snapshot of sorted ordinals, and
every question is answered by arithmetic on weeks plus ``bisect`` over the exceptions: no query
and no day-by-day loop, so grading a million items costs a million microsecond calls, or better
one call per run to turn "due within N working days" into a date for a single SQL filter.

The snapshot is dropped when a ``CalendarDay`` is saved or deleted in this process (signals,
``qingdan.core.signals``); other processes learn of the change through a generation token in
the shared cache, which they check at most every ``QINGDAN_CALENDAR_RECHECK_SECONDS``.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from qingdan.core.errors import ApplicationError
from qingdan.core.models import CalendarDay

CHINA = ZoneInfo("Asia/Shanghai")
SHIPPED_CSV = Path(__file__).resolve().parent / "data" / "cn_holidays.csv"
HOLIDAY = "holiday"
WORKDAY = "workday"
_GENERATION_KEY = "qingdan:calendar:generation"


class InvalidWorkingDays(ApplicationError):
    """A deadline asked for a negative number of working days."""

    code = "invalid_working_days"


def _weekdays_through(ordinal: int) -> int:
    """Return how many Mondays–Fridays lie in ``[1, ordinal]`` (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _is_weekday(ordinal: int) -> bool:
    return (ordinal - 1) % 7 < 5


@dataclass
class WorkingCalendar:
    """A snapshot of the calendar: answers every question without touching the database.

    Take one with ``get_calendar()`` and reuse it for a batch (bulk grading); the module-level
    functions do exactly that for single calls.
    """

    holidays: frozenset[int] = frozenset()  # ordinals of holidays falling on Mon–Fri
    makeups: frozenset[int] = frozenset()  # ordinals of make-up working days falling on Sat–Sun
    years: frozenset[int] = frozenset()  # years with at least one row: the years the table covers
    generation: Any = None
    checked_at: float = 0.0
    _holidays_sorted: list[int] = field(default_factory=list, repr=False)
    _makeups_sorted: list[int] = field(default_factory=list, repr=False)
    # Every working day (as an ordinal) from the year before the table to the year after it:
    # inside that span the n-th working day is one bisect and an index, the common case.
    _days: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_days(cls, days: Iterable[tuple[dt.date, str]], generation: Any = None) -> WorkingCalendar:
        """Build a snapshot from ``(date, kind)`` pairs; exceptions that change nothing are dropped."""
        holidays, makeups, years = set(), set(), set()
        for day, kind in days:
            years.add(day.year)
            ordinal = day.toordinal()
            if kind == HOLIDAY and _is_weekday(ordinal):
                holidays.add(ordinal)
            elif kind == WORKDAY and not _is_weekday(ordinal):
                makeups.add(ordinal)
        calendar = cls(holidays=frozenset(holidays), makeups=frozenset(makeups), years=frozenset(years),
                       generation=generation, checked_at=time.monotonic(),
                       _holidays_sorted=sorted(holidays), _makeups_sorted=sorted(makeups))
        if years:
            first = dt.date(max(min(years) - 1, 1), 1, 1).toordinal()
            last = dt.date(min(max(years) + 1, 9999), 12, 31).toordinal()
            calendar._days = [o for o in range(first, last + 1)
                              if o in makeups or (o not in holidays and _is_weekday(o))]
        return calendar

    def covers(self, day: dt.date) -> bool:
        """Tell whether the table has the State Council's arrangement for this date's year."""
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        """Tell whether staff work on this date."""
        ordinal = day.toordinal()
        if ordinal in self.holidays:
            return False
        return ordinal in self.makeups or _is_weekday(ordinal)

    def _working_through(self, ordinal: int) -> int:
        """Return the working days in ``[1, ordinal]``: a prefix count, so ranges are differences."""
        return (_weekdays_through(ordinal)
                - bisect.bisect_right(self._holidays_sorted, ordinal)
                + bisect.bisect_right(self._makeups_sorted, ordinal))

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Return the working days in ``(a, b]``; negative (the days in ``(b, a]``) when ``b < a``."""
        return self._working_through(b.toordinal()) - self._working_through(a.toordinal())

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """Return the n-th working day after ``start`` (before it when ``n < 0``); see the module rules."""
        origin = start.toordinal()
        days = self._days
        if days and days[0] <= origin <= days[-1]:
            # n > 0: the first working day after start is at bisect_right; n <= 0 counts from bisect_left.
            index = bisect.bisect_right(days, origin) + n - 1 if n > 0 else bisect.bisect_left(days, origin) + n
            if 0 <= index < len(days):
                return dt.date.fromordinal(days[index])
        if n == 0:
            target = self._working_through(origin - 1) + 1  # the first working day on or after start
        elif n > 0:
            target = self._working_through(origin) + n
        else:
            # The |n|-th working day before start is the day whose prefix count is
            # W(start - 1) + n + 1, taking the first day reaching it.
            target = self._working_through(origin - 1) + n + 1
        return dt.date.fromordinal(self._first_reaching(target, origin, n))

    def _first_reaching(self, target: int, origin: int, n: int) -> int:
        """Return the smallest ordinal whose prefix count reaches ``target`` (it is a working day).

        The prefix count rises by one on each working day, so this is a binary search between
        bounds found by doubling a span that already holds all the working days asked for
        (holidays only stretch it, make-up days only shorten it).
        """
        span = abs(n) * 7 // 5 + 14
        if n >= 0:
            low, high = origin - 1, origin + span
            while self._working_through(high) < target:
                low, high = high, high + span
                span *= 2
        else:
            low, high = origin - span, origin
            while self._working_through(low) >= target:
                high, low = low, low - span
                span *= 2
        # Invariant: W(low) < target <= W(high).
        while high - low > 1:
            middle = (low + high) // 2
            if self._working_through(middle) >= target:
                high = middle
            else:
                low = middle
        return high

    def deadline_from(self, start: dt.datetime, n_working_days: int) -> dt.datetime:
        """Return the end (23:59:59.999999, Beijing time) of the n-th working day after ``start``."""
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("deadline_from needs an aware datetime")
        if n_working_days < 0:
            raise InvalidWorkingDays(
                f"A deadline is a number of working days from now, not {n_working_days}.",
                extra={"n_working_days": n_working_days})
        day = self.add_working_days(start.astimezone(CHINA).date(), n_working_days)
        return dt.datetime.combine(day, dt.time.max, tzinfo=CHINA)


# --- the per-process snapshot ---------------------------------------------------------------

_lock = threading.Lock()
_snapshot: WorkingCalendar | None = None
_local = threading.local()  # .pending: the outermost atomic block of a transaction that edited the table


def _recheck_seconds() -> float:
    return float(getattr(settings, "QINGDAN_CALENDAR_RECHECK_SECONDS", 60))


def _shared_generation() -> Any:
    try:
        return cache.get(_GENERATION_KEY)
    except Exception:  # a cache outage must not stop deadlines; this process's own signal still works
        return None


def _load(generation: Any) -> WorkingCalendar:
    return WorkingCalendar.from_days(CalendarDay.objects.values_list("date", "kind"), generation=generation)


def get_calendar() -> WorkingCalendar:
    """Return the calendar snapshot, loading it when this process has none or it went stale.

    Inside a transaction that has itself edited the table, the snapshot is built fresh and not
    kept: that transaction sees its own edits, and a rollback cannot leave them cached.
    """
    global _snapshot
    pending = getattr(_local, "pending", None)
    if pending is not None:
        blocks = getattr(connection, "atomic_blocks", [])
        if blocks and blocks[0] is pending:
            return _load(None)
        _local.pending = None  # that transaction ended without committing (commit clears it first)
        invalidate_calendar()
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now - snapshot.checked_at < _recheck_seconds():
        return snapshot
    generation = _shared_generation()
    if snapshot is not None and snapshot.generation == generation:
        snapshot.checked_at = now
        return snapshot
    with _lock:
        _snapshot = _load(generation)
        return _snapshot


def invalidate_calendar() -> None:
    """Forget this process's snapshot; the next question reloads the table."""
    global _snapshot
    with _lock:
        _snapshot = None


def calendar_changed() -> None:
    """React to an edit of the table (called by the model signals): drop caches now and after commit."""
    invalidate_calendar()
    blocks = getattr(connection, "atomic_blocks", [])
    if connection.in_atomic_block and blocks:
        _local.pending = blocks[0]
    transaction.on_commit(_committed)


def _committed() -> None:
    _local.pending = None
    invalidate_calendar()
    # Without the shared cache, other processes see the change only when they restart.
    with contextlib.suppress(Exception):
        cache.set(_GENERATION_KEY, uuid.uuid4().hex, timeout=None)


# --- the shipped table ----------------------------------------------------------------------

def shipped_calendar_rows(path: Path = SHIPPED_CSV) -> list[dict[str, Any]]:
    """Return the rows of the shipped CSV (date, kind, name, year) as model field values."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [{"date": dt.date.fromisoformat(row["date"]), "kind": row["kind"], "name": row["name"],
                 "year": int(row["year"])} for row in csv.DictReader(handle)]


# --- the calls the rest of the code makes ---------------------------------------------------

def is_working_day(d: dt.date) -> bool:
    """Tell whether staff work on ``d`` (holidays and make-up days from the table; else Mon–Fri)."""
    return get_calendar().is_working_day(d)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """Return the n-th working day after ``start``: every deadline counts this way, never in calendar days.

    ``start`` never counts; ``n < 0`` goes back; ``n == 0`` gives ``start`` or, on a day off, the
    next working day.
    """
    return get_calendar().add_working_days(start, n)


def working_days_between(a: dt.date, b: dt.date) -> int:
    """Return the number of working days in ``(a, b]``, negative when ``b`` is before ``a``."""
    return get_calendar().working_days_between(a, b)


def deadline_from(start: dt.datetime, n_working_days: int) -> dt.datetime:
    """Return the aware end (Beijing time) of the n-th working day after ``start``'s Beijing date.

    ``n_working_days == 0`` means by the end of today, or of the next working day when today is
    off. A negative count is refused with ``InvalidWorkingDays``; a naive ``start`` is a bug
    (``ValueError``).
    """
    return get_calendar().deadline_from(start, n_working_days)
