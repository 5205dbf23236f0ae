"""The loop: dispatch, accept or return, rectify, ask for closure, close (销号) or send back, reopen.

Every step goes through ``common.step``: it locks the item, checks who may act, the version
the actor read and the state, records the timeline event and the audit row in the same
transaction, and audits a refusal too.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.core.files import FilesRefused, clean_files, stored_file_create
from qingdan.core.workdays import add_working_days
from qingdan.dockets import notices
from qingdan.dockets.choices import (
    ANSWERABLE,
    AWAITING_SIGN_OFF,
    DISPATCHABLE,
    GRADED_STATUSES,
    IN_LEADER_REVIEW,
    URGEABLE,
    WORKING,
    EventKind,
    ItemStatus,
)
from qingdan.dockets.errors import ItemInvalid, TransitionRefused
from qingdan.dockets.models import Evidence, Item
from qingdan.dockets.permissions import is_own_work, may_lead_review, may_list, may_verify, may_work
from qingdan.dockets.services.common import effective_due, event, grade_for, soon_until, step, today
from qingdan.dockets.services.items import MAX_TEXT, report_lead_refusal, rollup_progress
from qingdan.intake.casework import FOLLOWS_ITEM, submission_dispatch
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_reply
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside

MAX_EVIDENCE = 20


def _reason(text: str, field: str = "reason") -> str:
    text = str(text or "").replace("\x00", "").strip()
    if not text:
        raise ItemInvalid({field: _("Please give a reason.") if field == "reason" else _("Please write it.")})
    if len(text) > MAX_TEXT:
        raise ItemInvalid({field: _("Too long (at most %(max)d characters).") % {"max": MAX_TEXT}})
    return text


def clean_evidence(files: Sequence[tuple[str, bytes]]) -> list:
    """Check evidence files by content before anything is written: photos and PDFs only."""
    try:
        return clean_files(files)
    except FilesRefused as exc:
        raise ItemInvalid({"files": str(exc)}) from None


def _store_evidence(item: Item, files: list, *, actor: Actor, ev: Any) -> int:
    if Evidence.objects.filter(item=item).count() + len(files) > MAX_EVIDENCE:
        raise ItemInvalid({"files": _("An item keeps at most %(n)d evidence files.") % {"n": MAX_EVIDENCE}})
    for clean in files:
        stored_file_create(model=Evidence, clean=clean, item=item, event=ev,
                           uploaded_by=user_of(actor))
    return len(files)


def _submissions(item: Item) -> list:
    """The item's submissions that still follow it (not those closed or rejected meanwhile)."""
    return list(Submission.objects.filter(item_link__item=item, status__in=FOLLOWS_ITEM).select_related("unit"))


def item_dispatch(*, actor: Actor, item: Item, version: int | None = None, lead_unit: Unit | None = None,
                  on: datetime.date | None = None) -> Item:
    """Send an item to its lead unit (交办), or to another unit when it was returned."""
    on = on or today()

    def change(current: Item) -> dict:
        if lead_unit is not None and lead_unit.pk != current.lead_unit_id:
            if not lead_unit.is_active or not is_inside(lead_unit, current.docket.owner_unit):
                raise ItemInvalid({"lead_unit": _("Unit %(code)s cannot take items of this list.")
                                   % {"code": lead_unit.code}})
            refusal = report_lead_refusal(lead_unit, item=current)
            if refusal:
                raise ItemInvalid({"lead_unit": refusal})
            current.lead_unit = lead_unit
            current.handler = None
        if current.deadline_working_days:
            current.deadline = add_working_days(on, current.deadline_working_days)
        if current.deadline and current.deadline < on:
            raise ItemInvalid({"deadline": _("The deadline %(date)s has passed; set a new one before dispatching.")
                               % {"date": current.deadline.isoformat()}})
        current.due_on = effective_due(current)
        if current.original_deadline is None:  # the promise is made once; a re-dispatch keeps it
            current.original_deadline = current.deadline
        current.grade = grade_for(current.due_on, on=on, soon=soon_until(on, current.docket.due_soon_days))
        previous, current.status = current.status, ItemStatus.DISPATCHED
        current.dispatched_at, current.returned_at = timezone.now(), None
        event(current, EventKind.DISPATCHED, actor=actor, from_status=previous, to_status=current.status)
        for submission in _submissions(current):
            submission_dispatch(actor=actor, submission=submission, unit=current.lead_unit)
        notices.item_dispatched(current)
        return {"lead_unit": current.lead_unit.code, "deadline": current.deadline}

    return step(actor=actor, item=item, action="item_dispatched", allowed=DISPATCHABLE,
                permitted=lambda a, i: may_list(a, i.docket), version=version, change=change)


