"""Routing: which unit should handle a submission — rules, similar closed cases, then 兜底.

Three sources of evidence, added per unit:

1. the organizer's rules (``RoutingRule``: category × place → department): a rule on the
   located place or one of its ancestors applies, the nearer place the stronger;
2. history: the units that handled the closed or answered submissions of the same hot issue
   and of the same category at the same place;
3. the fallback (兜底): the township government of the place, else its county government.

``route_suggest`` returns the top three with their reasons. ``route_auto_dispatch`` (called
for every new submission once it is triaged) hands the submission to the best unit when its
score reaches the threshold the organizer set for the jurisdiction (``AutoDispatchPolicy``;
none = never), through intake's ``submission_route``: audited with the score, the threshold
and the rules that decided, and on the submission's timeline. Never a report (举报).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import PermissionDenied
from qingdan.intake.casework import submission_route
from qingdan.intake.choices import SubmissionKind, SubmissionStatus
from qingdan.intake.errors import SubmissionStateError
from qingdan.intake.models import Submission
from qingdan.triage.errors import AutoDispatchInvalid, UnknownCategory
from qingdan.triage.models import AutoDispatchPolicy, RoutingRule, Triage
from qingdan.triage.services import REPLIED_STATUSES, categories, is_confidential, ordinary_submissions
from qingdan.units.choices import MANAGE_ROLES, UnitKind, UnitLevel
from qingdan.units.models import Unit
from qingdan.units.scopes import GLOBAL, is_inside, is_system, may, scope_for_user
from qingdan.units.selectors import unit_ancestors

RULE_SCORE = 1.0
HISTORY_SCORE = 0.6
FALLBACK_SCORE = 0.3


@dataclass
class Suggestion:
    """A unit that could handle the submission, how strongly, and why."""

    unit: Unit
    score: float
    reasons: list[str] = field(default_factory=list)
    rules: list[int] = field(default_factory=list)  # the routing rules that added to the score


def _place(submission: Submission, triage: Triage | None) -> Unit | None:
    if triage is not None and triage.place_unit is not None:
        return triage.place_unit
    return submission.place_unit or submission.unit


def route_suggest(*, submission: Submission, limit: int = 3) -> list[Suggestion]:
    """Return up to ``limit`` units to dispatch to, best first, each with its reasons."""
    triage = Triage.objects.filter(submission=submission).select_related("place_unit").first()
    category = triage.label if triage else submission.category
    place = _place(submission, triage)
    found: dict[int, Suggestion] = {}

    def add(unit: Unit, score: float, reason: str, rule: RoutingRule | None = None) -> None:
        entry = found.setdefault(unit.pk, Suggestion(unit=unit, score=0.0))
        entry.score += score
        entry.reasons.append(reason)
        if rule is not None:
            entry.rules.append(rule.pk)

    if place is not None and category:
        ancestors = [place.path[:n] for n in range(place.steplen, len(place.path) + 1, place.steplen)]
        rules = (RoutingRule.objects.filter(category=category, is_active=True, place__path__in=ancestors)
                 .select_related("department", "place"))
        for rule in rules:
            nearness = len(rule.place.path) / len(place.path)
            add(rule.department, RULE_SCORE * rule.weight * (0.5 + 0.5 * nearness),
                _("rule: %(category)s in %(place)s") % {"category": category, "place": rule.place.name}, rule)
    handled: dict[int, int] = defaultdict(int)
    units: dict[int, Unit] = {}
    # Reports never count as history: who handled a report (a discipline body) says nothing of who
    # should fix a street, and the "similar case" would point at a report.
    similar = ordinary_submissions().filter(status__in=REPLIED_STATUSES).exclude(pk=submission.pk)
    if triage is not None and triage.hot_issue_id and not is_confidential(submission):
        for case in similar.filter(triage__hot_issue_id=triage.hot_issue_id).select_related("unit")[:200]:
            handled[case.unit_id] += 2  # the same problem counts double
            units[case.unit_id] = case.unit
    if place is not None and category:
        same = similar.filter(triage__corrected_category=category) | similar.filter(
            triage__corrected_category="", triage__category=category)
        for case in same.filter(triage__place_unit=place).select_related("unit").order_by("-pk")[:200]:
            handled[case.unit_id] += 1
            units[case.unit_id] = case.unit
    total = sum(handled.values())
    for unit_id, count in handled.items():
        if units[unit_id].kind == UnitKind.REGION and units[unit_id].level < UnitLevel.TOWNSHIP:
            continue  # a case held by a city or province says nothing about who did the work
        add(units[unit_id], HISTORY_SCORE * count / total,
            _("handled %(count)d similar closed cases") % {"count": count})
    fallback = _fallback(place)
    if fallback is not None:
        add(fallback, FALLBACK_SCORE, _("fallback: the local government (兜底)"))
    ranked = sorted(found.values(), key=lambda s: -s.score)[:limit]
    for suggestion in ranked:
        suggestion.score = round(min(suggestion.score, 1.0), 3)
    return ranked


def _fallback(place: Unit | None) -> Unit | None:
    """The township government of the place, else the county's (its own region unit in the tree)."""
    if place is None:
        return None
    regions = [u for u in unit_ancestors(place) if u.kind == UnitKind.REGION] + (
        [place] if place.kind == UnitKind.REGION else [])
    for level in (UnitLevel.TOWNSHIP, UnitLevel.COUNTY):
        for unit in reversed(regions):
            if unit.level == level:
                return unit
    return regions[-1] if regions else None


