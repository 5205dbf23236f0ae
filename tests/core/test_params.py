"""Dates, periods and numbers typed into an address: a 400 that says how to write them, never a crash."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from qingdan.core.params import ParameterInvalid, date_parse, query_date, query_int, query_year
from qingdan.core.periods import period_parse


@pytest.mark.parametrize("text", ["2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "20260101",
                                  "2026-W01", "２０２６-０１-０１", "2026-01-01x", "-1"])
def test_a_date_that_does_not_exist_or_is_out_of_range_is_refused_by_name(text):
    with pytest.raises(ParameterInvalid) as caught:
        date_parse(text, name="from")
    assert caught.value.http_status == 400 and caught.value.message.startswith("from")


def test_dates_and_numbers_read_as_written_and_default_when_missing():
    assert date_parse(" 2026-02-28 ", name="from") == datetime.date(2026, 2, 28)
    assert query_date({}, "from", default=datetime.date(2026, 1, 1)) == datetime.date(2026, 1, 1)
    assert query_date({"from": ""}, "from") is None
    assert query_int({"page": "3"}, "page", minimum=1) == 3
    assert query_year({}, "year", default=2026) == 2026


@pytest.mark.parametrize("text", ["9999999999999999999", "1.5", "abc", "0", "1e3"])
def test_a_number_out_of_range_or_not_whole_is_refused(text):
    with pytest.raises(ParameterInvalid):
        query_int({"page": text}, "page", minimum=1, maximum=10_000)


@pytest.mark.parametrize("text", ["0000", "0001-01", "0001-W01", "9999-Q4", "2026-W99", "2026-13", "1899"])
def test_a_period_outside_the_calendar_is_refused_with_its_code(text):
    with pytest.raises(ParameterInvalid) as caught:
        period_parse(text)
    assert caught.value.code == "period_invalid"


@pytest.fixture
def root_client(tree):
    from qingdan.people.models import User

    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("root", password="a-long-root-password-9"))
    return client


@pytest.mark.parametrize("url", [
    "/ledgers/?from=2026-02-30", "/ledgers/coverage/?to=0000-01-01", "/ledgers/export/visits.xlsx?from=2026-02-30",
    "/supervision/units/330106/?period=0000", "/supervision/units/330106/export/?period=0001-01",
    "/supervision/units/330106/leaderboard/?period=0000", "/reports/weekly/330106/?week=0001-01",
    "/reports/weekly/330106/?week=0000", "/calendar/?year=abc", "/calendar/?year=99999",
])
def test_pages_answer_a_malformed_date_or_period_with_a_400_in_chinese(root_client, url):
    response = root_client.get(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "请求未能处理" in html
    said = ("日期请写成", "年份须在", "时段写作", "没有这个时段", "请填写整数", "数值须在")
    assert any(words in html for words in said)


def test_a_period_the_page_cannot_read_is_no_longer_silently_replaced(root_client):
    """Before, ?period=garbage showed this month's figures as if they were the ones asked for."""
    assert root_client.get("/supervision/units/330106/?period=garbage").status_code == 400
    assert root_client.get("/supervision/units/330106/?period=2026-10").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/supervision/units/330106/figures?period=0000",
                                 "/api/v1/supervision/units/330106/leaderboard?period=0001-01",
                                 "/api/v1/supervision/units/330106/figures?period=2026-W99"])
def test_the_supervision_api_answers_400_with_the_period_code(root_client, url):
    response = root_client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "period_invalid" and ("时段" in body["detail"] or "年份须在" in body["detail"])


def test_a_nul_in_the_address_is_refused_before_any_view_reads_it(root_client):
    """PostgreSQL cannot compare a string holding NUL: a search for one crashed the page there."""
    page = root_client.get("/units/search/", {"q": "西湖\x00"})
    assert page.status_code == 400 and "NUL" in page.content.decode()
    api = root_client.get("/api/v1/units/", {"q": "\x00"})
    assert api.status_code == 400 and api.json()["code"] == "parameter_invalid"


def test_a_far_date_in_the_deadline_check_is_a_form_error_not_a_crash(root_client):
    response = root_client.get("/calendar/", {"start": "9999-12-31", "n": "366"})
    assert response.status_code == 200 and "年份须在" in response.content.decode()


def test_a_docket_number_too_big_for_the_database_is_ignored_like_other_bad_filters(root_client):
    assert root_client.get("/dockets/", {"docket": "9999999999999999999"}).status_code == 200


def test_open311_refuses_a_date_before_the_calendar(tree):
    response = Client(raise_request_exception=False).get("/open311/v2/requests.json", {"start_date": "0001-01-01"})
    assert response.status_code == 400 and "start_date" in response.content.decode()


def test_an_impossible_milestone_date_is_a_message_and_nothing_is_saved(tree, xh_organizer):
    from qingdan.dockets.choices import DocketKind
    from qingdan.dockets.models import Milestone
    from qingdan.dockets.services import docket_create, item_create

    projects = docket_create(actor=xh_organizer, name="西湖区民生实事", owner_unit=tree["330106"],
                             kind=DocketKind.PROJECT, source="public")
    item = item_create(actor=xh_organizer, docket=projects, title="老旧小区改造", lead_unit=tree["330106"])
    client = Client(raise_request_exception=False)
    client.force_login(xh_organizer)
    response = client.post(f"/ledgers/projects/{item.pk}/milestones/", {"title": "开工", "due_on": "2026-02-30",
                                                                       "version": item.version}, follow=True)
    assert response.status_code == 200
    assert "计划日期：日期请写成 2026-01-31" in response.content.decode()
    assert not Milestone.objects.filter(item=item).exists()