def items_dispatch(*, actor: Actor, items: Sequence[Item]) -> tuple[list[Item], dict[int, str]]:
    """Dispatch many items (bulk 交办): each succeeds or is refused on its own, with its reason."""
    done, refused = [], {}
    for item in items:
        try:
            done.append(item_dispatch(actor=actor, item=item))
        except ApplicationError as exc:
            refused[item.pk] = exc.message
    return done, refused


def item_accept(*, actor: Actor, item: Item, version: int | None = None) -> Item:
    """The lead unit takes the item on; the accepting person becomes its handler if it had none."""

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.ACCEPTED
        current.accepted_at = timezone.now()
        accepter = user_of(actor)
        if current.handler_id is None and accepter is not None:
            current.handler = accepter
        event(current, EventKind.ACCEPTED, actor=actor, from_status=previous, to_status=current.status)
        return {"handler": current.handler_id}

    return step(actor=actor, item=item, action="item_accepted", allowed=ANSWERABLE, permitted=may_work,
                version=version, change=change)


def _fallback(current: Item, *, actor: Actor, why: str) -> bool:
    """Hand the item to the parent of the unit that would not take it (兜底). False at the root."""
    parent = Unit.objects.filter(path=current.lead_unit.parent_path).first() if current.lead_unit.depth > 1 else None
    if parent is None or not parent.is_active or not is_inside(parent, current.docket.owner_unit):
        return False
    previous_unit = current.lead_unit
    current.lead_unit, current.handler = parent, None
    previous, current.status = current.status, ItemStatus.DISPATCHED
    current.dispatched_at, current.returned_at, current.returns = timezone.now(), None, 0
    event(current, EventKind.FALLBACK, actor=actor, from_status=previous, to_status=current.status,
          text=why, data={"from_unit": previous_unit.code, "to_unit": parent.code})
    notices.item_dispatched(current)
    return True


def item_return(*, actor: Actor, item: Item, reason: str, version: int | None = None) -> Item:
    """The unit refuses the item with a reason (退单); after too many returns the parent unit takes it."""
    reason = _reason(reason)

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.RETURNED
        current.returns += 1
        current.returned_at, current.handler = timezone.now(), None
        event(current, EventKind.RETURNED, actor=actor, from_status=previous, to_status=current.status,
              text=reason, data={"returns": current.returns})
        fell_back = False
        if current.returns >= current.docket.fallback_after_returns:
            fell_back = _fallback(current, actor="system", why=_("Returned %(n)d times") % {"n": current.returns})
        if not fell_back:
            notices.item_returned(current, reason)
        return {"returns": current.returns, "fallback": fell_back, "lead_unit": current.lead_unit.code}

    return step(actor=actor, item=item, action="item_returned", allowed=ANSWERABLE, permitted=may_work,
                version=version, change=change)


def items_fallback_stale_returns(*, now: datetime.datetime | None = None) -> int:
    """Give returned items that no one re-dispatched in time to the parent unit; return how many."""
    now = now or timezone.now()
    moved = 0
    stale = Item.objects.filter(status=ItemStatus.RETURNED, returned_at__isnull=False).select_related("docket")
    for item in stale.iterator():
        assert item.returned_at is not None  # returned_at__isnull=False
        if item.returned_at + datetime.timedelta(hours=item.docket.fallback_after_hours) > now:
            continue

        def change(current: Item) -> dict:
            hours = current.docket.fallback_after_hours
            if not _fallback(current, actor="system",
                             why=_("Not re-dispatched within %(h)d hours") % {"h": hours}):
                raise TransitionRefused(_("No parent unit to take the item."))
            return {"lead_unit": current.lead_unit.code}

        try:
            step(actor="system", item=item, action="item_fallback", allowed={ItemStatus.RETURNED},
                 permitted=lambda a, i: True, change=change)
            moved += 1
        except ApplicationError:
            continue
    return moved


def item_progress(*, actor: Actor, item: Item, progress: int | None = None, measures: str | None = None,
                  text: str = "", files: Sequence[tuple[str, bytes]] = (), version: int | None = None) -> Item:
    """Record rectification work: progress, measures, a note and evidence."""
    if progress is not None and not (isinstance(progress, int) and 0 <= progress <= 100):
        raise ItemInvalid({"progress": _("Progress is a whole number from 0 to 100.")})
    cleaned = clean_evidence(files)
    text = str(text or "").strip()[:MAX_TEXT]

    def change(current: Item) -> dict:
        previous = current.status
        if current.status == ItemStatus.ACCEPTED:
            current.status = ItemStatus.RECTIFYING
        if progress is not None:
            if current.children.exists():
                raise ItemInvalid({"progress": _("This item's progress comes from its sub-items.")})
            current.progress = progress
        if measures is not None:
            current.measures = str(measures).strip()[:MAX_TEXT]
        ev = event(current, EventKind.PROGRESS, actor=actor, from_status=previous, to_status=current.status,
                   text=text, data={"progress": current.progress, "files": len(cleaned)})
        _store_evidence(current, cleaned, actor=actor, ev=ev)
        return {"progress": current.progress}

    return step(actor=actor, item=item, action="item_progress", allowed=WORKING, permitted=may_work,
                version=version, change=change, then=_rollup_parent)


