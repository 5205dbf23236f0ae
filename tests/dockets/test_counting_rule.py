"""One counting rule for a list's counters: top-level items, sub-items apart — on every surface.

A list of livelihood projects with four top-level projects (one closed, one with a stage result,
two open) and two sub-items under the first (one closed). Whoever reads it — the list page, the
lists page, the public pages, the API, the supervision figures, the ledger dashboard, the
weekly report — reads "4 listed, 1 closed, 1 with stage results", and the two sub-items apart.
"""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from qingdan.dockets.choices import DocketKind
from qingdan.dockets.services import (
    docket_create,
    docket_publish,
    item_accept,
    item_close,
    item_create,
    item_dispatch,
    item_request_closure,
    item_stage_result,
    item_update,
)

pytestmark = pytest.mark.django_db

TOP = {"listed": 4, "closed": 1, "stage_results": 1, "open": 3, "overdue": 0}
SUB = {"listed": 2, "closed": 1, "stage_results": 0, "open": 1, "overdue": 0}


@pytest.fixture
def projects(tree, hz_supervisor, hz_operator, xh_handler, png):
    """The list described above, worked through the real loop (so the running figures follow)."""
    docket = docket_create(actor=hz_supervisor, name="杭州市民生实事", owner_unit=tree["3301"],
                           kind=DocketKind.PROJECT, source="public")
    docket_publish(actor=hz_supervisor, docket=docket, published=True)

    def add(title, parent=None):
        return item_create(actor=hz_operator, docket=docket, title=title, lead_unit=tree["330106"],
                           commitment="年底前完成", parent=parent, published=True)

    def close(item):
        item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=item))
        item = item_request_closure(actor=xh_handler, item=item, reply="已完成", files=[("a.png", png)])
        return item_close(actor=hz_supervisor, item=item)

    parent = add("老旧小区改造")
    close(add("一期", parent))
    add("二期", parent)
    close(add("学校食堂"))
    staged = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=add("农贸市场")))
    item_stage_result(actor=xh_handler, item=staged, text="一期完工")
    add("口袋公园")
    return docket


def _numbers(html: str, marker: str) -> list[int]:
    match = re.search(rf'{marker}[^>]*>(.*?)</(?:p|li)>', html, re.S)
    assert match, marker
    return [int(n) for n in re.findall(r"\d+", re.sub(r"<[^>]+>", " ", match.group(1)))]


def test_the_selector_counts_top_level_items_and_sub_items_apart(projects):
    from qingdan.dockets.models import Item
    from qingdan.dockets.selectors import docket_counts

    counts = docket_counts(Item.objects.filter(docket=projects))
    assert counts.as_dict() == {**TOP, "sub_items": SUB}


def test_pages_and_public_pages_show_the_same_numbers(client, projects, hz_supervisor):
    client.force_login(hz_supervisor)
    page = client.get(f"/dockets/lists/{projects.pk}/").content.decode()
    # listed, closed, stage results, overdue; then the sub-items: listed, closed, stage results.
    assert _numbers(page, 'id="counters"') == [4, 1, 1, 0, 2, 1, 0]
    lists = client.get("/dockets/lists/").content.decode()
    # The cells carry data-label (their column's name, for the phone's cards).
    row = re.search(rf'<tr><td[^>]*><a href="/dockets/lists/{projects.pk}/">.*?</tr>', lists, re.S).group(0)
    assert re.findall(r"<td[^>]*>(\d+)</td>", row) == ["4", "1", "1", "0", "2"]
    client.logout()
    public = client.get(f"/public/lists/{projects.pk}/").content.decode()
    assert _numbers(public, 'id="counters"') == [4, 1, 1, 2, 1, 0]
    index = client.get("/public/").content.decode()
    entry = re.search(rf'<li><a href="/public/lists/{projects.pk}/">.*?</li>', index, re.S).group(0)
    assert [int(n) for n in re.findall(r"\d+", re.sub(r"<[^>]+>|/public/lists/\d+/", " ", entry))] == [
        4, 1, 1, 2, 1, 0]


def test_the_api_and_the_public_api_give_the_same_numbers(client, projects, hz_supervisor):
    public = client.get("/api/v1/public/dockets").json()
    assert public[0]["counts"] == {**TOP, "sub_items": SUB}
    client.force_login(hz_supervisor)
    staff = next(d for d in client.get("/api/v1/dockets/").json() if d["id"] == projects.pk)
    assert staff["counts"] == public[0]["counts"]


