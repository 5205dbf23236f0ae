"""Issue and revoke Open311 api_keys, and turn a POSTed service request into a submission.

A request becomes a submission through ``qingdan.intake.services.submission_create`` like every
other channel, so validation, encryption of contacts and auditing are the same; this module
only translates GeoReport v2 arguments into intake's, and intake's field names back.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.errors import ApplicationError, NotFound, PermissionDenied
from qingdan.intake.choices import Channel, SubmissionKind
from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_create
from qingdan.open311 import catalogue
from qingdan.open311.errors import KeyRefused, RequestInvalid
from qingdan.open311.models import Open311Filing, Open311Key
from qingdan.open311.selectors import jurisdiction_get, key_scope
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, may

KEY_PREFIX = "o311_"  # tells an Open311 key from a REST token at a glance
MAX_DESCRIPTION = 4_000  # "free form text limited to 4,000 characters" (GeoReport v2, POST Service Request)
MAX_MEDIA_URL = 1_000
MAX_ACCOUNT_ID = 64
# Intake's field names, as the Open311 client named them.
_FIELD_NAMES = {"text": "description", "latitude": "lat", "longitude": "long", "place_text": "address_string",
                "subject": "attribute[subject]", "kind": "attribute[kind]", "unit": "jurisdiction_id",
                "name": "first_name", "attachments": "media_url"}


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def _ensure_may_manage(actor: Any, unit: Unit) -> None:
    if not may(actor, unit, MANAGE_ROLES):
        raise PermissionDenied(_("You may not manage Open311 keys outside the part of the tree you manage."))


def _actor_label(actor: Any) -> str:
    return actor if isinstance(actor, str) else getattr(actor, "username", "") or ""


def key_create(*, actor: Any, name: str, unit: Unit) -> tuple[Open311Key, str]:
    """Issue an api_key for one integration serving ``unit``; return it and the key, shown only this once."""
    _ensure_may_manage(actor, unit)
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError(_("A key needs a name (the integration it is for)."), code="open311_key_invalid")
    if len(name) > 80:
        raise ApplicationError(_("The name is too long (at most 80 characters)."), code="open311_key_invalid")
    if not unit.is_active:
        raise ApplicationError(_("This unit is retired."), code="open311_key_invalid")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            record = Open311Key.objects.create(name=name, unit=unit, prefix=key[:12], digest=_digest(key),
                                               created_by=_actor_label(actor)[:150])
            audit_record(actor=actor, action="open311.key_created", obj=record, unit_path=unit.path,
                         after={"name": name, "prefix": record.prefix, "unit": unit.code})
    except IntegrityError:
        raise ApplicationError(_("A live key named %(name)s exists already.") % {"name": name},
                               code="open311_key_duplicate") from None
    return record, key


def key_revoke(*, actor: Any, key: Open311Key) -> Open311Key:
    """Revoke a key at once: its next request gets 403."""
    _ensure_may_manage(actor, key.unit)
    if key.revoked_at is not None:
        raise ApplicationError(_("This key is already revoked."), code="open311_key_revoked")
    with transaction.atomic():
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="open311.key_revoked", obj=key, unit_path=key.unit.path,
                     before={"revoked": False}, after={"name": key.name, "prefix": key.prefix, "revoked": True})
    return key


def key_authenticate(raw: str | None) -> Open311Key:
    """Return the live key for an ``api_key`` argument, or raise KeyRefused (HTTP 403)."""
    if not raw:
        raise KeyRefused(_("api_key was not provided."))
    if not raw.startswith(KEY_PREFIX) or len(raw) > 100 or not raw.isascii():
        raise KeyRefused(_("Invalid api_key."))
    key = Open311Key.objects.select_related("unit").filter(digest=_digest(raw)).first()
    if key is None:
        raise KeyRefused(_("Invalid api_key."))
    if key.revoked_at is not None:
        raise KeyRefused(_("This api_key has been revoked."))
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 300:
        Open311Key.objects.filter(pk=key.pk).update(last_used_at=now)  # throttled: not a write per request
    return key


@dataclass
class ServiceRequest:
    """The arguments of POST requests.{format}, as the client sent them (strings, unvalidated)."""

    service_code: str = ""
    jurisdiction_id: str = ""
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    account_id: str = ""
    media_url: Sequence[str] = ()
    attributes: dict[str, list[str]] = field(default_factory=dict)


def _is_cjk(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK") for ch in text)


def full_name(first_name: str, last_name: str) -> str:
    """Join given and family name the way the name is written: 张三 (family first), John Smith."""
    first, last = first_name.strip(), last_name.strip()
    if _is_cjk(first + last):
        return last + first
    return " ".join(part for part in (first, last) if part)


def _attribute(request: ServiceRequest, code: str) -> str:
    values = [v for v in request.attributes.get(code, []) if v.strip()]
    return values[0].strip() if values else ""


def _media_lines(urls: Sequence[str], errors: dict[str, str]) -> list[str]:
    lines = []
    for url in (u.strip() for u in urls):
        if not url:
            continue
        if len(url) > MAX_MEDIA_URL or not url.lower().startswith(("http://", "https://")) or any(
                ch.isspace() for ch in url):
            errors["media_url"] = _("media_url must be one http or https address.")
            continue
        lines.append(url)
    return lines


def _place(request: ServiceRequest, jurisdiction: Unit, errors: dict[str, str]) -> Unit | None:
    """Return the unit named by ``address_id``: a code from the unit tree, inside the jurisdiction."""
    code = request.address_id.strip()
    if not code:
        return None
    place = Unit.objects.filter(code=code).first()
    if place is None or not is_inside(place, jurisdiction):
        errors["address_id"] = _("address_id must be the code of a unit inside the jurisdiction.")
        return None
    return place


def request_create(*, key: Open311Key, request: ServiceRequest) -> Submission:
    """Store one service request for the key's integration; it is committed when this returns.

    The jurisdiction is the unit that receives it (the key's own unit when not given) and must
    lie inside the key's subtree. Contact details go to intake, which encrypts them; the device
    id is not kept. ``media_url`` is not fetched (nothing loads from the internet): the links are
    kept at the end of the text for the handler.
    """
    errors: dict[str, str] = {}
    code = request.service_code.strip()
    if not code:
        raise RequestInvalid({"service_code": _("service_code was not provided.")})
    service = catalogue.service_by_code(code)
    if service is None:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": code[:64]})
    jurisdiction = jurisdiction_get(request.jurisdiction_id) if request.jurisdiction_id.strip() else key.unit
    if not key_scope(key).contains(jurisdiction):
        raise KeyRefused(_("This api_key may not post requests for jurisdiction %(code)s.")
                         % {"code": jurisdiction.code})

    lat, long = request.lat.strip(), request.long.strip()
    if bool(lat) != bool(long):
        errors["lat" if not lat else "long"] = _("lat and long must be sent together.")
    place = _place(request, jurisdiction, errors)
    if not (lat and long) and not request.address_string.strip() and not request.address_id.strip():
        errors["location"] = _("A location is required: lat and long, address_string or address_id.")
    description = request.description.strip()
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _("description is too long (at most %(max)s characters; it has %(length)s).") % {
            "max": f"{MAX_DESCRIPTION:,}", "length": f"{len(description):,}"}
    kind = _attribute(request, "kind") or SubmissionKind.COMPLAINT
    if kind not in catalogue.OPEN311_KINDS:
        errors["attribute[kind]"] = _("attribute[kind] must be one of: %(values)s.") % {
            "values": ", ".join(catalogue.OPEN311_KINDS)}
    media = _media_lines(request.media_url, errors)
    account_id = request.account_id.strip()
    if len(account_id) > MAX_ACCOUNT_ID:
        errors["account_id"] = _("account_id is too long (at most %(max)d characters).") % {"max": MAX_ACCOUNT_ID}
    if errors:
        raise RequestInvalid(errors)

    name = full_name(request.first_name, request.last_name)
    anonymous = not (name or request.phone.strip() or request.email.strip())
    text = "\n".join([description, *media]) if media else description
    try:
        with transaction.atomic():  # the submission and the record of which key filed it, together
            submission, _created = submission_create(
                actor=f"open311:{key.name}"[:150], channel=Channel.OPEN311, kind=kind, text=text, unit=jurisdiction,
                subject=_attribute(request, "subject"), place_unit=place, place_text=request.address_string,
                latitude=lat or None, longitude=long or None, anonymous=anonymous, name=name,
                phone=request.phone, email=request.email, category=service.name,
                source=f"open311:{key.name}"[:64], submitter_ref=account_id,
            )
            Open311Filing.objects.get_or_create(submission=submission, defaults={"key": key})
    except SubmissionInvalid as exc:
        raise RequestInvalid({_FIELD_NAMES.get(k, k): v for k, v in exc.fields.items()}) from exc
    return submission
