"""Receive submissions from any channel, and the citizen's own follow-up steps.

Every channel (public form, operator desk, REST API, Open311, bulk files) ends in
``submission_create`` so validation, privacy, idempotency and auditing are the same for all.
A submission is committed before its tracking code is returned: a code the citizen was
given always exists.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import CITIZEN, Actor, user_of
from qingdan.core.crypto import blind_index
from qingdan.core.files import CleanFile, FilesRefused, clean_files, stored_file_create
from qingdan.intake import codes, signals
from qingdan.intake.choices import (
    RATEABLE_STATUSES,
    Channel,
    EventKind,
    Satisfaction,
    SubmissionKind,
    SubmissionStatus,
)
from qingdan.intake.errors import SubmissionInvalid, SubmissionStateError
from qingdan.intake.models import Attachment, Rating, Submission, SubmissionEvent
from qingdan.units.models import Unit

MAX_SUBJECT = 200
MAX_TEXT = 20_000
MAX_NAME = 60
MAX_INFO = 5_000
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_CONTROL = {cat for cat in ("Cc", "Cf", "Cs", "Co", "Cn")}
# .values builds a new list on every access: checked once per imported row, they are sets here.
_KINDS = frozenset(SubmissionKind.values)
_CHANNELS = frozenset(Channel.values)


def clean_text(value: str) -> str:
    """Drop control and invisible characters (keeping line breaks and tabs) and trim."""
    if value.replace("\n", "").replace("\t", "").isprintable():
        # Fast path, same result: isprintable() is False for every C* category character (and for
        # separators other than the space, which take the slow path below and are kept there).
        return value.strip()
    # A printable character is never in a C* category, so only the others are looked up.
    kept = [ch for ch in value if ch.isprintable() or ch in "\n\t" or unicodedata.category(ch) not in _CONTROL]
    return "".join(kept).replace("\r\n", "\n").strip()


def has_words(value: str) -> bool:
    """Tell whether the text holds at least one letter, digit or Chinese character (not only emoji)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in value)


def normalise_phone(value: str) -> str:
    """Return the digits of a mainland mobile or landline number, or raise ValueError."""
    digits = re.sub(r"[\s\-()（）]", "", value)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise ValueError(_("Enter a mobile number (11 digits) or a landline with its area code."))


