"""What dockets and items are, where they come from, and the states of the loop."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocketKind(models.TextChoices):
    PROBLEM = "problem", _("Problem list")
    PROJECT = "project", _("Livelihood projects")
    TASK = "task", _("Tasks")
    RESEARCH = "research", _("Research topics")
    MEASURE = "measure", _("Measures")


class DocketSource(models.TextChoices):
    """The seven problem lists (七张问题清单) and the three other sources of the campaigns."""

    INSPECTION = "inspection", _("Inspection tour (巡视)")
    SUPERVISION = "supervision", _("Supervision (督查)")
    AUDIT = "audit", _("Audit (审计)")
    SECURITY = "security", _("National security (国家安全)")
    OPINION = "opinion", _("Online opinion (网络舆情)")
    PETITION = "petition", _("Letters and visits (信访)")
    EMERGENCY = "emergency", _("Emergency management (应急管理)")
    SELF_CHECK = "self_check", _("Self-examination (自查检视)")
    PUBLIC = "public", _("Public opinion (群众意见)")
    RESEARCH = "research", _("Research (调研)")


class ItemStatus(models.TextChoices):
    LISTED = "listed", _("Listed")
    DISPATCHED = "dispatched", _("Dispatched")
    RETURNED = "returned", _("Returned")
    ACCEPTED = "accepted", _("Accepted")
    RECTIFYING = "rectifying", _("In rectification")
    STAGE_RESULT = "stage_result", _("Stage result")
    LEADER_REVIEW = "leader_review", _("Awaiting the unit leader's review")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed out")


class PublicStatus(models.TextChoices):
    """The states a citizen reads on the public pages: how far the work is, not who holds it."""

    LISTED = "listed", _("Listed for action")
    IN_HAND = "in_hand", _("Being handled")
    STAGE_RESULT = "stage_result", _("Stage results achieved")
    DONE = "done", _("Concluded")


class Grade(models.TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class EventKind(models.TextChoices):
    LISTED = "listed", _("Listed")
    EDITED = "edited", _("Edited")
    DISPATCHED = "dispatched", _("Dispatched")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")
    FALLBACK = "fallback", _("Taken by the parent unit")
    PROGRESS = "progress", _("Progress update")
    STAGE_RESULT = "stage_result", _("Stage result")
    CLOSURE_REQUESTED = "closure_requested", _("Closure requested")
    CLOSED = "closed", _("Closed out")
    SENT_BACK = "sent_back", _("Sent back")
    REOPENED = "reopened", _("Reopened")
    URGED = "urged", _("Urged")
    SUPERVISED = "supervised", _("Put under supervision")
    GRADED = "graded", _("Grade changed")
    LINKED = "linked", _("Submission linked")
    CHANGE_REQUESTED = "change_requested", _("Extension or change requested")
    CHANGE_APPROVED = "change_approved", _("Extension or change approved")
    CHANGE_REFUSED = "change_refused", _("Extension or change refused")
    LEADER_APPROVED = "leader_approved", _("Approved by the unit leader")
    LEADER_SENT_BACK = "leader_sent_back", _("Sent back by the unit leader")


class ChangeKind(models.TextChoices):
    EXTENSION = "extension", _("Extension of the deadline")
    CHANGE = "change", _("Change of commitment or lead unit")


class ChangeStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Request approved")
    REFUSED = "refused", _("Request refused")


# Named status sets: transitions are allowed only from these (see services).
OPEN_STATUSES = frozenset({ItemStatus.LISTED, ItemStatus.DISPATCHED, ItemStatus.RETURNED, ItemStatus.ACCEPTED,
                           ItemStatus.RECTIFYING, ItemStatus.STAGE_RESULT, ItemStatus.LEADER_REVIEW,
                           ItemStatus.CLOSURE_REQUESTED})
CLOSED_STATUSES = frozenset({ItemStatus.CLOSED})
# States in which the deadline runs (graded green/yellow/red).
GRADED_STATUSES = frozenset(OPEN_STATUSES - {ItemStatus.LISTED})
DISPATCHABLE = frozenset({ItemStatus.LISTED, ItemStatus.RETURNED})
ANSWERABLE = frozenset({ItemStatus.DISPATCHED})  # the unit accepts or returns
WORKING = frozenset({ItemStatus.ACCEPTED, ItemStatus.RECTIFYING, ItemStatus.STAGE_RESULT})
# A docket with leader_review on: the handler's closure request waits here for the unit leader (单位领导审核).
IN_LEADER_REVIEW = frozenset({ItemStatus.LEADER_REVIEW})
AWAITING_SIGN_OFF = frozenset({ItemStatus.CLOSURE_REQUESTED})
URGEABLE = frozenset(GRADED_STATUSES)
# Open and dispatched: the promise is locked and moves only through an extension or change request.
CHANGEABLE = frozenset(GRADED_STATUSES)
# States in which the lead unit holds the item: dispatched to it and not handed back.
WITH_UNIT = frozenset(GRADED_STATUSES - {ItemStatus.RETURNED})

# Chinese names accepted in imported files and forms.
PRIORITY_ALIASES = {"一般": Priority.NORMAL, "普通": Priority.NORMAL, "重要": Priority.HIGH, "紧急": Priority.URGENT}


# The loop's internal states as the public reads them (public_status): a return, a leader's review
# or a closure request are the offices' business; to a citizen the item is being handled.
_PUBLIC_STATUS: dict[str, PublicStatus] = {
    ItemStatus.LISTED: PublicStatus.LISTED, ItemStatus.STAGE_RESULT: PublicStatus.STAGE_RESULT,
    ItemStatus.CLOSED: PublicStatus.DONE,
}


def public_status(status: str) -> PublicStatus:
    """The public state of an item in ``status``: listed, being handled, stage results, completed.

    Every internal state that is neither listed, a stage result nor closed (dispatched, returned,
    accepted, in rectification, in the leader's review, closure requested) is "being handled".
    """
    return _PUBLIC_STATUS.get(status, PublicStatus.IN_HAND)
