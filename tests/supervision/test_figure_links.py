"""Figures you can click: each number links to the items it counts, the 本级 row, 未分类, folded empty units.

The test of a link is the reader's: follow it and count the rows the items queue lists.
"""

import datetime
import re
from html import unescape

import pytest
from django.test import Client

from qingdan.core.periods import period_containing
from qingdan.dockets.services import item_dispatch, items_grade

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed_rows(client: Client, url: str) -> int:
    """How many items the queue page at ``url`` lists (its table's rows; none when nothing matches)."""
    html = client.get(url).content.decode()
    if 'class="striped items cards"' not in html:
        return 0
    body = html.split('class="striped items cards"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


def link(html: str, element_id: str) -> str:
    """The href inside the element with ``element_id`` (a KPI card)."""
    match = re.search(rf'id="{element_id}".*?href="([^"]+)"', html, re.S)
    assert match, element_id
    return unescape(match.group(1))


@pytest.fixture
def world(make_item, tree, hz_operator):
    """Items in 西湖区's subtree: led by the county, the township itself and a village; one late; a sub-item."""
    soon = datetime.date.today() + datetime.timedelta(days=2)
    county = make_item(title="西湖区老旧小区加装电梯", deadline=soon, category="城建")
    item_dispatch(actor=hz_operator, item=county)
    make_item(title="西湖区公交站台", category="")
    township_late = make_item(title="留下街道菜场改造", lead_unit=tree["330106009"], deadline=soon)
    item_dispatch(actor=hz_operator, item=township_late)
    make_item(title="留下街道停车难", lead_unit=tree["330106009"])
    make_item(title="留下村路灯", lead_unit=tree["330106009001"])
    make_item(title="电梯井道施工", parent=county)  # a sub-item: counted apart, never in the list's figures
    make_item(title="滨江区河道保洁", lead_unit=tree["330108"], deadline=soon)
    items_grade(on=datetime.date.today() + datetime.timedelta(days=30))
    return tree


@pytest.mark.parametrize("code", ["330106", "330106009"])
def test_the_number_on_a_card_is_the_number_of_items_its_link_lists(world, hz_supervisor, code):
    client = login(hz_supervisor)
    page = client.get(f"/supervision/units/{code}/")
    html = page.content.decode()
    figures = page.context["figures"]
    assert figures["overdue"] >= 1 and figures["open"] >= 2
    for name in ("open", "overdue", "new"):
        url = link(html, f"kpi-{name}")
        assert url.startswith("/dockets/?") and f"unit={code}" in url
        assert listed_rows(client, url) == figures[name], (code, name)


def test_the_links_keep_to_the_subtree_and_the_lists_own_items(world, hz_supervisor):
    client = login(hz_supervisor)
    html = client.get("/supervision/units/330106/").content.decode()
    # The queue unfiltered by level would list the sub-item too: 6 items lead in 西湖区's subtree.
    assert listed_rows(client, "/dockets/?view=all&unit=330106&status=open") == 6
    assert listed_rows(client, link(html, "kpi-open")) == 5
    # 滨江区's late item is not 西湖区's.
    assert listed_rows(client, link(html, "kpi-overdue")) == 2
    # The queue says which of the figure's filters it applies (they are hidden fields, kept on re-filtering).
    queue = client.get(link(html, "kpi-overdue")).content.decode()
    assert re.search("当前逾期|overdue now", queue.split('id="figure-filter"', 1)[1].split("</p>", 1)[0])
    assert '<input type="hidden" name="overdue" value="1">' in queue and 'name="level" value="top"' in queue
    assert 'id="figure-filter"' not in client.get("/dockets/?view=all").content.decode()


def test_the_rows_add_up_to_the_total_with_a_row_for_the_units_own_items(world, hz_supervisor):
    client = login(hz_supervisor)
    page = client.get("/supervision/units/330106009/")
    total = page.context["figures"]
    rows = [data for _unit, data, _links in page.context["children"]] + [page.context["own"]]
    rows += [data for _unit, data, _links in page.context["folded"]]
    for name in ("new", "open", "overdue", "dispatched"):
        assert sum(row[name] for row in rows) == total[name], name
    assert page.context["own"]["new"] == 2 and total["new"] == 3
    html = page.content.decode()
    own_row = html.split('id="own"', 1)[1].split("</tr>", 1)[0]
    assert re.search("本级|This level", own_row)
    # The 本级 row's open figure lists the township's own items, not its villages'.
    own_open = unescape(re.search(r'href="([^"]*own=1[^"]*status=open[^"]*)"', own_row).group(1))
    assert listed_rows(client, own_open) == 2


def test_uncategorised_items_and_units_with_nothing(world, hz_supervisor):
    client = login(hz_supervisor)
    page = client.get("/supervision/units/330106009/")
    html = page.content.decode()
    categories = dict(page.context["categories"])
    assert categories.get("未分类", categories.get("Uncategorised")) == 3
    assert "-" not in categories and "" not in categories and "None" not in categories
    # 小和山社区 has nothing: folded behind 「显示全部」 (a <details>, no script); 留下村 has an item: shown.
    assert [unit.code for unit, _data, _links in page.context["folded"]] == ["330106009002"]
    main, folded = html.split('id="folded"', 1)
    assert "留下村" in main.split('id="children"', 1)[1] and "小和山社区" not in main.split('id="children"', 1)[1]
    assert "小和山社区" in folded and re.search("显示全部|Show all", folded)
    assert "<details" in html.split('id="folded"')[0][-20:]


def test_no_fold_when_every_unit_has_figures(world, hz_supervisor):
    html = login(hz_supervisor).get("/supervision/units/3301/").content.decode()
    assert "西湖区" in html.split('id="children"', 1)[1].split("</table>", 1)[0]


def test_leaderboard_names_and_overdue_link_to_their_items(world, hz_supervisor):
    client = login(hz_supervisor)
    period = period_containing("quarter", datetime.date.today()).key
    page = client.get(f"/supervision/units/3301/leaderboard/?period={period}")
    html = page.content.decode()
    rows = {r.unit.code: r for r in page.context["rows"]}
    name_link = unescape(re.search(r'class="unit-items" href="([^"]*unit=330106&[^"]*)"', html).group(1))
    assert listed_rows(client, name_link) == 5  # 西湖区's top-level items
    overdue = unescape(re.search(r'class="overdue-items" href="([^"]*unit=330106&[^"]*)"', html).group(1))
    assert listed_rows(client, overdue) == rows["330106"].rates.overdue == 2
    # 滨江区's late item was never dispatched, so it is not graded: 0, and no link to an empty list.
    assert rows["330108"].rates.overdue == 0
    assert not re.search(r'class="overdue-items" href="[^"]*unit=330108&', html)


def test_a_unit_code_outside_the_queue_readers_scope_shows_none_of_its_items(world, xh_supervisor):
    html = login(xh_supervisor).get("/dockets/?view=all&unit=330108&level=top").content.decode()
    assert "滨江区河道保洁" not in html
    assert re.search("不在您的范围|not in your scope", html)
