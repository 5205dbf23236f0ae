"""Read submissions through the reader's scope, with the rule for reports against officials.

A report (举报) is never governed by the ordinary scope: it is visible only to staff of the
discipline body whose region contains the named unit, and never to the named unit, to the
region's own leadership (reports on them go one level up) or to the discipline body itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from qingdan.core.crypto import blind_index
from qingdan.core.errors import NotFound
from qingdan.intake import codes
from qingdan.intake.choices import SubmissionKind
from qingdan.intake.errors import TrackingCodeMistyped
from qingdan.intake.models import Rating, Submission, SubmissionEvent
from qingdan.units.choices import UnitKind
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user, within_q

_NOTHING = Q(pk__in=[])


def report_condition(user: Any, *, roles: Iterable[str] | None = None) -> Q:
    """Return the filter matching the reports this user may read (or act on, held with one of ``roles``)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return _NOTHING
    conditions: dict[str, Any] = {"role_assignments__user_id": user.pk, "kind": UnitKind.DISCIPLINE}
    if roles is not None:
        conditions["role_assignments__role__in"] = list(roles)  # one filter(): the same assignment row
    bodies = Unit.objects.filter(**conditions).distinct()
    condition = _NOTHING
    for body in bodies:
        region = body.path[: -body.steplen]
        if not region:
            continue
        condition |= within_q(region, "accused_unit", strict=True) & ~within_q(body, "accused_unit")
    return condition


def submission_queryset_for_user(user: Any) -> QuerySet[Submission]:
    """Return every submission the user may see."""
    ordinary = scope_for_user(user).q("unit") & ~Q(kind=SubmissionKind.REPORT)
    reports = Q(kind=SubmissionKind.REPORT) & report_condition(user)
    return Submission.objects.filter(ordinary | reports)


def submissions_under(queryset: QuerySet[Submission], code: str) -> QuerySet[Submission]:
    """Narrow submissions to those held in the subtree of the unit coded ``code``.

    Units are public, so the code is looked up unscoped; the queryset carries the reader's scope,
    so a unit outside it gives nothing, exactly like an unknown code.
    """
    path = Unit.objects.filter(code=code.replace("\x00", "")).values_list("path", flat=True).first()
    return queryset.none() if path is None else queryset.filter(within_q(path, "unit"))


def submission_sent_before(*, source: str, external_id: str) -> Submission | None:
    """What a caller already sent under its case id (its own source: no other scope applies)."""
    if not external_id:
        return None
    return Submission.objects.select_related("unit").filter(source=source, external_id=external_id).first()


def submission_get_for_user(user: Any, *, code: str) -> Submission:
    """Return one submission by tracking code, or NotFound when missing or outside the user's view."""
    try:
        canonical = codes.normalise(code)
    except codes.CodeMistyped as exc:
        raise NotFound(str(exc)) from exc
    submission = submission_queryset_for_user(user).select_related("unit", "place_unit").filter(
        tracking_code=canonical).first()
    if submission is None:
        raise NotFound("No such submission in your scope.")
    return submission


def submission_get_public(*, code: str) -> Submission:
    """Return the submission a citizen tracks by code; tell a mistyped code from an unknown one."""
    try:
        canonical = codes.normalise(code)
    except codes.CodeMistyped as exc:
        raise TrackingCodeMistyped(str(exc)) from exc
    submission = Submission.objects.select_related("unit").filter(tracking_code=canonical).first()
    if submission is None:
        raise NotFound("No submission has this code.")
    return submission


def ratings_for_user(user: Any, *, submissions: QuerySet[Submission] | None = None) -> QuerySet[Rating]:
    """Every follow-up rating of the submissions the user may see (of ``submissions`` among them), newest first."""
    visible = submission_queryset_for_user(user)
    if submissions is not None:
        visible = visible.filter(pk__in=submissions.values("pk"))
    return Rating.objects.filter(submission__in=visible).select_related("submission", "unit").order_by("-at", "-id")


def public_timeline(submission: Submission) -> QuerySet[SubmissionEvent]:
    """Return the steps the submitter may read."""
    return submission.events.filter(public=True).order_by("at", "id")


def submissions_by_phone_for_user(user: Any, *, phone: str, limit: int = 20) -> list[Submission]:
    """Return a caller's earlier submissions that the user may see, newest first (by blind index)."""
    from qingdan.intake.services import normalise_phone

    with contextlib.suppress(ValueError):  # "+86 138-1234-5678" finds what was stored as 13812345678
        phone = normalise_phone(phone)
    digest = blind_index(phone)
    if not digest:
        return []
    return list(submission_queryset_for_user(user).filter(phone_index=digest).order_by("-created_at")[:limit])
