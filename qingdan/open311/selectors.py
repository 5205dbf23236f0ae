"""Read what Open311 may show: jurisdictions, keys, and service requests (never reports).

An api_key is not a staff user, so the intake selectors (which take a user) do not fit; the
rule here is narrower than theirs: reports against officials are never shown, and the scope
is the key's unit subtree. Without a key, a request is shown only to whoever names its
service_request_id: the id is the submitter's tracking code, which also lets its holder add
information and rate the answer, so it is never listed to the public.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from qingdan.core.errors import NotFound
from qingdan.intake import codes
from qingdan.intake.choices import OPEN_STATUSES, EventKind, SubmissionKind, SubmissionStatus
from qingdan.intake.models import Submission, SubmissionEvent
from qingdan.open311 import catalogue
from qingdan.open311.errors import KeyRefused, RequestInvalid
from qingdan.open311.models import Open311Key
from qingdan.people.choices import MANAGE_ROLES
from qingdan.people.scopes import Scope, is_system, scope_for_user
from qingdan.units.models import Unit

MAX_REQUESTS = 1_000  # "first 1000 requests returned" (GeoReport v2, GET Service Requests)
MAX_SPAN = datetime.timedelta(days=90)  # the spec's query window, in calendar days (not a deadline)
OPEN = "open"
CLOSED = "closed"
OPEN311_STATUSES = {OPEN: sorted(OPEN_STATUSES),
                    CLOSED: sorted(set(SubmissionStatus.values) - set(OPEN_STATUSES))}
# Events that explain the current status; the citizen's own additions and ratings do not.
STATUS_EVENT_KINDS = (EventKind.RECEIVED, EventKind.DISPATCHED, EventKind.REPLIED, EventKind.CLOSED,
                      EventKind.REJECTED, EventKind.NOTE)


def jurisdiction_get(code: str) -> Unit:
    """Return the unit a ``jurisdiction_id`` names (unit codes are public), or NotFound."""
    code = (code or "").strip()
    unit = Unit.objects.filter(code=code).first() if code and len(code) <= 40 else None
    if unit is None:
        raise NotFound(_("jurisdiction_id %(code)s was not found.") % {"code": code[:40]})
    return unit


def key_scope(key: Open311Key) -> Scope:
    """Return the subtree an api_key serves."""
    return Scope.of_paths([key.unit.path])


def key_list(*, actor: Any) -> QuerySet[Open311Key]:
    """Return the keys the actor manages (all of them for the system)."""
    keys = Open311Key.objects.select_related("unit").order_by("name", "-created_at")
    if is_system(actor):
        return keys
    return scope_for_user(actor, roles=MANAGE_ROLES).filter(keys, "unit")


def key_find(*, actor: Any, ref: str) -> Open311Key:
    """Return the one live key named ``ref`` or whose prefix starts with it, or NotFound."""
    ref = (ref or "").strip()
    live = key_list(actor=actor).filter(revoked_at__isnull=True)
    if not ref:
        raise NotFound(_("Name a key by its name or prefix."))
    matches = list(live.filter(name=ref)) or (list(live.filter(prefix__startswith=ref)) if len(ref) >= 6 else [])
    if not matches:
        raise NotFound(_("No live key named %(ref)s or starting with it.") % {"ref": ref})
    if len(matches) > 1:
        raise NotFound(_("%(ref)s matches several keys; give more of the prefix.") % {"ref": ref})
    return matches[0]


def open311_status(status: str) -> str:
    """Map a submission status to GeoReport's open / closed."""
    return OPEN if status in OPEN_STATUSES else CLOSED


def _requests() -> QuerySet[Submission]:
    latest = SubmissionEvent.objects.filter(submission=OuterRef("pk"), public=True,
                                            kind__in=STATUS_EVENT_KINDS).order_by("-at", "-id")
    return (Submission.objects.exclude(kind=SubmissionKind.REPORT)
            .select_related("unit", "place_unit")
            .annotate(note_text=Subquery(latest.values("text")[:1]), note_kind=Subquery(latest.values("kind")[:1]))
            .order_by("-created_at", "-id"))


def _within(queryset: QuerySet[Submission], unit: Unit | None) -> QuerySet[Submission]:
    return queryset if unit is None else Scope.of_paths([unit.path]).filter(queryset, "unit")


