"""Query counts of the remaining list surfaces: units, calendar, inbox, questionnaires, figures, reports, portal.

Pages: workspace:home (the roots of a scope), workspace:unit_search, workspace:unit_detail (children
and staff), calendar:page (the year's days), inbox:list, surveys:list, surveys:detail (questions),
supervision:dashboard (children's figures), supervision:leaderboard, reports:weekly (children's
rows), portal:places (the public form's place picker).
API: GET /units/, /notifications/, /surveys/, /surveys/{id}/results, /supervision/units/{code}/figures,
/supervision/units/{code}/leaderboard.
"""

from __future__ import annotations

import datetime

import pytest

from qingdan.dockets.models import Item
from qingdan.dockets.services import item_accept, item_dispatch
from qingdan.notifications.services import notify
from qingdan.people.services import role_grant, token_create
from qingdan.surveys.services import question_add, survey_create
from qingdan.units.calendar import calendar_day_set
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    _, key = token_create(actor=user, user=user, name="query-count")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _units_under(code: str, kind=UnitKind.REGION, level=UnitLevel.VILLAGE, suffix="村"):
    """A builder of units under ``code``, named after their row."""
    def grow(start, stop):
        made = []
        for index in range(start, stop):
            parent = Unit.objects.get(code=code)
            made.append(Unit.objects.add_child(parent, {"code": f"{code}{900 + index:03d}",
                                                        "name": f"{label(index)}{suffix}", "kind": kind,
                                                        "level": level}))
        return made
    return grow


def _counties(make_item, xh_handler):
    """New counties under 杭州市, each leading an item (dispatched, half accepted), so each has figures."""
    add = _units_under("3301", level=UnitLevel.COUNTY, suffix="区")

    def grow(start, stop):
        for index, county in enumerate(add(start, stop), start):
            item = item_dispatch(actor="test", item=make_item(title=f"{label(index)}事项", lead_unit=county))
            if index % 2:
                role_grant(actor="test", user=xh_handler, role=Role.HANDLER, unit=county)
                item_accept(actor=xh_handler, item=item)
    return grow


@covers("workspace:home")
def test_workspace_home_roots(client, tree, make_staff):
    person = make_staff("many_roots", Role.HANDLER, tree["330106009001"])
    add = _units_under("330108001")

    def grow(start, stop):
        for unit in add(start, stop):
            role_grant(actor="test", user=person, role=Role.HANDLER, unit=unit)

    client.force_login(person)
    assert_flat(client, "/", grow, bound=6)


@covers("workspace:unit_search")
def test_unit_search(client, tree, xh_handler):
    client.force_login(xh_handler)
    assert_flat(client, "/units/search/", _units_under("330106009"), data={"q": "号村"}, bound=6)


@covers("workspace:unit_detail")
def test_unit_detail_children_and_staff(client, tree, make_staff, zj_organizer):
    add = _units_under("330106009")

    def grow(start, stop):
        for index, unit in enumerate(add(start, stop), start):
            make_staff(f"staff{index}", Role.HANDLER if index % 2 else Role.LEADER, tree["330106009"], home=unit)

    client.force_login(zj_organizer)
    assert_flat(client, "/units/330106009/", grow, bound=9)


@covers("api GET /api/v1/units/")
def test_api_unit_list(client, tree, xh_handler):
    assert_flat(client, "/api/v1/units/", _units_under("330106009"), data={"q": "号村"},
                headers=_bearer(xh_handler), bound=4)


@covers("calendar:page")
def test_calendar_days(client, tree, zj_organizer):
    year = datetime.date.today().year

    def grow(start, stop):
        for index in range(start, stop):
            calendar_day_set(actor="test", date=datetime.date(year, 3, 1) + datetime.timedelta(days=index),
                             kind="holiday", name=f"{label(index)}节")

    client.force_login(zj_organizer)
    # 9: the navigation reads the figure scope to show 数据看板 only to those who may open it (issue 17).
    assert_flat(client, "/calendar/", grow, data={"year": str(year)}, bound=9)


def _notices(user):
    def grow(start, stop):
        for index in range(start, stop):
            notify(recipients=[user], kind="item.dispatched" if index % 2 else "item.urged",
                   title=f"{label(index)}通知", url=f"/dockets/items/{index}/", unit_path="0001")
    return grow


@covers("inbox:list")
def test_inbox(client, tree, xh_handler):
    client.force_login(xh_handler)
    assert_flat(client, "/inbox/", _notices(xh_handler), bound=8)  # +1: the navigation's figure scope (issue 17)


@covers("api GET /api/v1/notifications/")
def test_api_notifications(client, tree, xh_handler):
    assert_flat(client, "/api/v1/notifications/", _notices(xh_handler), headers=_bearer(xh_handler), bound=4)


def _surveys(tree, actor):
    places = ["330106", "330106009", "330108", "330108001", "3301"]

    def grow(start, stop):
        for index in range(start, stop):
            survey_create(actor=actor, unit=tree[places[index % len(places)]], title=f"{label(index)}问卷")
    return grow


