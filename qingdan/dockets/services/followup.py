"""The citizen's follow-up rating as one action: record it in intake, apply it to the loop.

Every surface that takes a rating (the tracking page, the REST API's follow-up call, a
questionnaire's answer) calls ``submission_rate`` here. dockets sits above intake, so this
module may use both; intake never learns of items (the layers contract forbids it), and the
rating no longer reaches the loop through a signal.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.core.actors import CITIZEN, SYSTEM, Actor
from qingdan.dockets.choices import ItemStatus
from qingdan.dockets.models import Item, ItemSubmission
from qingdan.dockets.services.items import MAX_TEXT
from qingdan.dockets.services.loop import _item_reopen
from qingdan.intake.casework import ACCEPTING_RATINGS, submission_close, submission_reopen
from qingdan.intake.choices import SubmissionKind
from qingdan.intake.models import Rating, Submission
from qingdan.intake.services import rating_add


def submission_rate(*, submission: Submission, rating: str, solved: bool | None = None, reason: str = "",
                    actor: Actor = CITIZEN) -> Submission:
    """Record the follow-up (回访) of an answer and apply it to the item that answered, in one transaction.

    The rating (``intake.services.rating_add``: its checks, its ``Rating`` row, its audit entry
    and the figures counting it) and what it does to the loop (``item_reopen_for_rating``)
    commit together or not at all: a reopening that fails leaves the answer unrated, to be rated
    again, never rated with its item still closed.
    """
    with transaction.atomic(durable=True):
        record = rating_add(submission=submission, rating=rating, solved=solved, reason=reason, actor=actor)
        item_reopen_for_rating(rating=record)
    return submission


def item_reopen_for_rating(*, rating: Rating) -> Item | None:
    """Apply a citizen's follow-up rating to the item that answered them: the one rule of the follow-up.

    满意 or 基本满意 accepts the answer and closes the case; 不满意 reopens the closed item, with
    the citizen's reason on its timeline, and the case, so it is answered (and rated) again. An
    answer the citizen calls unsolved but is satisfied with is accepted: it counts against the
    unit's 解决率, not as a reopening. A case answered without an item has nothing to reopen.
    Runs inside ``submission_rate``'s transaction, so its steps are not durable of their own.
    """
    submission = rating.submission
    link = ItemSubmission.objects.select_related("item").filter(submission=submission).first()
    if link is None:
        return None
    item = link.item
    if rating.satisfaction in ACCEPTING_RATINGS:
        submission_close(actor=SYSTEM, submission=submission)
        return item
    if item.status != ItemStatus.CLOSED:
        return item
    if submission.kind == SubmissionKind.REPORT:
        # Whoever sees the item may not see the report: its code and words stay with it.
        reason = _("The person who reported was not satisfied with the answer (the reason is with the report).")
    elif rating.reason:
        reason = (_("The citizen (%(code)s) was not satisfied with the answer: %(reason)s")
                  % {"code": submission.tracking_code, "reason": rating.reason})
    else:
        reason = (_("The citizen (%(code)s) was not satisfied with the answer (no reason given).")
                  % {"code": submission.tracking_code})
    reopened = _item_reopen(actor=SYSTEM, item=item, reason=reason[:MAX_TEXT], version=None, durable=False)
    submission_reopen(actor=SYSTEM, submission=submission, reason=_("Reopened: the case is being handled again."))
    return reopened