def _rollup_parent(current: Item) -> None:
    parent = current.parent  # no query when there is none
    if parent is not None:
        rollup_progress(parent)


def item_stage_result(*, actor: Actor, item: Item, text: str, files: Sequence[tuple[str, bytes]] = (),
                      version: int | None = None) -> Item:
    """Report an important stage result (阶段性成果): counted apart, the work goes on under watch."""
    text = _reason(text, "text")
    cleaned = clean_evidence(files)

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.STAGE_RESULT
        current.stage_result_at = timezone.now()
        ev = event(current, EventKind.STAGE_RESULT, actor=actor, from_status=previous, to_status=current.status,
                   text=text)
        _store_evidence(current, cleaned, actor=actor, ev=ev)
        return {}

    return step(actor=actor, item=item, action="item_stage_result",
                allowed={ItemStatus.ACCEPTED, ItemStatus.RECTIFYING}, permitted=may_work, version=version,
                change=change)


def item_request_closure(*, actor: Actor, item: Item, reply: str, files: Sequence[tuple[str, bytes]] = (),
                         version: int | None = None) -> Item:
    """Ask for close-out with evidence and the answer the public will read.

    When the docket has ``leader_review`` on, the request first waits for a leader of the lead
    unit (``item_leader_approve``); otherwise it goes straight to the verifier.
    """
    reply = _reason(reply, "reply")
    cleaned = clean_evidence(files)

    def change(current: Item) -> dict:
        if not cleaned and not current.evidence.exists():
            raise ItemInvalid({"files": _("Closure needs evidence: attach at least one photo or document.")})
        open_children = current.children.exclude(status=ItemStatus.CLOSED).count()
        if open_children:
            raise TransitionRefused(_("%(n)d sub-items are still open.") % {"n": open_children})
        review = current.docket.leader_review
        previous = current.status
        current.status = ItemStatus.LEADER_REVIEW if review else ItemStatus.CLOSURE_REQUESTED
        current.reply, current.progress = reply, 100
        current.closure_requested_at = timezone.now()
        current.closure_requested_by = user_of(actor)
        ev = event(current, EventKind.CLOSURE_REQUESTED, actor=actor, from_status=previous,
                   to_status=current.status, text=reply)
        _store_evidence(current, cleaned, actor=actor, ev=ev)
        if review:
            notices.leader_review_requested(current)
        else:
            notices.closure_requested(current)
        return {"leader_review": review}

    return step(actor=actor, item=item, action="item_closure_requested", allowed=WORKING, permitted=may_work,
                version=version, change=change)


def _may_review(actor: Actor, item: Item) -> bool:
    if not may_lead_review(actor, item):
        return False
    reviewer = user_of(actor)
    if reviewer is not None and reviewer.pk in {item.closure_requested_by_id, item.handler_id}:
        raise PermissionDenied(_("A leader other than the one who asked for closure reviews it."))
    return True


def item_leader_approve(*, actor: Actor, item: Item, text: str = "", version: int | None = None) -> Item:
    """A leader of the lead unit approves the closure request (单位领导审核); it goes up to the verifier."""
    text = str(text or "").strip()[:MAX_TEXT]

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.CLOSURE_REQUESTED
        event(current, EventKind.LEADER_APPROVED, actor=actor, from_status=previous, to_status=current.status,
              text=text)
        notices.closure_requested(current)
        return {}

    return step(actor=actor, item=item, action="item_leader_approved", allowed=IN_LEADER_REVIEW,
                permitted=_may_review, version=version, change=change)


def item_leader_send_back(*, actor: Actor, item: Item, reason: str, version: int | None = None) -> Item:
    """A leader of the lead unit sends the closure request back with a reason: the work goes on."""
    return _send_back(actor=actor, item=item, reason=reason, version=version, kind=EventKind.LEADER_SENT_BACK,
                      action="item_leader_sent_back", allowed=IN_LEADER_REVIEW, permitted=may_lead_review)


