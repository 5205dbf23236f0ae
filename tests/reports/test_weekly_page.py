"""The weekly report page: a week picker and an archive, the last week with data, a way back, refusals in words."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from qingdan.core.periods import period_containing
from qingdan.dockets.models import Item
from qingdan.reports.selectors import week_to_open, weeks_with_data
from qingdan.reports.services import last_full_week
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def weeks_ago(n: int):
    return period_containing("week", timezone.localdate() - datetime.timedelta(weeks=n))


@pytest.fixture
def past(make_item, tree):
    """Items listed three and five weeks ago (in 西湖区 and 留下街道), none since: last week was quiet."""
    for weeks, unit, title in ((3, "330106", "西湖区老旧小区加装电梯"), (5, "330106009", "留下街道菜场改造")):
        item = make_item(title=title, lead_unit=tree[unit])
        moment = timezone.now() - datetime.timedelta(weeks=weeks)
        Item.objects.filter(pk=item.pk).update(created_at=moment)
    return tree


def test_the_page_opens_on_the_last_week_with_data_with_a_picker_and_an_archive(past, hz_supervisor):
    page = login(hz_supervisor).get("/reports/weekly/330106/")
    assert page.status_code == 200
    assert page.context["week"] == weeks_ago(3) != last_full_week()
    assert [w.key for w in page.context["weeks"]] == [weeks_ago(3).key, weeks_ago(5).key]  # newest first
    html = page.content.decode()
    archive = html.split('id="archive"', 1)[1]
    assert f'href="?week={weeks_ago(5).key}"' in archive  # each past week a link (the shown one in bold)
    assert f'<option value="{weeks_ago(5).key}"' in html.split('id="week-form"', 1)[1]
    assert f'href="?week={weeks_ago(4).key}"' in html  # the week before
    assert 'href="/supervision/units/330106/"' in html  # the way back to the dashboard
    assert 'href="/dockets/"' in html  # the site's navigation
    for fmt in ("pdf", "xlsx", "html"):
        assert f'?week={weeks_ago(3).key}&amp;format={fmt}' in html


def test_a_chosen_week_and_the_week_after(past, hz_supervisor):
    page = login(hz_supervisor).get(f"/reports/weekly/330106/?week={weeks_ago(5).key}")
    assert page.context["week"] == weeks_ago(5) and page.context["next"] == weeks_ago(4)
    assert login(hz_supervisor).get("/reports/weekly/330106/?week=" + period_containing(
        "week", timezone.localdate()).key).context["next"] is None  # no report of a week not begun


def test_the_archive_keeps_to_the_subtree_and_an_empty_unit_opens_on_last_week(past, tree, hz_supervisor):
    assert [w.key for w in weeks_with_data(unit=tree["330106009"])] == [weeks_ago(5).key]
    assert weeks_with_data(unit=tree["330108"]) == []
    page = login(hz_supervisor).get("/reports/weekly/330108/")
    assert page.status_code == 200 and page.context["week"] == last_full_week()
    assert re.search("还没有|No week has data", page.content.decode())


def test_week_to_open_prefers_the_last_full_week_then_the_newest_with_data():
    last = weeks_ago(1)
    assert week_to_open([weeks_ago(0), weeks_ago(1), weeks_ago(4)], last) == last
    assert week_to_open([weeks_ago(0), weeks_ago(4)], last) == weeks_ago(4)
    assert week_to_open([weeks_ago(0)], last) == weeks_ago(0)  # only this week has anything
    assert week_to_open([], last) == last


def test_downloads_without_a_week_take_the_last_week_with_data(past, hz_supervisor):
    response = login(hz_supervisor).get("/reports/weekly/330106/?format=xlsx")
    assert weeks_ago(3).key in response["Content-Disposition"]


@pytest.mark.parametrize("week", ["2026-W99", "abc", "0000-W01"])
def test_a_bad_week_is_a_400_in_words_with_the_navigation(past, hz_supervisor, week):
    response = login(hz_supervisor).get(f"/reports/weekly/330106/?week={week}")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search("week|周", html) and 'href="/dockets/"' in html


def test_a_handler_is_told_the_report_is_not_for_their_role(past, tree, make_staff):
    handler = make_staff("lx_handler", Role.HANDLER, tree["330106009"])
    response = login(handler).get("/reports/weekly/330106009/")
    assert response.status_code == 403
    html = response.content.decode()
    assert re.search("留下街道.*(督查|supervisors)", html, re.S)
    assert 'href="/dockets/"' in html  # the navigation, and the way to their items
    # A unit where they hold no role stays unnamed: not found.
    outside = login(handler).get("/reports/weekly/330108/")
    assert outside.status_code == 404 and "滨江区" not in outside.content.decode()


def test_a_leader_of_the_township_reads_it(past, tree, make_staff):
    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    page = login(leader).get("/reports/weekly/330106009/")
    assert page.status_code == 200 and page.context["week"] == weeks_ago(5)
