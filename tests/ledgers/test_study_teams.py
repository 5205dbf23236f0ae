"""Average study days per leadership team: every team counts (no session = 0 days), 县处级以上 on
request, and the teams below the required days are named.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from qingdan.ledgers.choices import SessionKind, TeamFilter
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.selectors import leadership_teams, study_figures
from qingdan.ledgers.services import Attendee, session_record
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def studied(tree, make_staff):
    """西湖区's team studied 2.5 days, 留下街道's 1 day, a city department's 6; nobody else studied."""
    from qingdan.units.choices import UnitKind, UnitLevel
    from qingdan.units.models import Unit

    fgw = Unit.objects.add_child(Unit.objects.get(pk=tree["3301"].pk), {
        "code": "3301-FGW", "name": "杭州市发展和改革委员会", "kind": UnitKind.DEPARTMENT, "level": UnitLevel.CITY})
    day = timezone.localdate() - datetime.timedelta(days=3)
    boss = make_staff("hz_boss", Role.LEADER, tree["3301"])

    def study(unit, duration, unit_of="days"):
        member = make_staff(f"m{unit.pk}-{duration}", Role.HANDLER, unit)
        session_record(actor=boss, unit=unit, kind=SessionKind.READING_CLASS, topic="读书班", starts_on=day,
                       duration=duration, duration_unit=unit_of, attendees=[Attendee(person=member)])

    study(tree["330106"], 2)
    study(tree["330106"], 4, "hours")
    study(tree["330106009"], 1)
    study(fgw, 6)
    return {"start": day, "end": timezone.localdate(), "fgw": fgw}


def test_teams_without_a_session_count_as_zero(tree, studied):
    figures = study_figures(unit=tree["330106"], start=studied["start"], end=studied["end"])
    # 西湖区, 留下街道, 留下村, 小和山社区, 西湖区公安局: 3.5 days over 5 teams, not over the 2 that studied.
    assert (figures.teams, figures.teams_without_session) == (5, 3)
    assert figures.average_days_per_team == Decimal("0.7")


def test_county_level_and_above_keeps_regions_to_the_county_and_bodies_to_the_city(tree, studied):
    teams = {u.code for u in leadership_teams(unit=tree["3301"], teams=TeamFilter.COUNTY_UP)}
    assert teams == {"3301", "330106", "330108", "3301-FGW"}  # not the townships, villages or county bureaux
    figures = study_figures(unit=tree["3301"], start=studied["start"], end=studied["end"],
                            teams=TeamFilter.COUNTY_UP)
    # 6 (发改委) + 2.5 (西湖区) over 4 teams; 留下街道's day is not a county-level team's.
    assert (figures.teams, figures.team_days, figures.average_days_per_team) == (4, Decimal("8.5"), Decimal("2.1"))


def test_the_teams_below_the_required_days_are_named_lowest_first_in_tree_order(tree, studied):
    figures = study_figures(unit=tree["330106"], start=studied["start"], end=studied["end"],
                            required_days=Decimal("2"))
    assert figures.below_required == 4
    assert [(row.unit.code, row.days) for row in figures.teams_below] == [
        ("330106009001", 0), ("330106009002", 0), ("330106-GA", 0), ("330106009", Decimal("1"))]
    city = study_figures(unit=tree["3301"], start=studied["start"], end=studied["end"], teams=TeamFilter.COUNTY_UP,
                         required_days=Decimal("3"))
    assert [(row.unit.code, row.days) for row in city.teams_below] == [
        ("3301", 0), ("330108", 0), ("330106", Decimal("2.5"))]
    assert study_figures(unit=tree["330106"], required_days=Decimal(0)).below_required == 0


def test_the_default_requirement_comes_from_the_settings(tree, studied, settings):
    settings.QINGDAN_STUDY_REQUIRED_DAYS = Decimal("1")
    figures = study_figures(unit=tree["330106"], start=studied["start"], end=studied["end"])
    assert figures.required_days == 1 and figures.below_required == 3  # 留下街道's 1 day is enough


def test_bad_choices_are_refused_by_name(tree):
    with pytest.raises(LedgerInvalid) as error:
        study_figures(unit=tree["330106"], teams="everyone")
    assert "teams" in error.value.fields
    with pytest.raises(LedgerInvalid) as error:
        study_figures(unit=tree["330106"], required_days=Decimal("-1"))
    assert "required" in error.value.fields


def test_the_page_and_the_api_give_the_same_team_figures(client, tree, studied, zj_organizer):
    client.force_login(zj_organizer)
    query = f"unit=3301&from={studied['start']}&to={studied['end']}&teams=county_up&required=3"
    data = client.get(f"/api/v1/ledgers/figures?{query}").json()["study"]
    assert (data["team_filter"], data["teams"], data["average_days_per_team"]) == ("county_up", 4, "2.1")
    assert data["below_required"] == 3
    assert [(t["code"], t["days"]) for t in data["teams_below"]] == [("3301", "0"), ("330108", "0"),
                                                                     ("330106", "2.5")]
    page = client.get(f"/ledgers/?{query}").content.decode()
    assert 'id="fig-avg-days">2.1<' in page and 'id="fig-below">3<' in page and "滨江区" in page
    assert client.get("/api/v1/ledgers/figures?unit=3301&teams=everyone").status_code == 422
    assert client.get("/api/v1/ledgers/figures?unit=3301&required=-1").status_code == 422
    # A page given nonsense falls back to the defaults instead of failing.
    assert client.get("/ledgers/?unit=3301&teams=x&required=abc").status_code == 200
