"""Query counts of the one-object pages whose inner lists grow with the case: timelines, files, problems.

Pages: dockets:item (timeline, evidence, linked submissions, sub-items), desk:submission_detail
(timeline, attachments), portal:track_detail (the public timeline), ledgers:visit (problems found and
where each went), ledgers:session (its roll and photos). API: GET /dockets/items/{item_id} (the timeline).
"""

from __future__ import annotations

import datetime

import pytest

from qingdan.dockets.services import item_accept, item_dispatch, item_link_submissions, item_progress, item_urge
from qingdan.intake.services import submission_add_info, submission_create, submission_reply
from qingdan.ledgers.services import ProblemFound, visit_record
from qingdan.people.services import token_create
from tests.conftest import png_bytes
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db

PLACES = ["330106009001", "330106009002", "330106009", "330106-GA"]


def _submission(tree, index: int):
    submission, _ = submission_create(actor=None, channel="web", kind="complaint", subject=f"{label(index)}诉求",
                                      text="小区门口的饭店油烟和噪音严重影响居民休息。",
                                      unit=tree[PLACES[index % len(PLACES)]], name="张三", phone="13812345678")
    return submission


def _item_steps(tree, make_item, hz_operator, hz_supervisor, xh_handler):
    """An accepted item; each row is a step by the handler (with evidence) or an urging by the supervisor,
    a sub-item led by another unit, and a linked submission.
    """
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))

    def grow(start, stop):
        for index in range(start, stop):
            current = type(item).objects.get(pk=item.pk)
            if index % 2:
                item_urge(actor=hz_supervisor, item=current, text=f"{label(index)}催办")
            else:
                item_progress(actor=xh_handler, item=current, text=f"{label(index)}进展",
                              files=[(f"e{index}.png", png_bytes())])
            make_item(title=f"子事项{index}", parent=current, lead_unit=tree[PLACES[index % len(PLACES)]])
            item_link_submissions(actor=hz_operator, item=current, submissions=[_submission(tree, index)])
    return item, grow


@covers("dockets:item")
def test_item_page(client, tree, make_item, hz_operator, hz_supervisor, xh_handler):
    item, grow = _item_steps(tree, make_item, hz_operator, hz_supervisor, xh_handler)
    client.force_login(hz_supervisor)
    assert_flat(client, f"/dockets/items/{item.pk}/", grow, bound=19)


@covers("api GET /api/v1/dockets/items/{item_id}")
def test_api_item_detail(client, tree, make_item, hz_operator, hz_supervisor, xh_handler):
    item, grow = _item_steps(tree, make_item, hz_operator, hz_supervisor, xh_handler)
    _, key = token_create(actor=hz_supervisor, user=hz_supervisor, name="query-count")
    assert_flat(client, f"/api/v1/dockets/items/{item.pk}", grow, headers={"HTTP_AUTHORIZATION": f"Bearer {key}"},
                bound=9)


def _submission_steps(tree, repliers):
    submission, _ = submission_create(actor=None, channel="web", kind="complaint", subject="噪音扰民",
                                      text="小区门口的饭店油烟和噪音严重影响居民休息。", unit=tree["330106009"],
                                      name="张三", phone="13812345678",
                                      attachments=[("a.png", png_bytes()), ("b.png", png_bytes())])

    def grow(start, stop):
        for index in range(start, stop):
            if index % 2:
                submission_reply(actor=repliers[index % len(repliers)], submission=submission,
                                 text=f"{label(index)}答复")
            else:
                submission_add_info(submission=submission, text=f"{label(index)}补充")
    return submission, grow


@covers("desk:submission_detail")
def test_submission_detail(client, tree, hz_operator, xh_handler):
    submission, grow = _submission_steps(tree, [hz_operator, xh_handler])
    client.force_login(hz_operator)
    assert_flat(client, f"/desk/submissions/{submission.tracking_code}/", grow, bound=9)


@covers("portal:track_detail")
def test_track_page(client, tree, hz_operator, xh_handler):
    submission, grow = _submission_steps(tree, [hz_operator, xh_handler])
    assert_flat(client, f"/track/{submission.tracking_code}/", grow, bound=3)


@covers("ledgers:visit")
def test_visit_page(client, tree, zj_organizer, docket):
    """A visit with N problems, spread over the three routes (intake, a list's item, solved on the spot)."""
    routes = ["submission", "item", "solved"]
    made = {}

    def grow(start, stop):
        problems = [ProblemFound(text=f"{label(i)}问题", route=routes[i % 3], docket=docket)
                    for i in range(stop)]
        made["visit"] = visit_record(actor=zj_organizer, unit=tree["330106009001"], visited_on=datetime.date.today(),
                                     problems=problems, photos=[(f"p{i}.png", png_bytes()) for i in range(2)])

    client.force_login(zj_organizer)
    assert_flat(client, lambda: f"/ledgers/visits/{made['visit'].pk}/", grow, bound=9)


@covers("ledgers:session")
def test_session_page(client, tree, zj_organizer):
    """A session whose roll grows: half the unit's people recorded absent (each with a 补学 form), half not yet."""
    from qingdan.ledgers.models import SessionAttendance
    from qingdan.ledgers.services import session_record
    from qingdan.people.models import User

    session = session_record(actor=zj_organizer, unit=tree["330106009"], kind="group_study", topic="学习",
                             starts_on=datetime.date.today(), photos=[(f"s{i}.png", png_bytes()) for i in range(2)])

    def grow(start, stop):
        for index in range(start, stop):
            person = User.objects.create(username=f"roll{index}", display_name=label(index),
                                         home_unit=tree[PLACES[index % 3]])
            if index % 2:
                SessionAttendance.objects.create(session=session, person=person, status="absent")

    client.force_login(zj_organizer)
    assert_flat(client, f"/ledgers/study/{session.pk}/", grow, bound=12)
