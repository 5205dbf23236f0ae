"""The demo's real messages load from the repository alone, once."""

from __future__ import annotations

import pytest

from qingdan.demo.services import demo_messages_load
from qingdan.intake.models import Submission

pytestmark = pytest.mark.django_db


def test_demo_messages_load_once_with_the_known_hot_issue(tree):
    created = demo_messages_load()
    assert created == Submission.objects.count() == 432  # 431 real messages and one report
    assert demo_messages_load() == 0
    smoke = (Submission.objects.filter(text__contains="魅力之城")
             | Submission.objects.filter(subject__contains="魅力之城"))
    assert smoke.count() >= 31
    replied = Submission.objects.exclude(reply="")
    assert replied.count() == 150 and all(s.replied_at for s in replied[:20])
    assert set(Submission.objects.values_list("unit__code", flat=True)) == {"330106"}


def test_the_demo_report_is_read_by_the_city_discipline_body_only(tree, discipline, make_staff):
    from qingdan.intake.selectors import submission_queryset_for_user
    from qingdan.triage.models import Triage
    from qingdan.units.choices import Role

    demo_messages_load()
    report = Submission.objects.get(source="demo-report")
    assert (report.kind, report.accused_unit.code, report.unit.code) == ("report", "330106009", "330106")
    hz_discipline = make_staff("hz_discipline", Role.SUPERVISOR, discipline["hz"])
    for name, role, unit in (("xh_leader", Role.LEADER, "330106"), ("lx_handler", Role.HANDLER, "330106009")):
        assert report not in submission_queryset_for_user(make_staff(name, role, tree[unit]))
    assert report in submission_queryset_for_user(hz_discipline)
    assert not Triage.objects.filter(submission=report).exclude(hot_issue=None).exists()