def test_supervision_figures_count_the_same_items(client, projects, hz_supervisor):
    from qingdan.supervision.running import figures_verify

    client.force_login(hz_supervisor)
    month = timezone.localdate().strftime("%Y-%m")
    figures = client.get(f"/api/v1/supervision/units/3301/figures?period={month}").json()
    mine = figures["unit"]["figures"]
    assert (mine["new"], mine["closed"], mine["open"], mine["stage_results"]) == (4, 1, 3, 1)
    assert (mine["sub_new"], mine["sub_closed"], mine["sub_open"], mine["sub_stage_results"]) == (2, 1, 1, 0)
    assert figures["by_status"].get("stage_result") == 1 and figures["by_kind"] == {"project": 4}
    assert figures_verify().ok  # the running figures equal a recount under the same rule
    page = client.get(f"/supervision/units/3301/?period={month}").content.decode()
    assert re.search(r'id="sub-items".*?<strong>2 / 1 / 1</strong>', page, re.S)


def test_the_ledger_dashboard_counts_the_same_projects(client, projects, hz_supervisor, tree):
    from qingdan.dockets.projects import project_counts

    counts = project_counts(user=hz_supervisor, unit=tree["3301"])
    assert (counts.determined, counts.completed) == (TOP["listed"], TOP["closed"])
    assert counts.sub_items.as_dict() == SUB
    client.force_login(hz_supervisor)
    page = client.get("/ledgers/?unit=3301").content.decode()
    block = re.search(r'id="project-figures">(.*?)</dl>', page, re.S).group(1)
    assert re.findall(r"<dd>(\d+)</dd>", block)[:2] == ["4", "1"]
    assert re.search(r'id="fig-sub-projects">2 / 1<', block)


def test_the_weekly_report_of_the_list_counts_top_level_items(projects, tree):
    from qingdan.core.periods import period_containing
    from qingdan.reports.weekly import weekly_build

    report = weekly_build(unit=tree["3301"], week=period_containing("week", timezone.localdate()), docket=projects)
    lines = {line.name: line.this_week for line in report.lines}
    assert (lines["new"], lines["closed"], lines["stage_results"]) == (4, 1, 1)
    assert report.open_now == 3


def test_turning_an_item_into_a_sub_item_moves_it_between_the_counts(projects, hz_operator, tree):
    from qingdan.dockets.models import Item
    from qingdan.supervision.running import figures_verify
    from qingdan.supervision.selectors import unit_rates

    park = Item.objects.get(docket=projects, title="口袋公园")
    parent = Item.objects.get(docket=projects, title="老旧小区改造")
    item_update(actor=hz_operator, item=park, changes={"parent": parent}, version=park.version)
    today = timezone.localdate()
    rates = unit_rates(unit=tree["3301"], start=today, end=today)
    assert (rates.get("new"), rates.get("sub:new"), rates.get("open"), rates.get("sub:open")) == (3, 3, 2, 2)
    assert figures_verify().ok


def test_figures_counted_on_request_and_rebuilt_in_sql_follow_the_rule(projects, tree, settings):
    """Below the kept depth figures are counted on request (SQL on PostgreSQL); the rebuild likewise."""
    from django.db import connection

    from qingdan.supervision.running import figures_rebuild_sql, figures_verify
    from qingdan.supervision.selectors import unit_rates

    settings.QINGDAN_FIGURES_DEPTH = 2  # the county 西湖区 is counted from its items
    today = timezone.localdate()
    rates = unit_rates(unit=tree["330106"], start=today, end=today)
    assert (rates.get("new"), rates.get("closed"), rates.get("sub:new"), rates.get("sub:closed")) == (4, 1, 2, 1)
    if connection.vendor == "postgresql":
        figures_rebuild_sql()
        assert figures_verify().ok


def test_an_imported_list_is_counted_by_the_same_rule(tree, zj_organizer):
    """Three problems, one split into two sub-items, imported from a file: 3 listed, 2 sub-items apart."""
    from qingdan.dockets.importers import items_import
    from qingdan.dockets.models import Item
    from qingdan.dockets.selectors import docket_counts
    from qingdan.supervision.selectors import unit_rates
    from tests.files import xlsx_bytes

    docket = docket_create(actor=zj_organizer, name="省级问题清单", owner_unit=tree["33"], source="inspection")
    rows = [["序号", "问题", "牵头单位", "上级事项"], [1, "河道污染", "330106", ""], [2, "上游截污", "330106", 1],
            [3, "下游清淤", "330106", 1], [4, "路灯不亮", "330108", ""], [5, "学校周边交通", "330106", ""]]
    items_import(actor=zj_organizer, docket=docket, name="list.xlsx", data=xlsx_bytes(*rows))
    counts = docket_counts(Item.objects.filter(docket=docket))
    assert (counts.listed, counts.open, counts.sub_items.listed) == (3, 3, 2)
    today = timezone.localdate()
    rates = unit_rates(unit=tree["33"], start=today, end=today)
    assert (rates.get("new"), rates.get("sub:new")) == (3, 2)
