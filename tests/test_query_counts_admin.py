"""Query counts of the admin changelists of the main models, read by the province's organizer.

Django's changelist follows the non-null foreign keys of ``list_display`` by itself; a nullable one
(a user's home unit, a visit's visitor, a key's creator) is a query per row unless the admin names
it in ``list_select_related``. Each test spreads its rows over those foreign keys.

Changelists: units.unit, people.user, people.roleassignment, people.apitoken, audit.auditentry,
core.calendarday, intake.submission, dockets.campaign, dockets.docket, dockets.item,
ledgers.studysession, ledgers.liaison, ledgers.visit, ledgers.researchtopic, surveys.survey,
open311.open311key, notifications.webhookendpoint, notifications.webhookdelivery.
"""

from __future__ import annotations

import datetime

import pytest

from qingdan.audit.services import audit_record
from qingdan.dockets.services import campaign_create, docket_create
from qingdan.intake.services import submission_create
from qingdan.ledgers.services import liaison_assign, session_record, topic_create, visit_record
from qingdan.notifications.services import notify, webhook_endpoint_create
from qingdan.open311.services import key_create
from qingdan.people.models import User
from qingdan.people.services import role_grant, token_create
from qingdan.surveys.services import survey_create
from qingdan.units.calendar import calendar_day_set
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db

PLACES = ["330106009001", "330106009002", "330106009", "330108001", "330106", "330108", "330106-GA", "330108-GA"]


def _place(tree, index: int) -> Unit:
    return tree[PLACES[index % len(PLACES)]]


def _person(tree, index: int, *, role: str = "") -> User:
    user = User(username=f"person{index:02d}", display_name=f"{label(index)}同志", home_unit=_place(tree, index))
    user.set_unusable_password()
    user.save()
    if role:
        role_grant(actor="test", user=user, role=role, unit=_place(tree, index))
    return user


def _today() -> datetime.date:
    return datetime.date.today()


@pytest.fixture
def admin_client(client, zj_organizer):
    client.force_login(zj_organizer)
    return client


def _check(admin_client, model: str, grow, **kwargs) -> None:
    assert_flat(admin_client, f"/admin/{model.replace('.', '/')}/", grow, **kwargs)


