"""Visits, liaison, sessions: the rules, the one-step routing of problems, and nothing half-saved."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image

from qingdan.core.errors import PermissionDenied
from qingdan.intake.models import Submission
from qingdan.ledgers.choices import Attendance, ProblemRoute, SessionKind
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.models import StudySession, Visit
from qingdan.ledgers.services import (
    Attendee,
    ProblemFound,
    attendance_make_up,
    liaison_assign,
    session_record,
    visit_record,
)
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "red").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def today():
    return timezone.localdate()


def test_a_visit_sends_its_problem_to_the_intake_queue_in_one_step(tree, lx_leader):
    visit = visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=today(), households=12,
                         enterprises=1, heard="村民反映道路破损", solved_on_spot=2,
                         problems=[ProblemFound(text="村口道路破损，雨天积水严重。")], photos=[("现场.jpg", jpeg())])
    problem = visit.problems.get()
    assert problem.route == ProblemRoute.SUBMISSION
    submission = Submission.objects.get(pk=problem.submission_id)
    assert submission.channel == "visit" and submission.unit == tree["330106009001"]
    assert visit.photos.count() == 1 and visit.photos.get().content_type == "image/jpeg"


def test_a_visit_in_the_future_is_refused_and_nothing_is_saved(tree, lx_leader):
    with pytest.raises(LedgerInvalid) as caught:
        visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=today() + datetime.timedelta(days=1),
                     problems=[ProblemFound(text="路灯坏了")])
    assert "visited_on" in caught.value.fields
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_a_refused_item_rolls_the_visit_and_its_submission_back(tree, lx_leader, bj_handler):
    from qingdan.core.errors import ApplicationError
    from qingdan.dockets.services import docket_create

    docket = docket_create(actor="test", name="滨江区清单", owner_unit=tree["330108"], source="public")
    with pytest.raises(ApplicationError):
        visit_record(actor=lx_leader, unit=tree["330106009001"], visited_on=today(),
                     problems=[ProblemFound(text="先进入受理的问题"),
                               ProblemFound(text="交给别区清单的问题", route=ProblemRoute.ITEM, docket=docket)])
    assert not Visit.objects.exists() and not Submission.objects.exists()


def test_a_visit_outside_scope_is_refused_unless_the_leader_answers_for_the_unit(tree, lx_leader, zj_organizer):
    with pytest.raises(PermissionDenied):
        visit_record(actor=lx_leader, unit=tree["330108001"], visited_on=today())
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330108001"],
                   starts_on=today() - datetime.timedelta(days=30))
    assert visit_record(actor=lx_leader, unit=tree["330108001"], visited_on=today()).pk


def test_liaison_needs_an_organizer_and_a_sane_period(tree, lx_leader, zj_organizer):
    with pytest.raises(PermissionDenied):
        liaison_assign(actor=lx_leader, leader=lx_leader, unit=tree["330106009"], starts_on=today())
    with pytest.raises(LedgerInvalid):
        liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330106009"], starts_on=today(),
                       ends_on=today() - datetime.timedelta(days=1))


def test_attendees_from_another_unit_are_refused(tree, lx_leader, make_staff):
    member = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    stranger = make_staff("bj_member", Role.HANDLER, tree["330108"])
    with pytest.raises(LedgerInvalid) as caught:
        session_record(actor=lx_leader, unit=tree["330106009"], kind=SessionKind.SEMINAR, topic="专题研讨",
                       starts_on=today(), attendees=[Attendee(person=member), Attendee(person=stranger)])
    assert "bj_member" in caught.value.fields["attendees"]
    assert not StudySession.objects.exists()


def test_absent_then_made_up(tree, lx_leader, make_staff):
    member = make_staff("lx_member", Role.HANDLER, tree["330106009"])
    session = session_record(actor=lx_leader, unit=tree["330106009"], kind=SessionKind.GROUP_STUDY, topic="集中学习",
                             starts_on=today() - datetime.timedelta(days=3), duration=4, duration_unit="hours",
                             attendees=[Attendee(person=lx_leader), Attendee(person=member, status=Attendance.ABSENT)])
    absent = session.attendances.get(person=member)
    attendance_make_up(actor=lx_leader, attendance=absent, made_up_on=today())
    absent.refresh_from_db()
    assert absent.status == Attendance.MADE_UP
    with pytest.raises(LedgerInvalid):
        session_record(actor=lx_leader, unit=tree["330106009"], kind=SessionKind.LECTURE, topic="宣讲",
                       starts_on=today() + datetime.timedelta(days=2))
