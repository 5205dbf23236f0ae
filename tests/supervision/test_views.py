"""Dashboards, drill-down, exports and leaderboards; a county supervisor never sees its neighbour."""

import csv
import io

import pytest
from django.test import Client

from tests.supervision.data import build_known

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def known(tree, docket):
    return build_known(tree, docket)


def test_city_dashboard_shows_rates_sentence_and_children(known, hz_supervisor):
    client = login(hz_supervisor)
    response = client.get("/supervision/")
    assert response.status_code == 302 and response["Location"].endswith("/supervision/units/3301/")
    page = client.get("/supervision/units/3301/?period=2026-10")
    assert page.status_code == 200
    html = page.content.decode()
    assert "82.35%" in html  # on-time closure 14/17
    assert "/supervision/units/330106/?period=2026-10" in html  # drill-down to 西湖区
    assert "vendor/echarts/echarts.min.js" in html
    assert page.context["figures"]["closed"] == 17
    assert page.context["sources"] == [("群众意见", 23)] and page.context["kinds"] == [("问题清单", 23)]


def test_exports_carry_every_figure(known, hz_supervisor):
    client = login(hz_supervisor)
    response = client.get("/supervision/units/3301/export/?period=2026-10&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:3] == ["3301", "杭州市", "2026-10"]
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["330106"][3] == "10"  # new items of 西湖区
    from openpyxl import load_workbook

    xlsx = client.get("/supervision/units/3301/export/?period=2026-10&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.active.max_row == len(rows)


def test_leaderboard_page_print_and_record(known, hz_supervisor):
    client = login(hz_supervisor)
    page = client.get("/supervision/units/3301/leaderboard/?period=2026-10")
    assert page.status_code == 200
    ranks = [(r.unit.code, r.rank) for r in page.context["rows"]]
    assert ranks == [("330108", 1), ("330109", 1), ("330106", 3), ("330110", 4)]
    assert "×" in page.context["formula"]
    assert client.get("/supervision/units/3301/leaderboard/?period=2026-10&print=1").status_code == 200
    response = client.post("/supervision/units/3301/leaderboard/record/?period=2026-10")
    assert response.status_code == 302
    from qingdan.supervision.models import Ranking

    assert Ranking.objects.get().rows.count() == 4


def test_county_supervisor_sees_its_townships_never_the_neighbour(known, xh_supervisor):
    client = login(xh_supervisor)
    assert client.get("/supervision/units/330106/leaderboard/?period=2026-10").status_code == 200
    assert client.get("/supervision/units/330106/").status_code == 200
    for url in ("/supervision/units/330108/", "/supervision/units/330108/leaderboard/",
                "/supervision/units/3301/", "/supervision/units/3301/leaderboard/",
                "/supervision/units/330108/export/?format=csv", "/reports/weekly/330108/?format=html"):
        assert client.get(url).status_code == 404, url
    html = client.get("/supervision/units/330106/?period=2026-10").content.decode()
    assert "滨江区" not in html
    # The ancestors are named in the trail but not linked.
    assert 'href="/supervision/units/3301/' not in html


def test_people_without_a_figure_role_see_nothing(known, make_staff, tree):
    from qingdan.units.choices import Role

    handler = make_staff("xh_h", Role.HANDLER, tree["330106"])
    client = login(handler)
    assert client.get("/supervision/units/330106/").status_code == 404
    assert client.get("/supervision/").status_code == 404
    assert Client().get("/supervision/units/330106/").status_code == 302  # to the login page


def test_weekly_report_downloads(known, hz_supervisor):
    client = login(hz_supervisor)
    pdf = client.get("/reports/weekly/3301/?week=2026-W41&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]
    html = client.get("/reports/weekly/3301/?week=2026-W41").content.decode()
    assert "杭州市" in html
