"""Chinese working days: the shipped State Council table, the counting rules, the cache."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import transaction

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import NotFound, PermissionDenied
from qingdan.core.models import CalendarDay, DayKind
from qingdan.core.workdays import (
    CHINA,
    InvalidWorkingDays,
    WorkingCalendar,
    add_working_days,
    deadline_from,
    get_calendar,
    is_working_day,
    working_days_between,
)
from qingdan.units.calendar import calendar_day_delete, calendar_day_set, calendar_load_shipped

pytestmark = pytest.mark.django_db
D = dt.date


# --- the shipped table ----------------------------------------------------------------------

def test_shipped_table_matches_the_notices():
    days = {d.date: d for d in CalendarDay.objects.all()}
    # 2025: 国庆节、中秋节 10月1日至8日放假, 9月28日(周日)、10月11日(周六)上班
    assert [d for d in days if d.year == 2025 and d.month == 10 and days[d].kind == DayKind.HOLIDAY] == [
        D(2025, 10, i) for i in range(1, 9)]
    assert days[D(2025, 9, 28)].kind == DayKind.WORKDAY and days[D(2025, 10, 11)].kind == DayKind.WORKDAY
    # 2025 春节: 1月28日至2月4日, 1月26日(周日)、2月8日(周六)上班
    spring = [d for d, row in days.items() if row.name == "春节" and row.year == 2025 and row.kind == DayKind.HOLIDAY]
    assert spring == [D(2025, 1, 28) + dt.timedelta(days=i) for i in range(8)]
    assert {d for d, row in days.items() if row.year == 2025 and row.kind == DayKind.WORKDAY} == {
        D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)}
    # 2024 and 2026 make-up days, as published
    assert {d for d, row in days.items() if row.year == 2024 and row.kind == DayKind.WORKDAY} == {
        D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11), D(2024, 9, 14),
        D(2024, 9, 29), D(2024, 10, 12)}
    assert {d for d, row in days.items() if row.year == 2026 and row.kind == DayKind.WORKDAY} == {
        D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)}
    assert all(d.weekday() >= 5 for d, row in days.items() if row.kind == DayKind.WORKDAY)
    # Net days off (weekday holidays minus make-up days) equal the statutory holidays of the
    # 全国年节及纪念日放假办法: 11 days before the 2024 revision, 13 from 2025.
    net = {y: sum(1 if r.kind == DayKind.HOLIDAY else -1 for d, r in days.items()
                  if r.year == y and (d.weekday() < 5) == (r.kind == DayKind.HOLIDAY)) for y in (2024, 2025, 2026)}
    assert net == {2024: 11, 2025: 13, 2026: 13}


# --- National Day 2025 and Spring Festival 2025 -----------------------------------------------

def test_deadline_skips_national_day_2025_and_counts_its_make_up_saturday():
    assert add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert add_working_days(D(2025, 9, 30), 2) == D(2025, 10, 10)
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 11)  # 周六 上班
    assert add_working_days(D(2025, 9, 30), 4) == D(2025, 10, 13)
    assert add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)  # 周日 上班
    start = dt.datetime(2025, 9, 30, 10, 0, tzinfo=CHINA)
    assert deadline_from(start, 3) == dt.datetime(2025, 10, 11, 23, 59, 59, 999999, tzinfo=CHINA)
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 13)) == 4
    assert working_days_between(D(2025, 10, 13), D(2025, 9, 30)) == -4


def test_spring_festival_2025():
    assert add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)  # 1月26日(周日) 上班
    assert add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert add_working_days(D(2025, 2, 7), 1) == D(2025, 2, 8)  # 2月8日(周六) 上班
    assert working_days_between(D(2025, 1, 27), D(2025, 2, 8)) == 4  # 5, 6, 7, 8 Feb
    assert not is_working_day(D(2025, 1, 28)) and not is_working_day(D(2025, 2, 3))
    assert is_working_day(D(2025, 1, 26)) and not is_working_day(D(2025, 1, 25))


def test_deadline_uses_the_beijing_date_of_an_aware_start():
    late_utc = dt.datetime(2025, 9, 30, 17, 0, tzinfo=dt.UTC)  # already 1 October, 01:00 in Beijing
    assert deadline_from(late_utc, 1).date() == D(2025, 10, 9)
    assert deadline_from(late_utc, 1).utcoffset() == dt.timedelta(hours=8)


# --- zero and negative counts -----------------------------------------------------------------

def test_zero_is_today_or_the_next_working_day():
    assert add_working_days(D(2025, 9, 30), 0) == D(2025, 9, 30)
    assert add_working_days(D(2025, 10, 1), 0) == D(2025, 10, 9)
    assert add_working_days(D(2025, 10, 11), 0) == D(2025, 10, 11)
    assert deadline_from(dt.datetime(2025, 10, 4, 9, tzinfo=CHINA), 0).date() == D(2025, 10, 9)


def test_negative_counts_go_back_and_deadlines_refuse_them():
    assert add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert add_working_days(D(2025, 10, 13), -1) == D(2025, 10, 11)
    assert add_working_days(D(2025, 10, 13), -2) == D(2025, 10, 10)
    assert add_working_days(D(2025, 10, 5), -1) == D(2025, 9, 30)  # start on a holiday: never counts
    with pytest.raises(InvalidWorkingDays) as caught:
        deadline_from(dt.datetime(2025, 9, 30, tzinfo=CHINA), -1)
    assert caught.value.code == "invalid_working_days"
    with pytest.raises(ValueError, match="aware"):
        deadline_from(dt.datetime(2025, 9, 30), 1)  # naive on purpose


# --- outside the table --------------------------------------------------------------------------

def test_a_year_outside_the_table_is_plain_monday_to_friday():
    calendar = get_calendar()
    assert calendar.covers(D(2025, 5, 1)) and not calendar.covers(D(2030, 10, 1))
    assert is_working_day(D(2030, 10, 1))  # a Tuesday: no notice for 2030 yet, so no holiday
    assert add_working_days(D(2030, 9, 27), 1) == D(2030, 9, 30)
    assert working_days_between(D(2030, 1, 1), D(2030, 12, 31)) == 260


def test_agrees_with_a_day_by_day_count():
    """The bisect arithmetic against the obvious loop, on random dates around the table's years."""
    calendar = get_calendar()
    rng = random.Random(20251001)
    for _ in range(1500):
        start = D(2022, 6, 1) + dt.timedelta(days=rng.randrange(0, 2500))  # across the table's edges
        n = rng.randint(-40, 40)
        expected = start
        if n == 0:
            while not calendar.is_working_day(expected):
                expected += dt.timedelta(days=1)
        step = dt.timedelta(days=1 if n > 0 else -1)
        for _ in range(abs(n)):
            expected += step
            while not calendar.is_working_day(expected):
                expected += step
        assert calendar.add_working_days(start, n) == expected, (start, n)
        other = start + dt.timedelta(days=rng.randint(-90, 90))
        lo, hi = sorted((start, other))
        loop = sum(calendar.is_working_day(lo + dt.timedelta(days=i + 1)) for i in range((hi - lo).days))
        assert calendar.working_days_between(start, other) == (loop if other >= start else -loop)