def auto_dispatch_policy_for(unit: Unit) -> AutoDispatchPolicy | None:
    """The policy of the nearest unit at or above ``unit`` that has one (enabled or not), else None."""
    paths = [unit.path[:n] for n in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
    return (AutoDispatchPolicy.objects.filter(unit__path__in=paths).select_related("unit")
            .order_by("-unit__depth").first())


def route_auto_dispatch(*, submission: Submission) -> Suggestion | None:
    """Dispatch a new submission to triage's best unit when its score reaches the organizer's threshold.

    Off unless an organizer set a policy over the submission's unit. Never for a report against
    an official (举报: it goes to the discipline body only), never for a case already handled,
    never to a unit outside the policy's jurisdiction. Returns the suggestion acted on, or None.
    """
    if submission.kind == SubmissionKind.REPORT or submission.status != SubmissionStatus.RECEIVED:
        return None
    policy = auto_dispatch_policy_for(submission.unit)
    if policy is None or not policy.enabled:
        return None
    suggestions = route_suggest(submission=submission, limit=1)
    if not suggestions or suggestions[0].score < policy.threshold:
        return None
    best = suggestions[0]
    if not is_inside(best.unit, policy.unit) or not best.unit.is_active:
        return None
    triage = Triage.objects.filter(submission=submission).first()
    details = {"rule": "triage.auto_dispatch", "confidence": best.score, "threshold": policy.threshold,
               "policy_unit": policy.unit.code, "routing_rules": best.rules, "reasons": best.reasons,
               "category": triage.label if triage else submission.category,
               "category_confidence": round(triage.confidence, 3) if triage else None}
    note = _("Dispatched automatically to %(unit)s: its score %(score)s reached the threshold %(threshold)s set "
             "for %(policy)s (%(reasons)s).") % {"unit": best.unit.name, "score": best.score,
                                                "threshold": policy.threshold, "policy": policy.unit.name,
                                                "reasons": "; ".join(best.reasons)}
    try:
        submission_route(actor="triage", submission=submission, unit=best.unit, note=note, details=details)
    except SubmissionStateError:
        return None  # someone handled it first, or a retried task: leave it as it is
    return best


def auto_dispatch_configure(*, actor: Actor, unit: Unit, threshold: float | None) -> AutoDispatchPolicy:
    """Set (or, with ``threshold=None``, turn off) automatic dispatch for a jurisdiction; audited.

    Only organizers and administrators who manage ``unit`` may; the threshold lies in (0, 1]:
    a route suggestion's score is at most 1 and the fallback alone scores 0.3.
    """
    if not may(actor, unit, MANAGE_ROLES):
        raise PermissionDenied(_("Only the organizers of this unit set its automatic dispatch."))
    if threshold is not None:
        try:
            threshold = float(threshold)
        except (TypeError, ValueError) as exc:
            raise AutoDispatchInvalid(_("The threshold is a number above 0 and at most 1.")) from exc
        if not 0 < threshold <= 1:
            raise AutoDispatchInvalid(_("The threshold is a number above 0 and at most 1."))
    with transaction.atomic():
        policy = AutoDispatchPolicy.objects.select_for_update().filter(unit=unit).first()
        before = None if policy is None else {"threshold": policy.threshold, "enabled": policy.enabled}
        if policy is None:
            policy = AutoDispatchPolicy(unit=unit, threshold=threshold or 1.0)
        policy.enabled = threshold is not None
        if threshold is not None:
            policy.threshold = threshold
        policy.updated_by = user_of(actor)
        policy.save()
        audit_record(actor=actor, action="triage.auto_dispatch_configured", obj=policy, unit_path=unit.path,
                     before=before, after={"threshold": policy.threshold, "enabled": policy.enabled})
    return policy


def _rule_state(rule: RoutingRule) -> dict[str, Any]:
    return {"category": rule.category, "place": rule.place.code, "department": rule.department.code,
            "weight": rule.weight, "is_active": rule.is_active}


def _check(actor: Actor, *, category: str, place: Unit, department: Unit) -> None:
    if category not in categories():
        raise UnknownCategory(_("unknown category: %(category)s") % {"category": category})
    scope = GLOBAL if is_system(actor) else scope_for_user(actor, roles=MANAGE_ROLES)
    if not (scope.contains(place) and scope.contains(department)):
        raise PermissionDenied(_("You may only route within units you manage."))


def routing_rule_create(*, actor: Actor, category: str, place: Unit, department: Unit,
                        weight: float = 1.0) -> RoutingRule:
    """Add a rule: messages of ``category`` located in ``place``'s subtree go to ``department``."""
    _check(actor, category=category, place=place, department=department)
    with transaction.atomic():
        rule = RoutingRule.objects.create(category=category, place=place, department=department, weight=weight)
        audit_record(actor=actor, action="triage.routing_rule_created", obj=rule, unit_path=place.path,
                     after=_rule_state(rule))
    return rule


def routing_rule_update(*, actor: Actor, rule: RoutingRule, department: Unit | None = None,
                        weight: float | None = None, is_active: bool | None = None) -> RoutingRule:
    """Change a rule's department, weight or activity; the audit entry keeps the history."""
    _check(actor, category=rule.category, place=rule.place, department=department or rule.department)
    with transaction.atomic():
        before = _rule_state(rule)
        if department is not None:
            rule.department = department
        if weight is not None:
            rule.weight = weight
        if is_active is not None:
            rule.is_active = is_active
        rule.save()
        audit_record(actor=actor, action="triage.routing_rule_updated", obj=rule, unit_path=rule.place.path,
                     before=before, after=_rule_state(rule))
    return rule