def parse_ids(raw: str) -> list[str]:
    """Return the canonical codes of a comma-delimited ``service_request_id``, or raise RequestInvalid."""
    ids: list[str] = []
    for part in raw.split(","):
        if not part.strip():
            continue
        try:
            ids.append(codes.normalise(part))
        except codes.CodeMistyped as exc:
            raise RequestInvalid({"service_request_id": f"{part.strip()[:20]}: {exc}"}) from exc
    if len(ids) > MAX_REQUESTS:
        raise RequestInvalid({"service_request_id": _("At most %(max)d ids at once.") % {"max": MAX_REQUESTS}})
    return ids


def request_list(*, key: Open311Key | None, jurisdiction: Unit | None, ids: Sequence[str] = (),
                 service_codes: Sequence[str] = (), statuses: Sequence[str] = (),
                 start: datetime.datetime | None = None, end: datetime.datetime | None = None,
                 now: datetime.datetime) -> list[Submission]:
    """Return at most 1,000 requests, newest first, filtered as GET requests.{format} asks.

    Named ids override every other filter (as the spec says) and are shown to anyone who names
    them. A listing needs a key and stays inside its subtree, within a window of at most 90
    days that defaults to the last 90.
    """
    queryset = _within(_requests(), jurisdiction)
    if ids:
        return list(queryset.filter(tracking_code__in=ids)[:MAX_REQUESTS])
    if key is None:
        raise KeyRefused(_("Listing requests needs an api_key; anyone may read a request by naming its "
                           "service_request_id."))
    if jurisdiction is not None and not key_scope(key).contains(jurisdiction):
        raise KeyRefused(_("This api_key may not list requests of jurisdiction %(code)s.")
                         % {"code": jurisdiction.code})
    queryset = _within(queryset, key.unit)
    names = []
    for code in service_codes:
        service = catalogue.service_by_code(code)
        if service is None:
            raise RequestInvalid({"service_code": _("service_code %(code)s was not found.") % {"code": code[:64]}})
        names.append(service.name)
    if names:
        queryset = queryset.filter(category__in=names)
    wanted: set[str] = set()
    for status in statuses:
        if status not in OPEN311_STATUSES:
            raise RequestInvalid({"status": _("status must be open or closed.")})
        wanted.update(OPEN311_STATUSES[status])
    if wanted:
        queryset = queryset.filter(status__in=sorted(wanted))
    start, end = window(start=start, end=end, now=now)
    return list(queryset.filter(created_at__gte=start, created_at__lte=end)[:MAX_REQUESTS])


def window(*, start: datetime.datetime | None, end: datetime.datetime | None,
           now: datetime.datetime) -> tuple[datetime.datetime, datetime.datetime]:
    """Return the search window: the last 90 days by default, never more than 90 days long."""
    if start is None and end is None:
        return now - MAX_SPAN, now
    if start is None and end is not None:
        return end - MAX_SPAN, end
    if end is None and start is not None:
        return start, start + MAX_SPAN
    assert start is not None and end is not None
    if end < start:
        raise RequestInvalid({"end_date": _("end_date is before start_date.")})
    if end - start > MAX_SPAN:
        raise RequestInvalid({"end_date": _("start_date and end_date may not span more than 90 days.")})
    return start, end


def request_get(*, code: str, jurisdiction: Unit | None) -> Submission:
    """Return the request whose service_request_id (tracking code) is ``code``, or NotFound.

    Naming the code is what the submitter can do, so no key is needed; a report against an
    official is never shown, and a jurisdiction, when given, must contain the request.
    """
    try:
        canonical = codes.normalise(code)
    except codes.CodeMistyped as exc:
        raise NotFound(_("service_request_id %(id)s was not found: %(reason)s")
                       % {"id": code[:20], "reason": exc}) from exc
    submission = _within(_requests(), jurisdiction).filter(tracking_code=canonical).first()
    if submission is None:
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": code[:20]})
    return submission


def status_notes(submission: Any) -> str:
    """Return the explanation of the current status: the latest public status event's text or name."""
    text = getattr(submission, "note_text", None)
    if text:
        return text
    kind = getattr(submission, "note_kind", None)
    return str(EventKind(kind).label) if kind in EventKind.values else ""