@covers("surveys:list")
def test_survey_list(client, tree, zj_organizer):
    client.force_login(zj_organizer)
    assert_flat(client, "/surveys/", _surveys(tree, zj_organizer), bound=5)


@covers("api GET /api/v1/surveys/")
def test_api_survey_list(client, tree, zj_organizer):
    assert_flat(client, "/api/v1/surveys/", _surveys(tree, zj_organizer), headers=_bearer(zj_organizer), bound=3)


def _questions(survey, actor):
    def grow(start, stop):
        for index in range(start, stop):
            if index % 2:
                question_add(actor=actor, survey=survey, kind="single", text=f"{label(index)}问题",
                             choices=["满意", "基本满意", "不满意"], good=[0])
            else:
                question_add(actor=actor, survey=survey, kind="scale", text=f"{label(index)}问题", scale_max=5,
                             good=[4])
    return grow


@covers("surveys:detail")
def test_survey_questions(client, tree, zj_organizer):
    survey = survey_create(actor=zj_organizer, unit=tree["330106"], title="满意度调查")
    client.force_login(zj_organizer)
    assert_flat(client, f"/surveys/{survey.pk}/", _questions(survey, zj_organizer), bound=8)


@covers("api GET /api/v1/surveys/{survey_id}/results")
def test_api_survey_results(client, tree, zj_organizer):
    survey = survey_create(actor=zj_organizer, unit=tree["330106"], title="满意度调查")
    assert_flat(client, f"/api/v1/surveys/{survey.pk}/results", _questions(survey, zj_organizer),
                headers=_bearer(zj_organizer), bound=6)


@covers("supervision:dashboard")
def test_supervision_dashboard(client, make_item, xh_handler, hz_supervisor):
    client.force_login(hz_supervisor)
    assert_flat(client, "/supervision/units/3301/", _counties(make_item, xh_handler), bound=11)


@covers("supervision:leaderboard")
def test_leaderboard(client, make_item, xh_handler, hz_supervisor):
    client.force_login(hz_supervisor)
    assert_flat(client, "/supervision/units/3301/leaderboard/", _counties(make_item, xh_handler), bound=11)


@covers("api GET /api/v1/supervision/units/{code}/figures")
def test_api_figures(client, make_item, xh_handler, hz_supervisor):
    assert_flat(client, "/api/v1/supervision/units/3301/figures", _counties(make_item, xh_handler),
                headers=_bearer(hz_supervisor), bound=6)


@covers("api GET /api/v1/supervision/units/{code}/leaderboard")
def test_api_leaderboard(client, make_item, xh_handler, hz_supervisor):
    assert_flat(client, "/api/v1/supervision/units/3301/leaderboard", _counties(make_item, xh_handler),
                headers=_bearer(hz_supervisor), bound=7)


@covers("reports:weekly")
def test_weekly_report_overdue_items(client, make_item, xh_handler, hz_supervisor):
    """The report's list is of overdue items: each in a new county, half of them accepted by a handler."""
    counties = _counties(make_item, xh_handler)

    def grow(start, stop):
        counties(start, stop)
        late = datetime.date.today() - datetime.timedelta(days=5)
        Item.objects.filter(title__endswith="号事项").update(grade="red", due_on=late)

    client.force_login(hz_supervisor)
    # 11: the page's archive adds one query, the weeks with data (reports.selectors.weeks_with_data, one union).
    assert_flat(client, "/reports/weekly/3301/", grow, bound=11)


@covers("portal:places")
def test_portal_places(client, tree):
    assert_flat(client, "/submit/places/", _units_under("330106009"), data={"place_q": "号村"}, bound=3)


@covers("workspace:unit_suggest")
def test_unit_suggestions(client, tree, hz_supervisor):
    """The unit pickers' JSON: a fixed number of queries however many units match (their paths in one)."""
    parent = Unit.objects.get(code="330106009")

    def grow(start, stop):
        for index in range(start, stop):
            Unit.objects.add_child(Unit.objects.get(pk=parent.pk), {
                "code": f"330106009{800 + index}", "name": f"{label(index)}社区", "kind": UnitKind.REGION,
                "level": UnitLevel.VILLAGE})

    client.force_login(hz_supervisor)
    assert_flat(client, "/units/suggest/", grow, data={"q": "号社区"}, bound=5)


@covers("person_suggest")
def test_person_suggestions(client, tree, hz_supervisor):
    """The person pickers' JSON: a fixed number of queries however many people match (units joined)."""
    from qingdan.people.models import User

    def grow(start, stop):
        for index in range(start, stop):
            User.objects.create(username=f"pp{index:02d}", display_name=f"干部{index}",
                                home_unit=Unit.objects.get(code="330106009"))

    client.force_login(hz_supervisor)
    assert_flat(client, "/accounts/people/suggest/", grow, data={"q": "pp"}, bound=5,
                shown=lambda index: f"pp{index:02d}")
