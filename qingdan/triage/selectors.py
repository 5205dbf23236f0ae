"""Triage reads, scoped: what a user may see of suggestions and hot issues."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import QuerySet

from qingdan.intake.models import Submission
from qingdan.triage import grouping
from qingdan.triage.models import HotIssue, HotIssueKey, Triage
from qingdan.units.scopes import scope_for_user


def triage_for_submission(submission: Submission) -> Triage | None:
    """The suggestions for a submission the caller has already fetched through intake's scoped selectors."""
    return Triage.objects.filter(submission=submission).select_related("place_unit", "hot_issue").first()


def hot_issue_list_for_user(user: Any, *, limit: int = 50) -> QuerySet[HotIssue]:
    """Hot issues placed inside the user's scope, hottest first (issues without a place: global scope only)."""
    return scope_for_user(user).filter(HotIssue.objects.all(), "unit").select_related("unit").order_by("-heat")[:limit]


def hot_issue_similar(issue: HotIssue, *, limit: int = 5,
                      threshold: float | None = None) -> list[tuple[HotIssue, float]]:
    """Similar hot issues placed elsewhere (举一反三): the same problem in other units."""
    vector = grouping.Vector.from_json(issue.signature)
    if vector.idx.size == 0:
        return []
    limit_sim = grouping.THRESHOLD * 0.8 if threshold is None else threshold
    counts = Counter(HotIssueKey.objects.filter(key__in=vector.heavy()).exclude(issue=issue)
                     .values_list("issue_id", flat=True))
    ids = [i for i, _ in counts.most_common(50)]
    found = []
    for other in HotIssue.objects.filter(pk__in=ids).select_related("unit"):
        if issue.place_code and other.place_code == issue.place_code:
            continue
        sim = vector.dot(grouping.Vector.from_json(other.signature))
        if sim >= limit_sim:
            found.append((other, round(sim, 3)))
    found.sort(key=lambda pair: -pair[1])
    return found[:limit]