def _coordinate(value: Any, limit: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValueError(_("Not a number.")) from None
    if not number.is_finite() or abs(number) > limit:
        raise ValueError(_("Out of range."))
    return number


def submission_clean(*, kind: str, channel: str, subject: str, text: str, anonymous: bool, name: str, phone: str,
                     email: str, latitude: Any, longitude: Any, place_text: str,
                     accused_unit: Unit | None = None) -> dict[str, Any]:
    """Return the cleaned fields of a submission, or raise SubmissionInvalid naming every bad field.

    Public so that the bulk importer checks each row by exactly the rules of ``submission_create``.
    A report (举报) must name the unit it is about (``accused_unit``): were it left out, the only
    unit at hand would be the one receiving it, and a report is never about its own reader.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    if kind not in _KINDS:
        errors["kind"] = _("Unknown kind of submission.")
    elif kind == SubmissionKind.REPORT and accused_unit is None:
        errors["accused_unit"] = _("A report must name the unit it is about.")
    if channel not in _CHANNELS:
        errors["channel"] = _("Unknown channel.")
    text = clean_text(text or "")
    if not text:
        errors["text"] = _("Please describe the problem.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("The text is too long (at most %(max)d characters).") % {"max": MAX_TEXT}
    elif not has_words(text):
        errors["text"] = _("Please describe the problem in words.")
    subject = clean_text(subject or "").replace("\n", " ")
    if len(subject) > MAX_SUBJECT:
        errors["subject"] = _("The subject is too long (at most %(max)d characters).") % {"max": MAX_SUBJECT}
    elif not subject and text:
        subject = text.replace("\n", " ")[:40]
    place_text = clean_text(place_text or "").replace("\n", " ")
    if len(place_text) > 200:
        errors["place_text"] = _("The place is too long (at most 200 characters).")
    if anonymous:
        name = phone = email = ""
    else:
        name = clean_text(name or "")
        if len(name) > MAX_NAME:
            errors["name"] = _("The name is too long.")
        if phone:
            try:
                phone = normalise_phone(phone)
            except ValueError as exc:
                errors["phone"] = str(exc)
        email = (email or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = _("Enter a valid e-mail address.")
            if len(email) > 254:
                errors["email"] = _("Enter a valid e-mail address.")
        if not phone and not email and "phone" not in errors and "email" not in errors:
            errors["phone"] = _("Give a phone number or an e-mail address so we can answer, or submit anonymously.")
    for field, value, limit in (("latitude", latitude, 90), ("longitude", longitude, 180)):
        try:
            cleaned[field] = _coordinate(value, limit)
        except ValueError as exc:
            errors[field] = str(exc)
    if errors:
        raise SubmissionInvalid(errors)
    cleaned.update(subject=subject, text=text, name=name, phone=phone, email=email, place_text=place_text)
    return cleaned


def clean_attachments(files: Sequence[tuple[str, bytes]]) -> list[CleanFile]:
    """Check every file (``core.files.clean_files``); report all problems at once."""
    try:
        return clean_files(files)
    except FilesRefused as exc:
        raise SubmissionInvalid({"attachments": str(exc)}) from None


def _event(submission: Submission, kind: str, *, text: str = "", actor: Actor = None, public: bool = True,
           at: datetime.datetime | None = None) -> SubmissionEvent:
    return SubmissionEvent.objects.create(
        submission=submission, kind=kind, text=text, public=public, at=at or timezone.now(),
        actor=user_of(actor),
    )


def _audit_path(submission: Submission) -> str:
    # Reports against officials leave no trace where the named unit's managers could read it.
    return "" if submission.kind == SubmissionKind.REPORT else submission.unit.path


def submission_holder(*, kind: str, place: Unit | None, default: Unit | None) -> Unit | None:
    """Return the unit that holds a new submission: its place, else the channel's default unit.

    A report against an official is held by the default (the top of the channel), never by the
    unit it names, which becomes its place and accused unit.
    """
    if kind == SubmissionKind.REPORT:
        return default
    return place or default


def _submitted_with(key: str | None) -> Submission | None:
    """Return the submission stored under an idempotency key, if any."""
    if not key:
        return None
    return Submission.objects.select_related("unit").filter(idempotency_key=key).first()


def submission_create(
    *, actor: Actor, channel: str, kind: str, text: str, unit: Unit, subject: str = "", place_unit: Unit | None = None,
    place_text: str = "", latitude: Any = None, longitude: Any = None, anonymous: bool = False, name: str = "",
    phone: str = "", email: str = "", accused_unit: Unit | None = None, category: str = "",
    attachments: Sequence[tuple[str, bytes]] = (), idempotency_key: str | None = None, source: str = "",
    external_id: str = "", submitter_ref: str = "", created_at: datetime.datetime | None = None,
) -> tuple[Submission, bool]:
    """Validate and store a submission; return it and whether it is new.

    With an ``idempotency_key`` a repeated call (double click, refresh, client retry) returns
    the submission the first call made instead of a second one.
    """
    key = f"{source or channel}:{idempotency_key}"[:100] if idempotency_key else None
    # No lookup of the key before the INSERT: the unique index on idempotency_key answers a replay
    # (below, on IntegrityError) and a first submission, by far the common case, saves a query.
    try:
        data = submission_clean(kind=kind, channel=channel, subject=subject, text=text, anonymous=anonymous,
                                name=name, phone=phone, email=email, latitude=latitude, longitude=longitude,
                                place_text=place_text, accused_unit=accused_unit)
        files = clean_attachments(attachments)
        if not unit.is_active:
            raise SubmissionInvalid({"unit": _("This unit no longer takes submissions.")})
    except SubmissionInvalid:
        earlier = _submitted_with(key)  # a replay returns the first submission even if it no longer validates
        if earlier is not None:
            return earlier, False
        raise
    received = created_at or timezone.now()
    for _attempt in range(5):
        submission = Submission(
            tracking_code=codes.new_code(), kind=kind, channel=channel, subject=data["subject"], text=data["text"],
            category=category[:64], unit=unit, place_unit=place_unit, place_text=data["place_text"],
            latitude=data["latitude"], longitude=data["longitude"], accused_unit=accused_unit,
            anonymous=anonymous, submitter_name=data["name"], submitter_phone=data["phone"],
            submitter_email=data["email"], phone_index=blind_index(data["phone"]) if data["phone"] else "",
            submitter_ref=submitter_ref[:64], external_id=external_id[:64], source=source[:64],
            idempotency_key=key, created_at=received,
        )
        try:
            with transaction.atomic():
                submission.save()
                for clean in files:
                    stored_file_create(model=Attachment, clean=clean, submission=submission)
                _event(submission, EventKind.RECEIVED, actor=actor, at=received)
                audit_record(actor=actor if actor is not None else "citizen", action="intake.submission_received",
                             obj=submission, unit_path=_audit_path(submission),
                             after={"code": submission.tracking_code, "kind": kind, "channel": channel})
                transaction.on_commit(partial(signals.submission_received.send, sender=Submission,
                                              submission_id=submission.pk))
            return submission, True
        except IntegrityError:
            earlier = _submitted_with(key)  # a replay, or a concurrent twin that won the race
            if earlier is not None:
                return earlier, False
            if Submission.objects.filter(tracking_code=submission.tracking_code).exists():
                continue  # 65 random bits collided: draw again
            raise
    raise RuntimeError("could not allocate a tracking code")


def submission_add_info(*, submission: Submission, text: str) -> SubmissionEvent:
    """Let the submitter add information while the case is open."""
    text = clean_text(text or "")
    if not text or not has_words(text):
        raise SubmissionInvalid({"text": _("Please write the information to add.")})
    if len(text) > MAX_INFO:
        raise SubmissionInvalid({"text": _("The text is too long (at most %(max)d characters).") % {"max": MAX_INFO}})
    if submission.status in (SubmissionStatus.CLOSED, SubmissionStatus.REJECTED):
        raise SubmissionStateError(_("This case is closed; please submit a new one."))
    with transaction.atomic(durable=True):
        event = _event(submission, EventKind.INFO_ADDED, text=text)
        audit_record(actor="citizen", action="intake.info_added", obj=submission, unit_path=_audit_path(submission),
                     after={"length": len(text)})
    return event


def submission_reply(*, actor: Actor, submission: Submission, text: str, unit: Unit | None = None) -> Submission:
    """Record the answer the citizen reads (the dockets workflow calls this when an item is answered).

    ``unit`` is the unit that answered (an item's lead unit); without one, the holding unit.
    The citizen's rating of this answer is counted for it.
    """
    text = clean_text(text or "")
    if not text:
        raise SubmissionInvalid({"reply": _("The reply is empty.")})
    if submission.status in (SubmissionStatus.CLOSED, SubmissionStatus.REJECTED):
        raise SubmissionStateError(_("This case is closed."))
    before = {"status": submission.status}
    with transaction.atomic():
        submission.reply, submission.replied_at = text, timezone.now()
        submission.status = SubmissionStatus.REPLIED
        submission.answered_by = unit or submission.unit
        submission.save(update_fields=["reply", "replied_at", "status", "answered_by", "updated_at"])
        _event(submission, EventKind.REPLIED, text=text, actor=actor)
        audit_record(actor=actor, action="intake.submission_replied", obj=submission,
                     unit_path=_audit_path(submission), before=before, after={"status": submission.status})
    return submission


def rating_add(*, submission: Submission, rating: str, solved: bool | None = None, reason: str = "",
               actor: Actor = CITIZEN) -> Rating:
    """Record the follow-up (回访) of the answer once it is given: satisfied? solved? and why.

    Intake's half of the citizen's rating; the action the surfaces call is
    ``dockets.services.submission_rate``, which records it here and applies it to the item that
    answered (an unhappy rating reopens it), in one durable transaction. This joins the
    caller's transaction, so the rating and its consequences commit or fail together.

    The person rates on the tracking page or a questionnaire (``actor`` "citizen"), or an
    operator records what they said on a follow-up call (``actor`` the operator). Each answer is
    rated once; a case reopened and answered again is rated again, and every rating is kept as
    a ``Rating`` counted for the unit that answered. ``solved`` is None when it was not asked.
    Listeners of ``submission_rated`` (the figures that count it) run inside this transaction.
    """
    if rating not in Satisfaction.values:
        raise SubmissionInvalid({"rating": _("Choose satisfied, basically satisfied or unsatisfied.")})
    if solved not in (None, True, False):
        raise SubmissionInvalid({"solved": _("Say whether the problem was solved.")})
    if submission.status not in RATEABLE_STATUSES or not submission.replied_at:
        raise SubmissionStateError(_("You can rate the answer once it has been given."))
    if submission.rating:
        raise SubmissionStateError(_("This answer has already been rated."))
    reason = clean_text(reason or "")[:MAX_INFO]
    recorded_by = user_of(actor)
    with transaction.atomic():
        now = timezone.now()
        submission.rating, submission.rated_at = rating, now
        submission.save(update_fields=["rating", "rated_at", "updated_at"])
        record = Rating.objects.create(submission=submission, unit_id=submission.answered_by_id or submission.unit_id,
                                       satisfaction=rating, solved=solved, reason=reason, recorded_by=recorded_by,
                                       at=now)
        _event(submission, EventKind.RATED, text=reason, actor=recorded_by)
        audit_record(actor=actor, action="intake.submission_rated", obj=submission,
                     unit_path=_audit_path(submission),
                     after={"rating": rating, "solved": solved, "rating_id": record.pk})
        signals.submission_rated.send(sender=Submission, submission_id=submission.pk, rating=rating,
                                      rating_id=record.pk)
    return record
