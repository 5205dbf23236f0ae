"""Dockets and items over HTTP: list and read in the caller's view, list items, edit with versions, take steps.

Thin handlers over the same services as the pages. The public endpoints need no token and
show only what an organizer published, redacted like the public pages.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from qingdan.core.errors import NotFound, PermissionDenied
from qingdan.core.logging import redact
from qingdan.dockets import selectors, services
from qingdan.dockets.choices import public_status
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Docket, Item, ItemChangeRequest
from qingdan.dockets.schemas import (
    ChangeDecisionIn,
    ChangeRequestFilterIn,
    ChangeRequestIn,
    ChangeRequestOut,
    ChangeRequestPageOut,
    DocketOut,
    DocketPatchIn,
    ItemFilterIn,
    ItemIn,
    ItemOut,
    ItemPageOut,
    ItemPatchIn,
    PublicDocketOut,
    PublicItemOut,
    StepIn,
)
from qingdan.intake.api import submission_out
from qingdan.intake.permissions import may_follow_up
from qingdan.intake.schemas import RatingIn, SubmissionOut
from qingdan.intake.selectors import submission_get_for_user, submission_queryset_for_user
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_get_for_user

router = Router(tags=["dockets"])
public_router = Router(tags=["public"], auth=None)


def _docket_out(docket: Docket, counts: selectors.DocketCounts) -> dict:
    return {"id": docket.pk, "name": docket.name, "kind": docket.kind, "source": docket.source,
            "owner_unit": docket.owner_unit.code, "level": docket.level, "published": docket.published,
            "verifier_unit": docket.verifier_unit.code if docket.verifier_unit else None,
            "leader_review": docket.leader_review, "counts": counts.as_dict()}


def _list_out(item: Item) -> dict:
    return {"id": item.pk, "docket": item.docket_id, "number": item.number, "title": item.title,
            "lead_unit": item.lead_unit.code, "status": item.status, "grade": item.grade,
            "supervised": item.supervised, "due_on": item.due_on, "progress": item.progress, "version": item.version}


def _item_out(request: HttpRequest, item: Item) -> dict:
    codes = list(submission_queryset_for_user(request.user).filter(item_link__item=item)
                 .values_list("tracking_code", flat=True))
    events = [{"kind": e.kind, "from_status": e.from_status, "to_status": e.to_status, "text": e.text,
               "actor": e.actor.username if e.actor else e.actor_label, "unit": e.unit.code if e.unit else None,
               "at": e.at} for e in selectors.item_timeline(item)]
    return {**_list_out(item), "description": item.description,
            "co_units": [u.code for u in item.co_units.all()],
            "leader": item.leader.username if item.leader else None,
            "handler": item.handler.username if item.handler else None, "commitment": item.commitment,
            "deadline": item.deadline, "original_deadline": item.original_deadline,
            "deadline_working_days": item.deadline_working_days,
            "supervise_deadline": item.supervise_deadline, "priority": item.priority, "category": item.category,
            "measures": item.measures, "reply": item.reply, "parent": item.parent_id, "published": item.published,
            "returns": item.returns, "reopened": item.reopened, "submissions": codes, "events": events,
            "hot_issues": list(item.hot_issues.values_list("pk", flat=True))}


@router.get("/", response=list[DocketOut], summary="Lists you run or work on, with their counters")
def docket_list(request: HttpRequest) -> list[dict]:
    dockets = list(selectors.docket_queryset_for_user(request.user).select_related("owner_unit",
                                                                                 "verifier_unit")[:500])
    counts = selectors.docket_counts_by_docket(selectors.item_queryset_for_user(request.user), dockets)
    return [_docket_out(d, counts[d.pk]) for d in dockets]


def _docket_detail(request: HttpRequest, docket_id: int) -> dict:
    docket = selectors.docket_get_for_user(request.user, pk=docket_id)
    counts = selectors.docket_counts_by_docket(selectors.item_queryset_for_user(request.user), [docket])
    return _docket_out(docket, counts[docket.pk])


@router.get("/{int:docket_id}", response=DocketOut, summary="One list with its counters and settings")
def docket_detail(request: HttpRequest, docket_id: int) -> dict:
    return _docket_detail(request, docket_id)


@router.patch("/{int:docket_id}", response=DocketOut,
              summary="Change a list's settings: who verifies it (the owner unit's organizers)")
def docket_patch(request: HttpRequest, docket_id: int, payload: DocketPatchIn) -> dict:
    docket = selectors.docket_get_for_user(request.user, pk=docket_id)
    changes = payload.dict(exclude_unset=True)
    errors: dict[str, str] = {}
    if changes.get("verifier_unit"):
        changes["verifier_unit"] = _unit(request, changes["verifier_unit"], "verifier_unit", errors)
    elif "verifier_unit" in changes:
        changes["verifier_unit"] = None
    if changes.get("leader_review", False) is None:
        changes.pop("leader_review")
    if errors:
        raise ItemInvalid(errors)
    services.docket_update(actor=request.user, docket=docket, changes=changes)
    return _docket_detail(request, docket_id)


@router.get("/items", response=ItemPageOut, summary="Items you may see, filtered")
def item_list(request: HttpRequest, filters: Query[ItemFilterIn]) -> dict:
    queryset = selectors.items_filter(selectors.item_queryset_for_user(request.user),
                                      selectors.item_filters_for(request.user, **filters.dict())
                                      ).select_related("lead_unit").order_by("due_on", "pk")
    rows = queryset[filters.offset:filters.offset + filters.limit]
    return {"count": queryset.count(), "items": [_list_out(i) for i in rows]}


@router.get("/items/{int:item_id}", response=ItemOut, summary="One item with its timeline")
def item_detail(request: HttpRequest, item_id: int) -> dict:
    return _item_out(request, selectors.item_get_for_user(request.user, pk=item_id))


def _unit(request: HttpRequest, code: str, field: str, errors: dict) -> Unit | None:
    try:
        return unit_get_for_user(request.user, code=code)
    except NotFound:
        errors[field] = _("No unit %(code)s in your scope.") % {"code": code[:64]}
        return None


@router.post("/items", response={201: ItemOut}, summary="List an item (拉单列项)")
def item_create(request: HttpRequest, payload: ItemIn) -> Status:
    docket = selectors.docket_get_for_user(request.user, pk=payload.docket)
    errors: dict[str, str] = {}
    lead = _unit(request, payload.lead_unit, "lead_unit", errors)
    co_units = [u for u in (_unit(request, c, "co_units", errors) for c in payload.co_units) if u]
    parent = None
    if payload.parent is not None:
        parent = selectors.item_queryset_for_user(request.user).filter(pk=payload.parent).first()
        if parent is None:
            errors["parent"] = _("No such item in your scope.")
    submissions = []
    if payload.submissions:
        for code in payload.submissions:
            try:
                submissions.append(submission_get_for_user(request.user, code=code))
            except NotFound:
                errors["submissions"] = _("No submission %(code)s in your scope.") % {"code": code[:20]}
    if errors:
        raise ItemInvalid(errors)
    item = services.item_create(
        actor=request.user, docket=docket, title=payload.title, lead_unit=lead, description=payload.description,
        co_units=co_units, commitment=payload.commitment, deadline=payload.deadline,
        deadline_working_days=payload.deadline_working_days, priority=payload.priority, category=payload.category,
        parent=parent, published=payload.published, submissions=submissions)
    return Status(201, _item_out(request, selectors.item_get_for_user(request.user, pk=item.pk)))


@router.patch("/items/{int:item_id}", response=ItemOut, summary="Edit an item; a stale version is 409")
def item_patch(request: HttpRequest, item_id: int, payload: ItemPatchIn) -> dict:
    item = selectors.item_get_for_user(request.user, pk=item_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if changes:
        services.item_update(actor=request.user, item=item, version=version, changes=changes)
    return _item_out(request, selectors.item_get_for_user(request.user, pk=item_id))


@router.post("/items/{int:item_id}/{step}", response=ItemOut,
             summary="Take a step: dispatch, accept, return, progress, stage_result, request_closure, "
                     "leader_approve, leader_send_back, close, send_back, reopen, urge, supervise")
def item_step(request: HttpRequest, item_id: int, step: str, payload: StepIn) -> dict:
    """Evidence files are uploaded on the item page; over the API a closure needs evidence already there."""
    item = selectors.item_get_for_user(request.user, pk=item_id)
    errors: dict[str, str] = {}
    unit = _unit(request, payload.lead_unit, "lead_unit", errors) if step == "dispatch" and payload.lead_unit else None
    if errors:
        raise ItemInvalid(errors)
    services.item_take_step(actor=request.user, item=item, step=step, version=payload.version, text=payload.text,
                            progress=payload.progress, measures=payload.measures, lead_unit=unit,
                            deadline=payload.deadline)
    return _item_out(request, selectors.item_get_for_user(request.user, pk=item_id))


def _change_out(request: ItemChangeRequest) -> dict:
    return {"id": request.pk, "item": request.item_id, "kind": request.kind, "status": request.status,
            "reason": request.reason, "deadline": request.deadline, "previous_deadline": request.previous_deadline,
            "commitment": request.commitment, "lead_unit": request.lead_unit.code if request.lead_unit else None,
            "requested_by": request.requested_by.username if request.requested_by else None,
            "requested_at": request.requested_at,
            "decided_by": request.decided_by.username if request.decided_by else None,
            "decided_at": request.decided_at, "note": request.note}


@router.get("/change-requests", response=ChangeRequestPageOut,
            summary="Extension and change requests on items you may see; to_decide=true: those waiting for you")
def change_request_list(request: HttpRequest, filters: Query[ChangeRequestFilterIn]) -> dict:
    if filters.to_decide:
        queryset = selectors.change_requests_to_decide(request.user)
    else:
        queryset = selectors.change_request_queryset_for_user(request.user).order_by("-requested_at", "-pk")
    if filters.item is not None:
        queryset = queryset.filter(item_id=filters.item)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    rows = queryset.select_related("lead_unit", "requested_by", "decided_by")[
        filters.offset:filters.offset + filters.limit]
    return {"count": queryset.count(), "requests": [_change_out(r) for r in rows]}


@router.get("/change-requests/{int:request_id}", response=ChangeRequestOut, summary="One request")
def change_request_detail(request: HttpRequest, request_id: int) -> dict:
    return _change_out(selectors.change_request_get_for_user(request.user, pk=request_id))


@router.post("/change-requests", response={201: ChangeRequestOut},
             summary="Ask for an extension (延期申请) or a change (变更申请) of a dispatched item")
def change_request_create(request: HttpRequest, payload: ChangeRequestIn) -> Status:
    item = selectors.item_get_for_user(request.user, pk=payload.item)
    errors: dict[str, str] = {}
    unit = _unit(request, payload.lead_unit, "lead_unit", errors) if payload.lead_unit else None
    if errors:
        raise ItemInvalid(errors)
    created = services.item_change_request_create(
        actor=request.user, item=item, kind=payload.kind, reason=payload.reason, deadline=payload.deadline,
        commitment=payload.commitment, lead_unit=unit)
    return Status(201, _change_out(selectors.change_request_get_for_user(request.user, pk=created.pk)))


@router.post("/change-requests/{int:request_id}/decide", response=ChangeRequestOut,
             summary="Approve or refuse a pending request, as the list's issuer (a refusal needs a note)")
def change_request_decide(request: HttpRequest, request_id: int, payload: ChangeDecisionIn) -> dict:
    found = selectors.change_request_get_for_user(request.user, pk=request_id)
    services.item_change_request_decide(actor=request.user, request=found, approve=payload.approve,
                                        note=payload.note)
    return _change_out(selectors.change_request_get_for_user(request.user, pk=request_id))


def _public_item(item: Item) -> dict:
    return {"id": item.pk, "docket": item.docket_id, "number": item.number, "title": redact(item.title),
            "lead_unit": item.lead_unit.name, "commitment": redact(item.commitment),
            "measures": redact(item.measures), "due_on": item.due_on, "progress": item.progress,
            "status": item.status, "public_status": public_status(item.status)}


@public_router.get("/dockets", response=list[PublicDocketOut], summary="Published lists (no token needed)")
def public_docket_list(request: HttpRequest) -> list[dict]:
    dockets = list(selectors.public_dockets()[:200])
    counts = selectors.docket_counts_by_docket(selectors.public_items(), dockets)
    return [{"id": d.pk, "name": d.name, "owner_unit": d.owner_unit.name, "source": d.source,
             "counts": counts[d.pk].as_dict()} for d in dockets]


@public_router.get("/dockets/{int:docket_id}/items", response=list[PublicItemOut],
                   summary="Published items of a published list")
def public_item_list(request: HttpRequest, docket_id: int) -> list[dict]:
    docket = selectors.public_docket_get(pk=docket_id)
    return [_public_item(i) for i in selectors.public_items(docket).order_by("number")[:1000]]


# Mounted at /submissions beside intake's router: the follow-up rating is dockets' action
# (``services.submission_rate`` reopens the item an unhappy rating concerns), and intake may not
# import dockets, so the endpoint lives here under the submission's address.
followup_router = Router(tags=["submissions"])


@followup_router.post("/{code}/rating", response=SubmissionOut,
                      summary="Record the follow-up rating the person gave on a call (operators and supervisors)")
def submission_rating(request: HttpRequest, code: str, payload: RatingIn) -> SubmissionOut:
    """Satisfied? Solved? Why not? Once per answer; 不满意 reopens the item that answered, if any."""
    submission = submission_get_for_user(request.user, code=code)
    if not may_follow_up(request.user, submission):
        raise PermissionDenied(_("Only the operators and supervisors of the unit record follow-ups."))
    services.submission_rate(submission=submission, rating=payload.satisfaction, solved=payload.solved,
                             reason=payload.reason, actor=request.user)
    submission.refresh_from_db()
    return submission_out(request, submission)
