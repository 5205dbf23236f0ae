"""On a generated data set with known answers, rates, index, grade and rank equal the hand computation."""

import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from qingdan.core.errors import PermissionDenied
from qingdan.core.periods import period_parse
from qingdan.supervision.models import GradeChange, Ranking, UnitGradeState
from qingdan.supervision.rates import composite_index
from qingdan.supervision.selectors import unit_rates
from qingdan.supervision.services import SchemeInvalid, board_compute, ranking_record, scheme_create, scheme_for
from tests.supervision.data import build_known

pytestmark = pytest.mark.django_db

OCT = period_parse("2026-10")


@pytest.fixture
def known(tree, docket):
    return build_known(tree, docket)


def test_rates_of_a_county_and_of_the_city(known):
    xh = unit_rates(unit=known["330106"], start=OCT.start, end=OCT.end)
    assert xh.percent("response_rate") == Decimal("90.00")
    assert xh.percent("resolution_rate") == Decimal("80.00")  # 4 of 5 citizens answered "solved"
    assert xh.percent("closure_rate") == Decimal("80.00")  # 8 of the 10 items listed are closed
    assert xh.percent("satisfaction_rate") == Decimal("80.00")
    assert xh.percent("on_time_rate") == Decimal("75.00")
    assert xh.percent("repeat_rate") == Decimal("12.50")
    assert (xh.get("new"), xh.get("dispatched"), xh.get("closed")) == (10, 10, 8)
    # The city adds its four counties: new 10+4+4+5, closed 8+4+4+1, on time 6+4+4+0.
    hz = unit_rates(unit=known["3301"], start=OCT.start, end=OCT.end)
    assert (hz.get("new"), hz.get("closed"), hz.get("closed_on_time")) == (23, 17, 14)
    assert hz.percent("on_time_rate") == Decimal("82.35")  # 14/17
    assert hz.percent("satisfaction_rate") == Decimal("88.89")  # (3+1+2+2)/9
    # Open now: 西湖 2 (1 accepted, 1 dispatched), 余杭 4 in October + 2 in September.
    assert hz.get("open") == 2 + 4 + 2
    # A period with nothing in it has no rates at all (not 0 %).
    empty = unit_rates(unit=known["330106"], start=datetime.date(2025, 1, 1), end=datetime.date(2025, 1, 31))
    assert empty.rate("response_rate") is None


def test_index_grade_rank_ties_and_movement(known, hz_supervisor):
    scheme = scheme_for(unit=known["3301"])
    rows = {r.unit.code: r for r in board_compute(parent=known["3301"], period=OCT, scheme=scheme)}
    assert rows["330106"].index == Decimal("81.00") and rows["330106"].grade == "yellow"
    assert rows["330108"].index == rows["330109"].index == Decimal("100.00")
    assert rows["330110"].index == Decimal("20.00") and rows["330110"].grade == "red"
    assert [rows[c].rank for c in ("330108", "330109", "330106", "330110")] == [1, 1, 3, 4]
    # No ranking of September was recorded: no movement is shown (it is never recomputed).
    assert all(r.movement is None and not r.is_new and r.compared_with is None for r in rows.values())


SEP = period_parse("2026-09")


def test_movement_is_against_the_published_ranking_not_a_recount(known, tree, docket, hz_supervisor, client):
    from qingdan.supervision.running import figures_verify
    from tests.supervision.data import build_month

    published = ranking_record(actor=hz_supervisor, parent=known["3301"], period=SEP)
    # September as published: 西湖 first (100), 余杭 second (20); 滨江 and 萧山 had nothing to rank.
    # Then September changes after the fact: 滨江's late-entered September items would tie it for first.
    build_month(docket, known, datetime.date(2026, 9, 1), {"330108": (2, 2, 2, 2, 0, 1, 0, 0)})
    figures_verify(repair=True)
    recount = {r.unit.code: r.rank for r in board_compute(parent=known["3301"], period=SEP,
                                                          scheme=scheme_for(unit=known["3301"]))}
    assert recount["330108"] == 1  # a recomputation of September would now rank 滨江 first
    scheme = scheme_for(unit=known["3301"])
    rows = {r.unit.code: r for r in board_compute(parent=known["3301"], period=OCT, scheme=scheme)}
    assert rows["330106"].compared_with == published
    assert (rows["330106"].previous_rank, rows["330106"].movement) == (1, -2)  # 1st → 3rd
    assert (rows["330110"].previous_rank, rows["330110"].movement) == (2, -2)  # 2nd → 4th
    # 滨江 and 萧山 were not ranked on the published September board: new, not "+0" or a made-up move.
    assert rows["330108"].movement is None and rows["330108"].is_new and rows["330109"].is_new
    october = ranking_record(actor=hz_supervisor, parent=known["3301"], period=OCT)
    stored = {r.unit.code: r.movement for r in october.rows.select_related("unit")}
    assert stored == {"330106": -2, "330110": -2, "330108": None, "330109": None}
    client.force_login(hz_supervisor)
    board = client.get("/api/v1/supervision/units/3301/leaderboard?period=2026-10").json()
    assert board["compared_with"]["id"] == published.pk and board["compared_with"]["period"] == "2026-09"
    api_rows = {r["code"]: r for r in board["rows"]}
    assert (api_rows["330106"]["movement"], api_rows["330106"]["previous_rank"]) == (-2, 1)
    assert api_rows["330108"]["new"] is True and api_rows["330108"]["movement"] is None
    page = client.get("/supervision/units/3301/leaderboard/?period=2026-10").content.decode()
    assert 'id="compared-with"' in page and timezone.localtime(published.created_at).strftime("%Y-%m-%d") in page
    # September recorded again (after the late items): the newest published board is the one compared with.
    again = ranking_record(actor=hz_supervisor, parent=known["3301"], period=SEP)
    rows = {r.unit.code: r for r in board_compute(parent=known["3301"], period=OCT, scheme=scheme)}
    assert rows["330108"].compared_with == again and rows["330108"].previous_rank == 1