def _send_back(*, actor: Actor, item: Item, reason: str, version: int | None, kind: str, action: str,
               allowed: Any, permitted: Any) -> Item:
    """Refuse a closure request with a reason, at the leader's review or the verifier's: back to the work."""
    reason = _reason(reason)

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.RECTIFYING
        current.closure_requested_at = None
        event(current, kind, actor=actor, from_status=previous, to_status=current.status, text=reason)
        notices.item_sent_back(current, reason)
        return {}

    return step(actor=actor, item=item, action=action, allowed=allowed, permitted=permitted, version=version,
                change=change)


def _may_close(actor: Actor, item: Item) -> bool:
    if not may_verify(actor, item):
        return False
    if is_own_work(actor, item):
        raise PermissionDenied(_("Close-out needs a second person: you handled this item or asked for its closure."))
    return True


def item_close(*, actor: Actor, item: Item, text: str = "", version: int | None = None) -> Item:
    """Verify and close the item (销号); its citizens receive the reply."""
    text = str(text or "").strip()[:MAX_TEXT]

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.CLOSED
        current.closed_at, current.closed_by = timezone.now(), user_of(actor)
        event(current, EventKind.CLOSED, actor=actor, from_status=previous, to_status=current.status, text=text)
        for submission in _submissions(current):
            submission_reply(actor=actor, submission=submission, text=current.reply, unit=current.lead_unit)
        notices.item_closed(current)
        return {"closed_by": current.closed_by_id}

    return step(actor=actor, item=item, action="item_closed", allowed=AWAITING_SIGN_OFF,
                permitted=_may_close, version=version, change=change, then=_rollup_parent)


def item_send_back(*, actor: Actor, item: Item, reason: str, version: int | None = None) -> Item:
    """Refuse the closure with reasons: the work goes on."""
    return _send_back(actor=actor, item=item, reason=reason, version=version, kind=EventKind.SENT_BACK,
                      action="item_sent_back", allowed=AWAITING_SIGN_OFF, permitted=may_verify)


def item_reopen(*, actor: Actor, item: Item, reason: str, version: int | None = None) -> Item:
    """Open a closed item again: the problem recurred, or a citizen was not satisfied.

    Progress goes back to 0: the 100 % set when closure was asked for said the work was done,
    and reopening says it was not; the lead unit records its progress again.
    """
    return _item_reopen(actor=actor, item=item, reason=reason, version=version, durable=True)


def _item_reopen(*, actor: Actor, item: Item, reason: str, version: int | None, durable: bool) -> Item:
    """``item_reopen``, or with ``durable=False`` its step inside the caller's transaction (a rating)."""
    reason = _reason(reason)

    def change(current: Item) -> dict:
        previous, current.status = current.status, ItemStatus.RECTIFYING
        current.reopened += 1
        current.progress = 0
        current.closed_at = current.closed_by = current.closure_requested_at = current.closure_requested_by = None
        on = today()
        current.grade = grade_for(current.due_on, on=on, soon=soon_until(on, current.docket.due_soon_days))
        event(current, EventKind.REOPENED, actor=actor, from_status=previous, to_status=current.status,
              text=reason, data={"reopened": current.reopened})
        notices.item_reopened(current, reason)
        return {"reopened": current.reopened}

    return step(actor=actor, item=item, action="item_reopened", allowed={ItemStatus.CLOSED},
                permitted=may_verify, version=version, change=change, then=_rollup_parent, durable=durable)


def item_urge(*, actor: Actor, item: Item, text: str = "") -> Item:
    """Send a formal reminder (催办) to the handler and the accountable leader."""
    text = str(text or "").strip()[:MAX_TEXT]

    def change(current: Item) -> dict:
        event(current, EventKind.URGED, actor=actor, text=text)
        notices.item_urged(current, text)
        return {}

    return step(actor=actor, item=item, action="item_urged", allowed=URGEABLE, permitted=may_verify, change=change)


def item_supervise(*, actor: Actor, item: Item, deadline: datetime.date, text: str = "",
                   version: int | None = None) -> Item:
    """Put an item under supervision (挂牌督办) with its own deadline."""
    on = today()
    if deadline is None or deadline < on:
        raise ItemInvalid({"deadline": _("The supervision deadline must be today or later.")})
    text = str(text or "").strip()[:MAX_TEXT]

    def change(current: Item) -> dict:
        current.supervised, current.supervise_deadline = True, deadline
        current.due_on = effective_due(current)
        current.grade = grade_for(current.due_on, on=on, soon=soon_until(on, current.docket.due_soon_days))
        event(current, EventKind.SUPERVISED, actor=actor, text=text, data={"deadline": deadline.isoformat()})
        notices.item_urged(current, text or _("This item is now under supervision until %(d)s.")
                           % {"d": deadline.isoformat()})
        return {"supervise_deadline": deadline}

    return step(actor=actor, item=item, action="item_supervised", allowed=GRADED_STATUSES, permitted=may_verify,
                version=version, change=change)