def test_long_holidays_still_terminate():
    """An organizer may close a whole quarter: the search widens until it finds working days."""
    days = [(D(2027, 1, 1) + dt.timedelta(days=i), "holiday") for i in range(120)]
    calendar = WorkingCalendar.from_days(days)
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 5, 3)
    assert calendar.add_working_days(D(2027, 5, 3), -1) == D(2026, 12, 31)


def test_answers_need_no_queries_once_loaded(django_assert_num_queries):
    get_calendar()
    with django_assert_num_queries(0):
        for i in range(2000):
            add_working_days(D(2024, 1, 1) + dt.timedelta(days=i % 900), i % 30)


# --- edits, audit and cache invalidation -------------------------------------------------------

def test_editing_the_table_changes_answers_at_once_and_is_audited(zj_organizer):
    day = D(2025, 12, 1)  # a Monday
    assert is_working_day(day)
    assert add_working_days(D(2025, 11, 28), 1) == day
    calendar_day_set(actor=zj_organizer, date=day, kind=DayKind.HOLIDAY, name="调试假")
    assert not is_working_day(day)
    assert add_working_days(D(2025, 11, 28), 1) == D(2025, 12, 2)
    entry = AuditEntry.objects.filter(action="core.calendar_day_set").latest("seq")
    assert entry.actor_id == zj_organizer.pk and entry.after["date"] == "2025-12-01" and entry.before is None
    calendar_day_delete(actor=zj_organizer, date=day)
    assert is_working_day(day)
    assert AuditEntry.objects.filter(action="core.calendar_day_deleted", object_id="2025-12-01").exists()
    with pytest.raises(NotFound):
        calendar_day_delete(actor=zj_organizer, date=day)


