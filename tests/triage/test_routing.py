"""Routing suggestions: rules, history of similar closed cases, and the 兜底 fallback."""

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.triage.errors import UnknownCategory
from qingdan.triage.models import Triage
from qingdan.triage.routing import route_suggest, routing_rule_create, routing_rule_update
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db
SMOKE = "杭州市西湖区留下街道小和山社区门口的饭店油烟很大，晚上噪音扰民，居民无法休息，请尽快处理。"


def _categorised(submission, category):
    Triage.objects.filter(submission=submission).update(category=category)
    return submission


def test_fallback_is_the_township_government(submit, tree):
    submission = submit(subject="饭店油烟噪音扰民", text=SMOKE)
    suggestions = route_suggest(submission=submission)
    assert [s.unit for s in suggestions] == [tree["330106009"]]
    assert "兜底" in suggestions[0].reasons[0]


def test_fallback_is_the_county_when_the_place_is_a_county(submit, tree):
    submission = submit(subject="路灯坏了", text="滨江区的路灯坏了很久", unit=tree["330108"])
    Triage.objects.filter(submission=submission).update(place_unit=tree["330108"])
    assert route_suggest(submission=submission)[0].unit == tree["330108"]


def test_a_rule_on_an_ancestor_place_wins_and_is_audited(submit, tree, zj_organizer):
    submission = _categorised(submit(subject="饭店油烟噪音扰民", text=SMOKE), "环境保护")
    rule = routing_rule_create(actor=zj_organizer, category="环境保护", place=tree["330106"],
                               department=tree["330106-GA"])
    suggestions = route_suggest(submission=submission)
    assert suggestions[0].unit == tree["330106-GA"]
    assert suggestions[0].score > suggestions[1].score
    assert any("西湖区" in r for r in suggestions[0].reasons)
    routing_rule_update(actor=zj_organizer, rule=rule, is_active=False)
    assert route_suggest(submission=submission)[0].unit == tree["330106009"]
    actions = list(AuditEntry.objects.filter(action__startswith="triage.routing_rule").order_by("pk")
                   .values_list("action", flat=True))
    assert actions == ["triage.routing_rule_created", "triage.routing_rule_updated"]


def test_rules_of_another_category_or_place_do_not_apply(submit, tree, zj_organizer):
    submission = _categorised(submit(subject="饭店油烟噪音扰民", text=SMOKE), "环境保护")
    routing_rule_create(actor=zj_organizer, category="教育文体", place=tree["330106"], department=tree["330106-GA"])
    routing_rule_create(actor=zj_organizer, category="环境保护", place=tree["330108"], department=tree["330108-GA"])
    assert [s.unit for s in route_suggest(submission=submission)] == [tree["330106009"]]


def test_history_of_the_same_hot_issue(submit, tree):
    first = submit(subject="饭店油烟噪音扰民", text=SMOKE, phone="13800000001", unit=tree["330106-GA"])
    first.status = "closed"
    first.save(update_fields=["status"])
    again = submit(subject="饭店油烟噪音扰民", text=SMOKE, phone="13800000002")
    units = [s.unit for s in route_suggest(submission=again)]
    assert tree["330106-GA"] in units


def test_only_organizers_within_scope_edit_rules(tree, xh_organizer, make_staff):
    with pytest.raises(PermissionDenied):
        routing_rule_create(actor=xh_organizer, category="环境保护", place=tree["330108"],
                            department=tree["330108-GA"])
    handler = make_staff("h", Role.HANDLER, tree["330106"])
    with pytest.raises(PermissionDenied):
        routing_rule_create(actor=handler, category="环境保护", place=tree["330106"], department=tree["330106-GA"])
    with pytest.raises(UnknownCategory):
        routing_rule_create(actor=xh_organizer, category="无此类", place=tree["330106"], department=tree["330106-GA"])
