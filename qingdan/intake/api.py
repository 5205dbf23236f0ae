"""Submissions over HTTP: create (idempotent), list and fetch inside the caller's view, reply.

Thin handlers: parse, select through the scope, call a service, shape the answer. Every
submission the API creates has channel ``api`` and the source ``api:<user id>``, so an
``Idempotency-Key`` is private to the caller: two integrations using the same key never
receive each other's submission.

Attachments are accepted as base64 in the JSON body (at most 5, images and PDF checked by
content, as on the public form). The whole body is bounded by Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default): larger files belong to the public form's
multipart upload, and an oversized body is answered 400, never half-read.
"""

from __future__ import annotations

import base64
import binascii
import copy
import datetime
import re
import time

from django.db import IntegrityError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Status

from qingdan.core.errors import NotFound, PermissionDenied
from qingdan.intake import codes, selectors, services
from qingdan.intake.choices import Channel
from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.models import Submission
from qingdan.intake.permissions import may_follow_up, may_reply
from qingdan.intake.privacy import contact_for
from qingdan.intake.schemas import (
    ContactOut,
    EventOut,
    RatingIn,
    RatingOut,
    ReplyIn,
    SubmissionCreatedOut,
    SubmissionFilter,
    SubmissionIn,
    SubmissionListItemOut,
    SubmissionOut,
    SubmissionPageOut,
)
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user
from qingdan.units.selectors import unit_get_for_user

router = Router(tags=["submissions"])

# Printable, no spaces: it becomes part of a unique database key, so nothing a driver could choke on.
_IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9._:~+/=-]{1,64}$")


# Units named by API bodies, by code: (expires at, unit). An integration sends to the same few
# units all day, and reading one was a tenth of a create's cost. A saved unit clears the cache of
# this process at once (``forget_units``); other processes follow within UNIT_CACHE_SECONDS.
UNIT_CACHE_SECONDS = 10.0
_units: dict[str, tuple[float, Unit]] = {}


def forget_units(**_kwargs: object) -> None:
    """Drop the units this process remembers (a unit was saved: renamed, moved or retired)."""
    _units.clear()


def _unit_field(request: HttpRequest, field: str, code: str | None, errors: dict[str, str]) -> Unit | None:
    """Resolve a unit code of the body inside the caller's scope; an unknown or foreign code is a field error."""
    if not code:
        return None
    clock = time.monotonic()
    cached = _units.get(code)
    if cached is not None and cached[0] >= clock:
        if scope_for_user(request.user).contains(cached[1]):  # the same rule as unit_get_for_user, in memory
            return copy.copy(cached[1])
        errors[field] = _("No unit with this code in your scope.")
        return None
    try:
        if "\x00" in code:
            raise NotFound("")
        unit = unit_get_for_user(request.user, code=code)
    except NotFound:
        errors[field] = _("No unit with this code in your scope.")
        return None
    if len(_units) > 10_000:
        _units.clear()
    _units[code] = (clock + UNIT_CACHE_SECONDS, copy.copy(unit))
    return unit


def _decode_attachments(payload: SubmissionIn, errors: dict[str, str]) -> list[tuple[str, bytes]]:
    files = []
    for index, item in enumerate(payload.attachments, start=1):
        try:
            data = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            errors["attachments"] = _("File %(n)d is not valid base64.") % {"n": index}
            continue
        files.append((services.clean_text(item.name), data))
    return files


def _receipt(submission: Submission) -> SubmissionCreatedOut:
    return SubmissionCreatedOut(tracking_code=submission.tracking_code,
                                tracking_code_display=codes.display(submission.tracking_code),
                                status=submission.status, unit=submission.unit.code, created_at=submission.created_at)


@router.post("/", response={200: SubmissionCreatedOut, 201: SubmissionCreatedOut},
             summary="Receive a submission (201), or replay an earlier one with the same Idempotency-Key (200)")
def submission_create(request: HttpRequest, payload: SubmissionIn,
                      idempotency_key: str | None = Header(None, alias="Idempotency-Key")) -> Status:
    """Field errors come back together as 400 ``submission_invalid`` with ``fields``; nothing is stored then."""
    errors: dict[str, str] = {}
    if idempotency_key is not None and not _IDEMPOTENCY_KEY.match(idempotency_key):
        errors["idempotency_key"] = _("Use 1 to 64 letters, digits or . _ : ~ + / = - as the Idempotency-Key.")
    unit = _unit_field(request, "unit", payload.unit, errors)
    place_unit = _unit_field(request, "place_unit", payload.place_unit, errors)
    accused_unit = _unit_field(request, "accused_unit", payload.accused_unit, errors)
    files = _decode_attachments(payload, errors)
    if not payload.unit:
        errors["unit"] = _("Choose the unit that receives the submission.")
    if errors or unit is None:
        raise SubmissionInvalid(errors)
    source, external_id = f"api:{request.user.pk}", services.clean_text(payload.external_id)
    # The sender's own case id identifies the case as an Idempotency-Key does: a re-send returns it.
    earlier = _sent_before(source, external_id)
    if earlier is not None:
        return Status(200, _receipt(earlier))
    try:
        submission, created = services.submission_create(
            actor=request.user, channel=Channel.API, kind=payload.kind, text=payload.text, unit=unit,
            subject=payload.subject, place_unit=place_unit, place_text=payload.place_text,
            latitude=payload.latitude, longitude=payload.longitude, anonymous=payload.anonymous, name=payload.name,
            phone=payload.phone, email=payload.email, accused_unit=accused_unit,
            category=services.clean_text(payload.category), attachments=files, idempotency_key=idempotency_key,
            source=source, external_id=external_id,
        )
    except IntegrityError:
        earlier = _sent_before(source, external_id)  # a concurrent twin with the same case id won the race
        if earlier is None:
            raise
        return Status(200, _receipt(earlier))
    return Status(201 if created else 200, _receipt(submission))


