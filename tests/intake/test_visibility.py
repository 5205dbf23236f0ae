"""Scopes over submissions, reports against officials, and masked contact details."""

from __future__ import annotations

import pytest

from qingdan.core.errors import NotFound
from qingdan.intake.privacy import contact_for, mask_phone
from qingdan.intake.selectors import (
    submission_get_for_user,
    submission_queryset_for_user,
    submissions_by_phone_for_user,
)
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def test_ordinary_submissions_follow_the_unit_scope(submit, xh_handler, bj_handler, tree):
    mine = submit(unit=tree["330106009"])
    theirs = submit(unit=tree["330108001"])
    assert list(submission_queryset_for_user(xh_handler)) == [mine]
    with pytest.raises(NotFound):
        submission_get_for_user(xh_handler, code=theirs.tracking_code)
    assert submission_get_for_user(bj_handler, code=theirs.tracking_code) == theirs


def test_report_is_seen_only_by_the_discipline_body_above_the_named_unit(
        submit, tree, xh_handler, xh_inspector, hz_inspector, make_staff, zj_organizer):
    leader = make_staff("xh_police_chief", Role.LEADER, tree["330106-GA"])
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    assert report not in submission_queryset_for_user(leader)  # the named unit and its leaders
    assert report not in submission_queryset_for_user(xh_handler)  # the county's own staff
    assert report not in submission_queryset_for_user(zj_organizer)  # even the province organizer
    assert report in submission_queryset_for_user(xh_inspector)
    assert report in submission_queryset_for_user(hz_inspector)


def test_report_on_a_county_itself_goes_to_the_city_discipline_body(submit, tree, xh_inspector, hz_inspector):
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106"], anonymous=True)
    assert report not in submission_queryset_for_user(xh_inspector)
    assert report in submission_queryset_for_user(hz_inspector)


def test_report_on_the_discipline_body_itself_goes_up(submit, tree, discipline, xh_inspector, hz_inspector):
    report = submit(kind="report", unit=tree["330106"], accused_unit=discipline["xh"], anonymous=True)
    assert report not in submission_queryset_for_user(xh_inspector)
    assert report in submission_queryset_for_user(hz_inspector)


def test_report_leaves_no_audit_trace_under_the_named_units_path(submit, tree):
    from qingdan.audit.models import AuditEntry

    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True)
    entry = AuditEntry.objects.get(action="intake.submission_received", object_id=str(report.pk))
    assert entry.unit_path == ""


def test_contacts_are_masked_except_for_contact_roles(submit, tree, xh_handler, make_staff):
    submission = submit(unit=tree["330106009"], name="张三丰", phone="13812345678", email="zsf@example.cn")
    assert contact_for(xh_handler, submission) == {"name": "张三丰", "phone": "13812345678", "email": "zsf@example.cn"}
    leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    assert contact_for(leader, submission) == {"name": "张**", "phone": "138****5678", "email": "z***@example.cn"}


def test_mask_phone_for_landlines():
    assert mask_phone("057187654321") == "********4321"


def test_callers_earlier_submissions_are_found_by_phone_within_scope(submit, tree, xh_handler):
    first = submit(unit=tree["330106009"], phone="138-1234-5678")
    submit(unit=tree["330108001"], phone="13812345678")  # the neighbour's: not shown
    submit(unit=tree["330106009"], phone="13900000000")
    assert submissions_by_phone_for_user(xh_handler, phone="13812345678") == [first]


def test_phone_lookup_normalises_what_the_operator_typed(submit, tree, xh_handler):
    first = submit(unit=tree["330106009"], phone="13812345678")
    assert submissions_by_phone_for_user(xh_handler, phone="+86 138-1234-5678") == [first]