def test_without_a_published_ranking_no_movement_is_shown(known, hz_supervisor, client):
    client.force_login(hz_supervisor)
    board = client.get("/api/v1/supervision/units/3301/leaderboard?period=2026-10").json()
    assert board["compared_with"] is None
    assert all(r["movement"] is None and r["new"] is False for r in board["rows"])
    page = client.get("/supervision/units/3301/leaderboard/?period=2026-10").content.decode()
    cells = re.findall(r'<td class="movement">(.*?)</td>', page)
    assert cells and set(cells) == {"—"}


def test_a_past_ranking_is_reproduced_with_its_weights_version(known, tree, make_staff, hz_supervisor):
    from qingdan.units.choices import Role

    organizer = make_staff("hz_org", Role.ORGANIZER, tree["3301"])
    first = scheme_create(actor=organizer, owner_unit=known["3301"], weights={"response_rate": 1,
                                                                              "on_time_rate": 1})
    ranking = ranking_record(actor=hz_supervisor, parent=known["3301"], period=OCT)
    assert ranking.scheme == first
    stored = {r.unit.code: r for r in ranking.rows.select_related("unit")}
    # (90 + 75) / 2 = 82.50 for 西湖; (40 + 0) / 2 = 20.00 for 余杭
    assert stored["330106"].index == Decimal("82.50")
    assert stored["330110"].index == Decimal("20.00")
    second = scheme_create(actor=organizer, owner_unit=known["3301"], weights={"satisfaction_rate": 1})
    assert second.version == first.version + 1
    again = {r.unit.code: r for r in board_compute(parent=known["3301"], period=OCT, scheme=ranking.scheme)}
    assert {c: r.index for c, r in again.items()} == {c: r.index for c, r in stored.items()}
    now = ranking_record(actor=hz_supervisor, parent=known["3301"], period=OCT)
    assert now.scheme == second
    assert {r.unit.code: r.index for r in now.rows.select_related("unit")}["330106"] == Decimal("80.00")


def test_grade_changes_are_recorded_and_told(known, tree, make_staff, hz_supervisor):
    from qingdan.notifications.models import Notification
    from qingdan.units.choices import Role

    organizer = make_staff("hz_org", Role.ORGANIZER, tree["3301"])
    xh_leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    scheme_create(actor=organizer, owner_unit=known["3301"], weights={"response_rate": 1}, green_at=95,
                  yellow_at=50)
    ranking_record(actor=hz_supervisor, parent=known["3301"], period=OCT)
    assert UnitGradeState.objects.get(unit=known["330106"]).grade == "yellow"  # 90
    assert not Notification.objects.filter(recipient=xh_leader).exists()  # a first grade is not a change
    scheme_create(actor=organizer, owner_unit=known["3301"], weights={"response_rate": 1}, green_at=80,
                  yellow_at=50)
    ranking_record(actor=hz_supervisor, parent=known["3301"], period=OCT)
    change = GradeChange.objects.filter(unit=known["330106"]).first()
    assert (change.from_grade, change.to_grade) == ("yellow", "green")
    assert Notification.objects.filter(recipient=xh_leader, kind="unit.grade_changed").count() == 1
    assert Ranking.objects.count() == 2


def test_schemes_are_checked_and_only_organizers_set_them(known, hz_supervisor, tree):
    with pytest.raises(PermissionDenied):
        scheme_create(actor=hz_supervisor, owner_unit=known["3301"], weights={"response_rate": 1})
    with pytest.raises(SchemeInvalid):
        scheme_create(actor="system", owner_unit=known["3301"], weights={"made_up": 1})
    with pytest.raises(SchemeInvalid):
        scheme_create(actor="system", owner_unit=known["3301"], weights={"response_rate": 1}, green_at=50,
                      yellow_at=60)
    with pytest.raises(SchemeInvalid):
        scheme_create(actor="system", owner_unit=known["3301"], weights={"response_rate": 0})


def test_a_county_supervisor_may_not_rank_the_city(known, xh_supervisor):
    with pytest.raises(PermissionDenied):
        ranking_record(actor=xh_supervisor, parent=known["3301"], period=OCT)


def test_index_leaves_out_what_cannot_be_measured():
    from qingdan.supervision.rates import Rates

    rates = Rates(counters={"dispatched": 4, "responded": 3})
    assert composite_index(rates, {"response_rate": 1, "satisfaction_rate": 5}) == Decimal("75.00")
    assert composite_index(Rates(), {"response_rate": 1}) is None


def test_the_set_based_rebuild_equals_the_recount(known, make_item, hz_operator):
    from django.db import connection

    from qingdan.dockets.services import item_dispatch
    from qingdan.supervision.running import figures_rebuild_sql, figures_verify

    item_dispatch(actor=hz_operator, item=make_item(category="交通出行"))
    if connection.vendor != "postgresql":
        with pytest.raises(RuntimeError):
            figures_rebuild_sql()
        return
    assert figures_rebuild_sql() > 0
    assert figures_verify().ok