@covers("admin units.unit")
def test_units(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            parent = Unit.objects.get(pk=_place(tree, index).pk)
            Unit.objects.add_child(parent, {"code": f"{parent.code}{900 + index:03d}", "name": f"{label(index)}单位",
                                            "kind": UnitKind.REGION, "level": UnitLevel.VILLAGE})
    _check(admin_client, "units.unit", grow, bound=8)


@covers("admin people.user")
def test_users(admin_client, tree):
    """The home unit is a nullable foreign key, which the changelist joins only when told to."""
    _check(admin_client, "people.user", lambda start, stop: [_person(tree, i) for i in range(start, stop)], bound=9)


@covers("admin people.roleassignment")
def test_role_assignments(admin_client, tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            role_grant(actor=zj_organizer if index % 2 else "test", user=_person(tree, index),
                       role=Role.HANDLER, unit=_place(tree, index))
    _check(admin_client, "people.roleassignment", grow, bound=9)


@covers("admin people.apitoken")
def test_api_tokens(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            person = _person(tree, index, role=Role.HANDLER)
            token_create(actor="test", user=person, name=f"{label(index)}令牌")
    _check(admin_client, "people.apitoken", grow, bound=9)


@covers("admin audit.auditentry")
def test_audit_entries(admin_client, tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            audit_record(actor=zj_organizer, action=f"test.{label(index)}", obj=_place(tree, index))
    _check(admin_client, "audit.auditentry", grow, bound=9)


@covers("admin core.calendarday")
def test_calendar_days(admin_client):
    def grow(start, stop):
        for index in range(start, stop):
            calendar_day_set(actor="test", date=datetime.date(_today().year, 5, 1) + datetime.timedelta(days=index),
                             kind="holiday", name=f"{label(index)}节")
    _check(admin_client, "core.calendarday", grow, bound=12)


@covers("admin intake.submission")
def test_submissions(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            submission_create(actor=None, channel="web", kind="complaint", subject=f"{label(index)}诉求",
                              text="小区门口的饭店油烟和噪音严重影响居民休息。", unit=_place(tree, index),
                              name="张三", phone="13812345678")
    _check(admin_client, "intake.submission", grow, bound=10)


@covers("admin dockets.campaign")
def test_campaigns(admin_client, tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            campaign_create(actor=zj_organizer, name=f"{label(index)}活动", unit=_place(tree, index),
                            starts_on=_today())
    _check(admin_client, "dockets.campaign", grow, bound=9)


@covers("admin dockets.docket")
def test_dockets(admin_client, tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            docket_create(actor=zj_organizer, name=f"{label(index)}清单", owner_unit=_place(tree, index))
    _check(admin_client, "dockets.docket", grow, bound=9)


@covers("admin dockets.item")
def test_items(admin_client, tree, zj_organizer, hz_operator):
    from qingdan.dockets.services import item_create

    dockets = [docket_create(actor=zj_organizer, name=f"清单{i}", owner_unit=tree["3301"]) for i in range(3)]

    def grow(start, stop):
        for index in range(start, stop):
            item_create(actor=hz_operator, docket=dockets[index % 3], title=f"{label(index)}事项",
                        lead_unit=_place(tree, index))
    _check(admin_client, "dockets.item", grow, bound=8)


@covers("admin ledgers.studysession")
def test_study_sessions(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            session_record(actor="test", unit=_place(tree, index), kind="group_study", topic=f"{label(index)}学习",
                           starts_on=_today())
    _check(admin_client, "ledgers.studysession", grow, bound=9)


@covers("admin ledgers.liaison")
def test_liaisons(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            liaison_assign(actor="test", leader=_person(tree, index), unit=_place(tree, index), starts_on=_today())
    _check(admin_client, "ledgers.liaison", grow, bound=9)


@covers("admin ledgers.visit")
def test_visits(admin_client, tree):
    """Each visit by another leader (the visitor is a nullable foreign key)."""
    def grow(start, stop):
        for index in range(start, stop):
            visit_record(actor="test", unit=_place(tree, index), visited_on=_today(),
                         visitor=_person(tree, index, role=Role.LEADER))
    _check(admin_client, "ledgers.visit", grow, shown=lambda i: f"{label(i)}同志", bound=8)


@covers("admin ledgers.researchtopic")
def test_research_topics(admin_client, tree):
    def grow(start, stop):
        for index in range(start, stop):
            topic_create(actor="test", unit=_place(tree, index), title=f"{label(index)}课题",
                         owners=[_person(tree, index)], started_on=_today())
    _check(admin_client, "ledgers.researchtopic", grow, bound=9)


@covers("admin surveys.survey")
def test_surveys(admin_client, tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            survey_create(actor=zj_organizer, unit=_place(tree, index), title=f"{label(index)}问卷")
    _check(admin_client, "surveys.survey", grow, bound=9)


@covers("admin open311.open311key")
def test_open311_keys(admin_client, tree, zj_organizer):
    """Keys issued by a person and by the system (no creator): the nullable foreign key."""
    def grow(start, stop):
        for index in range(start, stop):
            key_create(actor=zj_organizer if index % 2 else "test", name=f"{label(index)}应用",
                       unit=_place(tree, index))
    _check(admin_client, "open311.open311key", grow, bound=9)


def _endpoints(tree, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            unit = _place(tree, index)
            webhook_endpoint_create(actor=zj_organizer, unit=unit, name=f"{label(index)}接口",
                                    url=f"https://hooks.example.org/{index}")
            notify(recipients=[zj_organizer], kind="item.dispatched", title=f"事项{index}", unit_path=unit.path)
    return grow


@covers("admin notifications.webhookendpoint")
def test_webhook_endpoints(admin_client, tree, zj_organizer):
    _check(admin_client, "notifications.webhookendpoint", _endpoints(tree, zj_organizer), bound=9)


@covers("admin notifications.webhookdelivery")
def test_webhook_deliveries(admin_client, tree, zj_organizer):
    _check(admin_client, "notifications.webhookdelivery", _endpoints(tree, zj_organizer), bound=9)
