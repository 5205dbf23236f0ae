"""Read what Open311 may show: jurisdictions, keys, and service requests (never reports).

An api_key is not a staff user, so the intake selectors (which take a user) do not fit; the
rule here is narrower than theirs: reports against officials are never shown, and a key sees
in full only what it filed. The ``service_request_id`` is the submission's ``public_id``, never
its tracking code: the tracking code lets its holder add information, rate the answer and reopen
the case, so Open311 neither shows nor accepts it. Without a key, only public requests (those
answered by a published item) are listed, and only their public fields.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext as _

from qingdan.core.errors import NotFound
from qingdan.dockets.selectors import public_items
from qingdan.intake import codes
from qingdan.intake.choices import OPEN_STATUSES, EventKind, SubmissionKind, SubmissionStatus
from qingdan.intake.models import Submission, SubmissionEvent
from qingdan.open311 import catalogue
from qingdan.open311.errors import RequestInvalid
from qingdan.open311.models import Open311Filing, Open311Key
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import Scope, is_system, scope_for_user, within

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


def public_condition() -> Q:
    """The submissions the public may read over Open311, by the existing disclosure rule.

    A submission is public only once it is answered by a published item of a published docket
    (``qingdan.dockets.selectors.public_items``): what the public pages already disclose. A
    report against an official is never public (excluded by ``_requests``).
    """
    return Q(item_link__item__in=public_items().values("pk"))


def _requests(key: Open311Key | None) -> QuerySet[Submission]:
    """The requests ``key`` (or the public, for None) may read, each marked ``own`` when it filed it."""
    latest = SubmissionEvent.objects.filter(submission=OuterRef("pk"), public=True,
                                            kind__in=STATUS_EVENT_KINDS).order_by("-at", "-id")
    queryset = Submission.objects.exclude(kind=SubmissionKind.REPORT)
    if key is None:
        queryset = queryset.filter(public_condition()).annotate(own=Value(False))
    else:
        queryset = (queryset.filter(public_condition() | Q(open311_filing__key=key))
                    .annotate(own=Exists(Open311Filing.objects.filter(submission=OuterRef("pk"), key=key))))
    return (queryset.select_related("unit", "place_unit")
            .annotate(note_text=Subquery(latest.values("text")[:1]), note_kind=Subquery(latest.values("kind")[:1]),
                      public_title=F("item_link__item__title"), public_reply=F("item_link__item__reply"))
            .order_by("-created_at", "-id"))


def _within(queryset: QuerySet[Submission], unit: Unit | None) -> QuerySet[Submission]:
    return queryset if unit is None else within(queryset, unit, "unit")


def public_id_normalise(text: str) -> str:
    """Return the canonical form of a public id, or raise NotFound.

    Anything else, a tracking code above all, names nothing here: a 404, never a hint that the
    code exists.
    """
    cleaned = (text or "").strip().upper()
    if (len(cleaned) != codes.PUBLIC_ID_LENGTH or not cleaned.startswith(codes.PUBLIC_ID_PREFIX)
            or any(ch not in codes.ALPHABET for ch in cleaned)):
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": (text or "").strip()[:20]})
    return cleaned


def parse_ids(raw: str) -> list[str]:
    """Return the canonical public ids of a comma-delimited ``service_request_id``, or raise."""
    parts = [part for part in raw.split(",") if part.strip()]
    if len(parts) > MAX_REQUESTS:
        raise RequestInvalid({"service_request_id": _("At most %(max)d ids at once.") % {"max": MAX_REQUESTS}})
    return [public_id_normalise(part) for part in parts]


def request_list(*, key: Open311Key | None, jurisdiction: Unit | None, ids: Sequence[str] = (),
                 service_codes: Sequence[str] = (), statuses: Sequence[str] = (),
                 start: datetime.datetime | None = None, end: datetime.datetime | None = None,
                 now: datetime.datetime) -> list[Submission]:
    """Return at most 1,000 requests, newest first, filtered as GET requests.{format} asks.

    Anyone lists the public requests (public fields only); a key adds, in full, the requests it
    filed itself. Named ids override every other filter (as the spec says); otherwise the
    window is at most 90 days and defaults to the last 90.
    """
    queryset = _within(_requests(key), jurisdiction)
    if ids:
        return list(queryset.filter(public_id__in=ids)[:MAX_REQUESTS])
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


def request_get(*, key: Open311Key | None, code: str, jurisdiction: Unit | None) -> Submission:
    """Return the request whose service_request_id (public id) is ``code`` if ``key`` may read it, or NotFound.

    The public reads public requests; a key also reads the ones it filed. A tracking code is
    never accepted, and a jurisdiction, when given, must contain the request.
    """
    canonical = public_id_normalise(code)
    submission = _within(_requests(key), jurisdiction).filter(public_id=canonical).first()
    if submission is None:
        raise NotFound(_("service_request_id %(id)s was not found.") % {"id": code[:20]})
    return submission


def status_notes(submission: Any) -> str:
    """Return the explanation of the current status: the latest public status event's text or name."""
    text = getattr(submission, "note_text", None)
    if text:
        return text
    return status_label(submission)


def status_label(submission: Any) -> str:
    """Return the name of the latest public status step, without its text (what the public reads)."""
    kind = getattr(submission, "note_kind", None)
    return str(EventKind(kind).label) if kind in EventKind.values else ""
