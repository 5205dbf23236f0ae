"""The calendar page: staff read it; only a province's organizers change it, through the services."""

from __future__ import annotations

import datetime as dt

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.models import CalendarDay
from qingdan.core.workdays import is_working_day

pytestmark = pytest.mark.django_db


def test_staff_read_the_year_and_count_a_deadline(client, xh_handler):
    client.force_login(xh_handler)
    body = client.get("/calendar/", {"year": 2025, "start": "2025-09-30", "n": 3}).content.decode()
    assert "国庆节、中秋节" in body and "2025-10-11" in body
    assert "2025-10-11 星期六" in body  # the answer: the make-up Saturday
    assert "248" in body  # working days in 2025: 261 weekdays - 18 weekday holidays + 5 make-up days
    assert 'action="/calendar/days/"' not in body  # no edit form for a handler


def test_a_year_outside_the_table_says_it_counts_monday_to_friday(client, xh_handler):
    client.force_login(xh_handler)
    body = client.get("/calendar/", {"year": 2031}).content.decode()
    assert "2031" in body and "261" in body


def test_province_organizer_adds_and_removes_a_day(client, zj_organizer, xh_organizer):
    client.force_login(xh_organizer)
    client.post("/calendar/days/", {"date": "2025-12-01", "kind": "holiday", "name": "试"})
    assert is_working_day(dt.date(2025, 12, 1))  # refused: a county organizer
    client.force_login(zj_organizer)
    assert 'action="/calendar/days/"' in client.get("/calendar/?year=2025").content.decode()
    response = client.post("/calendar/days/", {"date": "2025-12-01", "kind": "holiday", "name": "试"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2025"
    assert not is_working_day(dt.date(2025, 12, 1))
    client.post("/calendar/days/", {"date": "2025-12-02", "kind": "workday", "name": "错"})  # a Tuesday
    assert not CalendarDay.objects.filter(date=dt.date(2025, 12, 2)).exists()
    client.post("/calendar/days/2025-12-01/delete/")
    assert is_working_day(dt.date(2025, 12, 1))
    assert AuditEntry.objects.filter(action="core.calendar_day_deleted", actor_id=zj_organizer.pk).exists()
    assert client.post("/calendar/days/not-a-date/delete/").status_code == 302


def test_page_needs_login(client):
    assert client.get("/calendar/").status_code == 302
