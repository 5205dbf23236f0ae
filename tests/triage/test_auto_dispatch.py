"""Automatic dispatch of new submissions above the organizer's threshold: off by default, audited with
the score and the rule, on the timeline, limited to the jurisdiction, and never for a report (举报).
"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.intake.casework import submission_route
from qingdan.intake.errors import SubmissionStateError
from qingdan.triage.errors import AutoDispatchInvalid
from qingdan.triage.routing import auto_dispatch_configure, route_auto_dispatch, route_suggest, routing_rule_create

pytestmark = pytest.mark.django_db
SMOKE = "杭州市西湖区留下街道小和山社区门口的饭店油烟很大，晚上噪音扰民，居民无法休息，请尽快处理。"


@pytest.fixture
def rule(tree, xh_organizer):
    """Smoke in 西湖区 goes to 西湖区公安局 (the classifier reads SMOKE as 环境保护)."""
    return routing_rule_create(actor=xh_organizer, category="环境保护", place=tree["330106"],
                               department=tree["330106-GA"])


@pytest.fixture
def smoke(submit, tree):
    """A new complaint about smoke, received at the county's desk."""
    def make(**overrides):
        return submit(**{"subject": "饭店油烟噪音扰民", "text": SMOKE, "unit": tree["330106"], **overrides})
    return make


def _routed():
    return AuditEntry.objects.filter(action="intake.submission_routed")


def test_off_by_default(smoke, rule, tree):
    submission = smoke()
    submission.refresh_from_db()
    assert (submission.status, submission.unit) == ("received", tree["330106"])
    assert not _routed().exists()


def test_both_sides_of_the_threshold(smoke, rule, tree, xh_organizer):
    probe = smoke()
    score = route_suggest(submission=probe, limit=1)[0].score
    assert route_suggest(submission=probe, limit=1)[0].unit == tree["330106-GA"] and 0.3 < score < 1
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=round(score + 0.01, 3))
    below = smoke(phone="13800000011")
    below.refresh_from_db()
    assert (below.status, below.unit) == ("received", tree["330106"]) and not _routed().exists()
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=score)  # reached exactly
    above = smoke(phone="13800000012")
    above.refresh_from_db()
    assert (above.status, above.unit) == ("dispatched", tree["330106-GA"])
    entry = _routed().get()
    assert entry.object_id == str(above.pk) and entry.actor_label == "triage"
    assert entry.before == {"status": "received", "unit": "330106"}
    assert entry.after["unit"] == "330106-GA" and entry.after["rule"] == "triage.auto_dispatch"
    assert entry.after["confidence"] == score and entry.after["threshold"] == score
    assert entry.after["policy_unit"] == "330106" and entry.after["routing_rules"] == [rule.pk]
    assert entry.after["category"] == "环境保护"


def test_it_shows_on_the_timeline_for_staff_and_the_citizen_sees_only_the_unit(
        smoke, rule, tree, xh_organizer, client):
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=0.5)
    submission = smoke()
    events = list(submission.events.order_by("at", "pk").values_list("kind", "public", "text"))
    assert [(kind, public) for kind, public, _text in events] == [
        ("received", True), ("dispatched", True), ("note", False)]
    assert events[1][2] == "西湖区公安局"
    assert "西湖区公安局" in events[2][2] and "0.5" in events[2][2]
    client.force_login(xh_organizer)
    page = client.get(f"/desk/submissions/{submission.tracking_code}/").content.decode()
    assert events[2][2] in page


def test_a_report_against_an_official_is_never_dispatched(smoke, rule, tree, xh_organizer, zj_organizer):
    auto_dispatch_configure(actor=zj_organizer, unit=tree["33"], threshold=0.01)
    report = smoke(kind="report", accused_unit=tree["330106-GA"])
    report.refresh_from_db()
    assert report.status == "received" and report.unit == tree["330106"]
    assert route_auto_dispatch(submission=report) is None
    assert not _routed().exists()
    with pytest.raises(SubmissionStateError):
        submission_route(actor="triage", submission=report, unit=tree["330106-GA"])
    assert not _routed().exists()


def test_only_within_the_jurisdiction_and_the_nearest_policy_decides(smoke, submit, rule, tree, xh_organizer,
                                                                       zj_organizer, make_staff):
    from qingdan.units.choices import Role

    lx_organizer = make_staff("lx_organizer", Role.ORGANIZER, tree["330106009"])
    # The township's own policy: its best unit (the county's bureau) lies outside the township.
    auto_dispatch_configure(actor=lx_organizer, unit=tree["330106009"], threshold=0.1)
    held_by_township = submit(subject="饭店油烟噪音扰民", text=SMOKE, unit=tree["330106009"])
    held_by_township.refresh_from_db()
    assert held_by_township.status == "received" and not _routed().exists()
    # The province allows it everywhere, but 西湖区 turned it off for its subtree.
    auto_dispatch_configure(actor=zj_organizer, unit=tree["33"], threshold=0.1)
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=None)
    held_by_county = smoke(phone="13800000021")
    held_by_county.refresh_from_db()
    assert held_by_county.status == "received" and not _routed().exists()


def test_a_retried_task_dispatches_once(smoke, rule, tree, xh_organizer):
    from qingdan.triage.tasks import triage_submission_task

    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=0.5)
    submission = smoke()
    assert triage_submission_task.call(submission_id=submission.pk)["auto_dispatched"] is None
    submission.refresh_from_db()
    assert route_auto_dispatch(submission=submission) is None
    assert _routed().count() == 1


def test_only_the_units_organizers_set_a_valid_threshold_and_it_is_audited(tree, xh_organizer, xh_handler):
    with pytest.raises(PermissionDenied):
        auto_dispatch_configure(actor=xh_organizer, unit=tree["330108"], threshold=0.8)
    with pytest.raises(PermissionDenied):
        auto_dispatch_configure(actor=xh_handler, unit=tree["330106"], threshold=0.8)
    for bad in (0, -0.5, 1.5, "high"):
        with pytest.raises(AutoDispatchInvalid):
            auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=bad)
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=0.8)
    auto_dispatch_configure(actor=xh_organizer, unit=tree["330106"], threshold=None)
    entries = list(AuditEntry.objects.filter(action="triage.auto_dispatch_configured").order_by("pk"))
    assert [(e.before, e.after) for e in entries] == [
        (None, {"threshold": 0.8, "enabled": True}),
        ({"threshold": 0.8, "enabled": True}, {"threshold": 0.8, "enabled": False})]


def test_the_command_sets_and_lists_policies(tree, xh_organizer, capsys):
    call_command("auto-dispatch", unit="330106", threshold=0.85, as_user="xh_organizer")
    call_command("auto-dispatch")
    out = capsys.readouterr().out
    assert "330106" in out and "0.85" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("auto-dispatch", unit="330108", threshold=0.85, as_user="xh_organizer")
    with pytest.raises(CommandError):
        call_command("auto-dispatch", unit="330106")
