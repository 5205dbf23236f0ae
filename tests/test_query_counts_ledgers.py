"""Query counts of the ledgers (台账): figures, coverage, visits, liaisons, study sessions, research topics.

Pages: ledgers:dashboard (its list: the teams below the required study days), ledgers:coverage,
ledgers:visits, ledgers:liaisons, ledgers:sessions, ledgers:topics, ledgers:topic (its notes).
API: GET /ledgers/visits, /ledgers/coverage.
Rows spread over villages of both counties, several leaders (visitors, authors, liaisons) and photos.
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingdan.ledgers.services import Attendee, liaison_assign, session_record, topic_create, visit_record, writing_add
from qingdan.people.services import token_create
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from tests.conftest import png_bytes
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db

PLACES = ["330106009001", "330106009002", "330106009", "330108001", "330106", "330108"]


def _today() -> datetime.date:
    return timezone.localdate()


def _month_start() -> datetime.date:
    return _today().replace(day=1)


@pytest.fixture
def leaders(tree, make_staff):
    """Four leaders, two per county, each the home of a different unit."""
    return [make_staff(f"leader{i}", Role.LEADER, tree["330106" if i % 2 else "330108"],
                       home=tree[PLACES[i]]) for i in range(4)]


def _villages(start: int, stop: int) -> list[Unit]:
    made = []
    for index in range(start, stop):
        parent = Unit.objects.get(code="330106009" if index % 2 else "330108001")
        made.append(Unit.objects.add_child(parent, {"code": f"{parent.code}{900 + index:03d}",
                                                    "name": f"{label(index)}村", "kind": UnitKind.REGION,
                                                    "level": UnitLevel.VILLAGE}))
    return made


def _visits(tree, leaders):
    def grow(start, stop):
        for index in range(start, stop):
            leader = leaders[index % len(leaders)]
            visit_record(actor="test", unit=tree[PLACES[index % len(PLACES)]], visited_on=_today(),
                         enterprise=f"{label(index)}企业", households=index, visitor=leader,
                         photos=[(f"v{index}.png", png_bytes())] if index % 3 == 0 else ())
    return grow


@covers("ledgers:visits")
def test_visit_list(client, tree, leaders, zj_organizer):
    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/visits/", _visits(tree, leaders), bound=5)


@covers("api GET /api/v1/ledgers/visits")
def test_api_visit_list(client, tree, leaders, zj_organizer):
    _, key = token_create(actor=zj_organizer, user=zj_organizer, name="query-count")
    assert_flat(client, "/api/v1/ledgers/visits", _visits(tree, leaders),
                headers={"HTTP_AUTHORIZATION": f"Bearer {key}"}, bound=4)


def _coverage(tree, leaders, zj_organizer):
    """New villages under two streets, each assigned leader visiting every other one."""
    for leader in leaders:
        township = tree["330106009" if leaders.index(leader) % 2 else "330108001"]
        liaison_assign(actor=zj_organizer, leader=leader, unit=township, starts_on=_month_start())

    def grow(start, stop):
        for index, village in enumerate(_villages(start, stop), start):
            if index % 2:
                visit_record(actor="test", unit=village, visited_on=_today(), visitor=leaders[index % len(leaders)])
    return grow


@covers("ledgers:coverage")
def test_coverage_page(client, tree, leaders, zj_organizer):
    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/coverage/", _coverage(tree, leaders, zj_organizer), bound=8)


@covers("api GET /api/v1/ledgers/coverage")
def test_api_coverage(client, tree, leaders, zj_organizer):
    _, key = token_create(actor=zj_organizer, user=zj_organizer, name="query-count")
    assert_flat(client, "/api/v1/ledgers/coverage", _coverage(tree, leaders, zj_organizer),
                headers={"HTTP_AUTHORIZATION": f"Bearer {key}"}, bound=6)


@covers("ledgers:dashboard")
def test_dashboard_teams_below(client, tree, leaders, zj_organizer):
    """Half the new villages studied half a day, half not at all: every one is listed below the requirement."""
    def grow(start, stop):
        for index, village in enumerate(_villages(start, stop), start):
            if index % 2:
                session_record(actor="test", unit=village, kind="group_study", topic=f"学习{index}", starts_on=_today(),
                               duration="0.5", leadership=True)

    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/", grow, data={"required": "1"}, bound=29)


@covers("ledgers:liaisons")
def test_liaison_list(client, tree, make_staff, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            leader = make_staff(f"liaison{index}", Role.LEADER, tree["330106" if index % 2 else "330108"],
                                home=tree[PLACES[index % len(PLACES)]])
            leader.display_name = f"{label(index)}领导"
            leader.save(update_fields=["display_name"])
            liaison_assign(actor=zj_organizer, leader=leader, unit=tree[PLACES[index % len(PLACES)]],
                           starts_on=_month_start(), note=f"{label(index)}")

    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/liaisons/", grow, bound=5)


@covers("ledgers:sessions")
def test_session_list(client, tree, leaders, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            unit = tree[PLACES[index % len(PLACES)]]
            attendees = [Attendee(person=p) for p in leaders if p.home_unit_id == unit.pk]
            session_record(actor="test", unit=unit, kind="group_study", topic=f"{label(index)}学习", starts_on=_today(),
                           attendees=attendees, photos=[(f"s{index}.png", png_bytes())] if index % 3 == 0 else ())

    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/study/", grow, bound=5)


@covers("ledgers:topics")
def test_topic_list(client, tree, leaders, zj_organizer):
    def grow(start, stop):
        for index in range(start, stop):
            topic_create(actor="test", unit=tree[PLACES[index % len(PLACES)]], title=f"{label(index)}课题",
                         owners=leaders[index % 4:index % 4 + 2], started_on=_today())

    client.force_login(zj_organizer)
    assert_flat(client, "/ledgers/research/", grow, bound=5)


@covers("ledgers:topic")
def test_topic_notes(client, tree, leaders, zj_organizer):
    """A topic's notes, each by another author and drawing on other visits."""
    topic = topic_create(actor="test", unit=tree["330106"], title="基层减负课题", owners=leaders[:2],
                         started_on=_today())
    visits = [visit_record(actor="test", unit=tree[code], visited_on=_today(), visitor=leaders[0])
              for code in ("330106009001", "330106009002", "330106009")]

    authors = [leaders[1], leaders[3], zj_organizer]

    def grow(start, stop):
        for index in range(start, stop):
            writing_add(actor=authors[index % 3], topic=topic, kind="note", title=f"{label(index)}手记",
                        text="走访记录", written_on=_today(), visits=visits[index % 3:index % 3 + 2])

    client.force_login(zj_organizer)
    assert_flat(client, f"/ledgers/research/{topic.pk}/", grow, bound=12)


@covers("api GET /api/v1/ledgers/figures")
def test_api_figures_teams_below(client, tree, zj_organizer):
    def grow(start, stop):
        for index, village in enumerate(_villages(start, stop), start):
            if index % 2:
                session_record(actor="test", unit=village, kind="group_study", topic=f"学习{index}",
                               starts_on=_today(), duration="0.5", leadership=True)

    _, key = token_create(actor=zj_organizer, user=zj_organizer, name="query-count")
    assert_flat(client, "/api/v1/ledgers/figures", grow, data={"required": "1"},
                headers={"HTTP_AUTHORIZATION": f"Bearer {key}"}, bound=21)