def test_changing_a_make_up_day_records_before_and_after(zj_organizer):
    calendar_day_set(actor=zj_organizer, date=D(2025, 10, 11), kind=DayKind.HOLIDAY, name="国庆节")
    assert not is_working_day(D(2025, 10, 11))
    assert add_working_days(D(2025, 9, 30), 3) == D(2025, 10, 13)
    entry = AuditEntry.objects.filter(action="core.calendar_day_set").latest("seq")
    assert entry.before["kind"] == "workday" and entry.after["kind"] == "holiday"


def test_a_rolled_back_edit_does_not_stay_cached(zj_organizer):
    day = D(2025, 12, 2)
    assert is_working_day(day)
    with pytest.raises(RuntimeError), transaction.atomic():
        calendar_day_set(actor=zj_organizer, date=day, kind=DayKind.HOLIDAY, name="回滚")
        assert not is_working_day(day)  # the editing transaction sees its own change
        raise RuntimeError
    assert is_working_day(day)


def test_another_process_edit_is_seen_after_the_recheck_interval(settings):
    from django.core.cache import cache

    from qingdan.core.workdays import _GENERATION_KEY

    day = D(2025, 12, 3)
    assert is_working_day(day)
    # Another process writes the row (no signal reaches this one) and bumps the shared generation.
    CalendarDay.objects.bulk_create([CalendarDay(date=day, kind="holiday", name="外部", year=2025)])
    cache.set(_GENERATION_KEY, "another-process")
    assert is_working_day(day)  # within the recheck interval the snapshot is kept
    settings.QINGDAN_CALENDAR_RECHECK_SECONDS = 0
    assert not is_working_day(day)


def test_only_a_province_manager_may_edit(xh_organizer, xh_handler):
    for actor in (xh_organizer, xh_handler):
        with pytest.raises(PermissionDenied):
            calendar_day_set(actor=actor, date=D(2025, 12, 1), kind=DayKind.HOLIDAY, name="x")
    assert not CalendarDay.objects.filter(date=D(2025, 12, 1)).exists()


def test_bad_input_is_refused(zj_organizer):
    from qingdan.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        calendar_day_set(actor=zj_organizer, date=D(2025, 12, 1), kind=DayKind.WORKDAY, name="x")  # a Monday
    assert caught.value.code == "calendar_invalid" and "周六或周日" in caught.value.message
    with pytest.raises(ApplicationError):
        calendar_day_set(actor=zj_organizer, date=D(2025, 12, 1), kind="festival", name="x")
    with pytest.raises(ApplicationError):
        calendar_day_set(actor=zj_organizer, date=D(2025, 12, 1), kind=DayKind.HOLIDAY, name="  ")


def test_reload_shipped_restores_missing_rows_and_keeps_edits(zj_organizer):
    calendar_day_set(actor=zj_organizer, date=D(2025, 10, 11), kind=DayKind.HOLIDAY, name="改")
    CalendarDay.objects.filter(year=2024).delete()
    assert is_working_day(D(2024, 10, 1))
    added = calendar_load_shipped(actor="system")
    assert added == CalendarDay.objects.filter(year=2024).count() > 0
    assert not is_working_day(D(2024, 10, 1))
    assert CalendarDay.objects.get(date=D(2025, 10, 11)).kind == DayKind.HOLIDAY
    assert calendar_load_shipped(actor="system") == 0


def test_admin_edit_goes_through_the_service(client, zj_organizer, xh_organizer):
    client.force_login(xh_organizer)
    assert client.get("/admin/core/calendarday/").status_code == 200  # may read
    response = client.post("/admin/core/calendarday/add/", {"date": "2025-12-01", "kind": "holiday",
                                                            "name": "试", "year": "2025"})
    assert response.status_code == 403
    client.force_login(zj_organizer)
    response = client.post("/admin/core/calendarday/add/", {"date": "2025-12-01", "kind": "holiday",
                                                            "name": "试", "year": "2025"})
    assert response.status_code == 302
    assert not is_working_day(D(2025, 12, 1))
    assert AuditEntry.objects.filter(action="core.calendar_day_set", actor_id=zj_organizer.pk).exists()
