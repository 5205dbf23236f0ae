"""Move a submission along with the item that answers it (called by the dockets workflow).

The item is the unit of work; the submission is what the citizen tracks. So the citizen's
page follows the item: dispatched when the item is, answered when it is closed, open again
when an unhappy rating reopens the item, and closed once the answer is accepted.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.intake.choices import EventKind, Satisfaction, SubmissionKind, SubmissionStatus
from qingdan.intake.errors import SubmissionStateError
from qingdan.intake.models import Submission
from qingdan.intake.services import _audit_path, _event
from qingdan.units.models import Unit

# States in which a submission still follows its item (closed and rejected cases no longer move).
FOLLOWS_ITEM = frozenset({SubmissionStatus.RECEIVED, SubmissionStatus.DISPATCHED, SubmissionStatus.REPLIED})
# A rating that ends the case; anything else reopens it.
ACCEPTING_RATINGS = frozenset({Satisfaction.SATISFIED, Satisfaction.BASIC})


def submission_dispatch(*, actor: Actor, submission: Submission, unit: Unit) -> Submission:
    """Tell the citizen the case went to a unit (public timeline shows the unit's name)."""
    if submission.status in (SubmissionStatus.CLOSED, SubmissionStatus.REJECTED):
        raise SubmissionStateError(_("This case is closed."))
    before = {"status": submission.status}
    with transaction.atomic():
        submission.status = SubmissionStatus.DISPATCHED
        submission.save(update_fields=["status", "updated_at"])
        _event(submission, EventKind.DISPATCHED, text=unit.name, actor=actor)
        audit_record(actor=actor, action="intake.submission_dispatched", obj=submission,
                     unit_path=_audit_path(submission), before=before,
                     after={"status": submission.status, "unit": unit.code})
    return submission


def submission_route(*, actor: Actor, submission: Submission, unit: Unit, note: str = "",
                     details: dict[str, Any] | None = None) -> Submission:
    """Hand a new case to the unit that will handle it: it becomes the case's holder, on its timeline.

    Only a case still "received" is routed (a retried task, or an operator who got there first,
    leaves it as it is). A report against an official is never routed: it stays with the
    discipline route (``selectors.report_condition``). ``details`` go into the audit entry
    (who or what decided, and why); ``note`` is a staff-only line on the timeline.
    """
    if submission.kind == SubmissionKind.REPORT:
        raise SubmissionStateError(_("A report against an official goes to the discipline body only."))
    if not unit.is_active:
        raise SubmissionStateError(_("This unit no longer takes submissions."))
    with transaction.atomic():
        current = Submission.objects.select_for_update().select_related("unit").get(pk=submission.pk)
        if current.status != SubmissionStatus.RECEIVED:
            raise SubmissionStateError(_("Only a new case is routed; this one was handled already."))
        before = {"status": current.status, "unit": current.unit.code}
        current.unit, current.status = unit, SubmissionStatus.DISPATCHED
        current.save(update_fields=["unit", "status", "updated_at"])
        _event(current, EventKind.DISPATCHED, text=unit.name, actor=actor)
        if note:
            _event(current, EventKind.NOTE, text=note, actor=actor, public=False)
        audit_record(actor=actor, action="intake.submission_routed", obj=current, unit_path=_audit_path(current),
                     before=before, after={"status": current.status, "unit": unit.code, **(details or {})})
    submission.unit, submission.status = current.unit, current.status
    return current


def submission_reopen(*, actor: Actor, submission: Submission, reason: str) -> Submission:
    """Open the case again; the earlier answer and rating stay in the timeline, a new one may be given."""
    before = {"status": submission.status, "rating": submission.rating}
    with transaction.atomic():
        submission.status = SubmissionStatus.DISPATCHED
        submission.rating, submission.rated_at, submission.replied_at = "", None, None
        submission.save(update_fields=["status", "rating", "rated_at", "replied_at", "updated_at"])
        _event(submission, EventKind.NOTE, text=reason, actor=actor)
        audit_record(actor=actor, action="intake.submission_reopened", obj=submission,
                     unit_path=_audit_path(submission), before=before, after={"status": submission.status})
    return submission


def submission_close(*, actor: Actor, submission: Submission) -> Submission:
    """Close the case once its answer is given (and, when rated, accepted)."""
    if submission.status == SubmissionStatus.CLOSED:
        return submission
    if not submission.replied_at:
        raise SubmissionStateError(_("A case is closed only after it has been answered."))
    before = {"status": submission.status}
    with transaction.atomic():
        submission.status = SubmissionStatus.CLOSED
        submission.save(update_fields=["status", "updated_at"])
        _event(submission, EventKind.CLOSED, actor=actor)
        audit_record(actor=actor, action="intake.submission_closed", obj=submission,
                     unit_path=_audit_path(submission), before=before, after={"status": submission.status})
    return submission