def _sent_before(source: str, external_id: str) -> Submission | None:
    """Return what this caller already sent under its case id (its own source: no other scope applies)."""
    return selectors.submission_sent_before(source=source, external_id=external_id)


@router.get("/", response=SubmissionPageOut, summary="Submissions you may see, newest first")
def submission_list(request: HttpRequest, filters: Query[SubmissionFilter]) -> SubmissionPageOut:
    """Reports against officials appear only to the discipline body above the unit named."""
    queryset = selectors.submission_queryset_for_user(request.user).select_related("unit")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.unit is not None:
        # An unknown code and a unit outside the caller's view both simply give an empty page.
        queryset = selectors.submissions_under(queryset, filters.unit)
    if filters.created_from:
        queryset = queryset.filter(created_at__gte=_utc(filters.created_from))
    if filters.created_to:
        queryset = queryset.filter(created_at__lt=_utc(filters.created_to))
    rows = list(queryset.order_by("-created_at", "-id")[filters.offset:filters.offset + filters.limit + 1])
    more = len(rows) > filters.limit
    items = [SubmissionListItemOut(
        tracking_code=s.tracking_code, kind=s.kind, channel=s.channel, status=s.status, subject=s.subject,
        category=s.category, unit=s.unit.code, unit_name=s.unit.name, created_at=s.created_at,
        replied_at=s.replied_at) for s in rows[:filters.limit]]
    return SubmissionPageOut(items=items, limit=filters.limit, offset=filters.offset,
                             next_offset=filters.offset + filters.limit if more else None)


def _utc(moment: datetime.datetime) -> datetime.datetime:
    """Return the moment in UTC (naive: Beijing time), clamped to the years every database can store.

    PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 allows, so the offset never reaches it.
    """
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=timezone.get_default_timezone())
    try:
        return moment.astimezone(datetime.UTC)
    except OverflowError:
        if moment.year < 2:
            return datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)


def _detail(request: HttpRequest, submission: Submission) -> SubmissionOut:
    events = submission.events.order_by("at", "id")  # staff read the whole timeline, internal notes too
    return SubmissionOut(
        tracking_code=submission.tracking_code, tracking_code_display=codes.display(submission.tracking_code),
        kind=submission.kind, channel=submission.channel, status=submission.status, subject=submission.subject,
        text=submission.text, category=submission.category, unit=submission.unit.code,
        unit_name=submission.unit.name, place_unit=submission.place_unit.code if submission.place_unit else None,
        place_text=submission.place_text,
        latitude=float(submission.latitude) if submission.latitude is not None else None,
        longitude=float(submission.longitude) if submission.longitude is not None else None,
        anonymous=submission.anonymous, contact=ContactOut(**contact_for(request.user, submission)),
        likes=submission.likes, dislikes=submission.dislikes, reply=submission.reply,
        replied_at=submission.replied_at, rating=submission.rating,
        ratings=[RatingOut(satisfaction=r.satisfaction, solved=r.solved, reason=r.reason, unit=r.unit.code, at=r.at)
                 for r in submission.ratings.select_related("unit").order_by("at", "id")],
        created_at=submission.created_at,
        attachments=submission.attachments.count(),
        events=[EventOut(kind=e.kind, public=e.public, text=e.text, at=e.at) for e in events],
    )


@router.get("/{code}", response=SubmissionOut, summary="One submission, by tracking code")
def submission_detail(request: HttpRequest, code: str) -> SubmissionOut:
    """Contacts are shown in full to operators and handlers of the unit, masked to everyone else."""
    return _detail(request, selectors.submission_get_for_user(request.user, code=code))


@router.post("/{code}/reply", response=SubmissionOut, summary="Answer a submission (handlers and leaders)")
def submission_reply(request: HttpRequest, code: str, payload: ReplyIn) -> SubmissionOut:
    submission = selectors.submission_get_for_user(request.user, code=code)
    if not may_reply(request.user, submission):
        raise PermissionDenied(_("Only handlers and leaders of the unit may answer it."))
    return _detail(request, services.submission_reply(actor=request.user, submission=submission, text=payload.text))


@router.post("/{code}/rating", response=SubmissionOut,
             summary="Record the follow-up rating the person gave on a call (operators and supervisors)")
def submission_rating(request: HttpRequest, code: str, payload: RatingIn) -> SubmissionOut:
    """Satisfied? Solved? Why not? Once per answer; 不满意 reopens the item that answered, if any."""
    submission = selectors.submission_get_for_user(request.user, code=code)
    if not may_follow_up(request.user, submission):
        raise PermissionDenied(_("Only the operators and supervisors of the unit record follow-ups."))
    services.submission_rate(submission=submission, rating=payload.satisfaction, solved=payload.solved,
                             reason=payload.reason, actor=request.user)
    submission.refresh_from_db()
    return _detail(request, submission)
