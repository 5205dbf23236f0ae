"""Extension and change requests: a dispatched promise moves only when the issuer agrees.

The lead unit asks (with a reason); the issuer side decides (``may_verify``: the docket's
verifier unit, never the lead unit itself). An approved request moves the deadline, the
commitment or the lead unit; ``original_deadline`` stays, so on-time figures count the promise.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import PermissionDenied
from qingdan.dockets import notices
from qingdan.dockets.choices import CHANGEABLE, ChangeKind, ChangeStatus, EventKind
from qingdan.dockets.errors import ItemInvalid, TransitionRefused
from qingdan.dockets.models import Item, ItemChangeRequest
from qingdan.dockets.permissions import may_decide_change, may_request_change, may_verify
from qingdan.dockets.services.common import (
    audit_item,
    effective_due,
    event,
    grade_for,
    soon_until,
    step,
    today,
)
from qingdan.dockets.services.items import report_lead_refusal
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside

MAX_TEXT = 20_000


def item_change_request_create(*, actor: Actor, item: Item, kind: str, reason: str,
                               deadline: datetime.date | None = None, commitment: str | None = None,
                               lead_unit: Unit | None = None) -> ItemChangeRequest:
    """Ask to move a dispatched item's deadline (extension) or its commitment or lead unit (change)."""
    if not may_request_change(actor, item):
        raise PermissionDenied(_("You may not ask to change this item."))
    if item.dispatched_at is None or item.status not in CHANGEABLE:
        raise TransitionRefused(_("Only an open, dispatched item takes extension or change requests."))
    pending = ItemChangeRequest.objects.filter(item=item, status=ChangeStatus.PENDING).values_list(
        "pk", flat=True).first()
    if pending is not None:
        raise _one_at_a_time(pending)
    errors: dict[str, str] = {}
    reason = str(reason or "").replace("\x00", "").strip()[:MAX_TEXT]
    commitment = None if commitment is None else str(commitment).replace("\x00", "").strip()[:MAX_TEXT]
    if kind not in ChangeKind.values:
        errors["kind"] = _("Unknown kind of request.")
    if not reason:
        errors["reason"] = _("Give a reason.")
    if kind == ChangeKind.EXTENSION:
        if deadline is None:
            errors["deadline"] = _("An extension names the new deadline.")
        elif item.deadline and deadline <= item.deadline:
            errors["deadline"] = _("An extension moves the deadline later.")
        elif deadline < today():
            errors["deadline"] = _("The deadline %(date)s is in the past.") % {"date": deadline.isoformat()}
        commitment, lead_unit = None, None
    elif kind == ChangeKind.CHANGE:
        if not commitment and lead_unit is None:
            errors["commitment"] = _("A change names a new commitment or a new lead unit.")
        if lead_unit is not None and (not lead_unit.is_active
                                      or not is_inside(lead_unit, item.docket.owner_unit)):
            errors["lead_unit"] = _("Unit %(code)s cannot take items of this list.") % {"code": lead_unit.code}
        elif refusal := report_lead_refusal(lead_unit, item=item):
            errors["lead_unit"] = refusal
        deadline = None
    if errors:
        raise ItemInvalid(errors)
    try:
        with transaction.atomic(durable=True):
            request = ItemChangeRequest.objects.create(
                item=item, kind=kind, deadline=deadline, previous_deadline=item.deadline,
                commitment=commitment or "", lead_unit=lead_unit, reason=reason, requested_by=user_of(actor))
            event(item, EventKind.CHANGE_REQUESTED, actor=actor, text=reason,
                  data={"request": request.pk, "kind": kind, **_proposal(request)})
            audit_item(actor, "item_change_requested", item, after={"request": request.pk, "kind": kind,
                                                                    **_proposal(request)})
            notices.change_requested(item, request)
    except IntegrityError:  # two people asked at the same moment: the unique index lets one through
        raise _one_at_a_time(None) from None
    return request


def _one_at_a_time(pending: int | None) -> TransitionRefused:
    """The refusal of a second request while one waits: it names the waiting one when known."""
    return TransitionRefused(_("This item already has a request waiting for a decision; wait for the decision "
                               "or ask the issuer to decide it first."),
                             extra={"request": pending} if pending is not None else None)


def _proposal(request: ItemChangeRequest) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if request.deadline:
        out["deadline"] = request.deadline.isoformat()
    if request.commitment:
        out["commitment"] = request.commitment
    if request.lead_unit is not None:
        out["lead_unit"] = request.lead_unit.code
    return out


def _may_decide(actor: Actor, item: Item, request: ItemChangeRequest) -> bool:
    """The issuer side decides (``may_decide_change``); the asker is told why they may not."""
    if may_decide_change(actor, item, request.requested_by_id):
        return True
    if may_verify(actor, item):
        raise PermissionDenied(_("A request is decided by someone other than the one who asked."))
    return False


def item_change_request_decide(*, actor: Actor, request: ItemChangeRequest, approve: bool,
                               note: str = "") -> ItemChangeRequest:
    """Approve (the item moves) or refuse (it does not) a pending request, as the issuer."""
    note = str(note or "").replace("\x00", "").strip()[:MAX_TEXT]
    if not approve and not note:
        raise ItemInvalid({"note": _("Say why the request is refused.")})

    def change(current: Item) -> dict:
        locked = ItemChangeRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ChangeStatus.PENDING:
            raise TransitionRefused(_("This request has already been decided."))
        locked.status = ChangeStatus.APPROVED if approve else ChangeStatus.REFUSED
        locked.decided_by, locked.decided_at, locked.note = user_of(actor), timezone.now(), note
        locked.save()
        request.__dict__.update({k: getattr(locked, k) for k in ("status", "decided_by_id", "decided_at", "note")})
        if approve:
            if locked.deadline:
                if current.original_deadline is None:
                    current.original_deadline = current.deadline
                current.deadline, current.deadline_working_days = locked.deadline, None
            if locked.commitment:
                current.commitment = locked.commitment
            if locked.lead_unit_id and locked.lead_unit_id != current.lead_unit_id and locked.lead_unit is not None:
                current.lead_unit, current.handler = locked.lead_unit, None
            on = today()
            current.due_on = effective_due(current)
            current.grade = grade_for(current.due_on, on=on, soon=soon_until(on, current.docket.due_soon_days))
        event(current, EventKind.CHANGE_APPROVED if approve else EventKind.CHANGE_REFUSED, actor=actor,
              text=note, data={"request": locked.pk, "kind": locked.kind, **_proposal(locked)})
        notices.change_decided(current, locked)
        return {"request": locked.pk, "approved": approve, **_proposal(locked)}

    step(actor=actor, item=request.item, action="item_change_approved" if approve else "item_change_refused",
         allowed=CHANGEABLE, permitted=lambda a, i: _may_decide(a, i, request), change=change)
    return request


def approved_extensions(items: Any) -> int:
    """How many approved extensions the items had (shown beside the on-time rate, not hidden in it)."""
    return ItemChangeRequest.objects.filter(item__in=items, kind=ChangeKind.EXTENSION,
                                            status=ChangeStatus.APPROVED).count()
