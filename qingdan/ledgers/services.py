"""Writes to the ledgers: each a keyword-only ``<entity>_<verb>`` that checks, saves and audits at once.

A visit with problems found is one transaction: the visit, its photos, and each problem's
submission (intake's ``submission_create``, channel "visit") or item (dockets' ``item_create``)
are saved together or not at all, so a refused item leaves no visit behind.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.core.files import FilesRefused, clean_files, stored_file_create
from qingdan.core.transactions import durable
from qingdan.dockets.services import item_create
from qingdan.intake.choices import Channel, SubmissionKind
from qingdan.intake.services import submission_create, submission_holder
from qingdan.ledgers.choices import Attendance, DurationUnit, ProblemRoute, SessionKind, WritingKind
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.models import (
    Liaison,
    ResearchTopic,
    ResearchWriting,
    SessionAttendance,
    SessionPhoto,
    StudySession,
    Visit,
    VisitPhoto,
    VisitProblem,
)
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, is_system, may, scope_for_user

MAX_TEXT = 5000
MAX_PROBLEMS = 20


def today() -> datetime.date:
    """Return today's date in the project's time zone (a visit "today" is not in the future)."""
    return timezone.localdate()


def _text(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def may_record_for(actor: Actor, unit: Unit, *, on: datetime.date | None = None) -> bool:
    """Tell whether the actor may keep a ledger for this unit: it is in their scope or they answer for it (包联)."""
    if may(actor, unit):
        return True
    leader = user_of(actor)
    if leader is None:
        return False
    on = on or today()
    for liaison in Liaison.objects.filter(leader=leader, starts_on__lte=on).select_related("unit"):
        if (liaison.ends_on is None or liaison.ends_on >= on) and is_inside(unit, liaison.unit):
            return True
    return False


def _clean_photos(photos: Sequence[tuple[str, bytes]], errors: dict[str, str]) -> list[Any]:
    """Check photos by content (EXIF and GPS stripped); note every problem under "photos"."""
    try:
        return clean_files(photos)
    except FilesRefused as exc:
        errors["photos"] = str(exc)
        return []


# --- liaison ---------------------------------------------------------------------------------

def _liaison_assign(*, actor: Actor, leader: Any, unit: Unit, starts_on: datetime.date,
                   ends_on: datetime.date | None = None, note: str = "") -> Liaison:
    """Make a leader answer for a unit for a period (包联). Only a unit's organizers assign."""
    if not may(actor, unit, MANAGE_ROLES):
        raise PermissionDenied(_("You may not assign leaders to this unit."))
    errors: dict[str, str] = {}
    if leader is None or not getattr(leader, "is_active", False):
        errors["leader"] = _("Choose an active staff account.")
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The period ends before it starts.")
    if not unit.is_active:
        errors["unit"] = _("This unit is retired.")
    if errors:
        raise LedgerInvalid(errors)
    with transaction.atomic():
        liaison = Liaison.objects.create(leader=leader, unit=unit, starts_on=starts_on, ends_on=ends_on,
                                         note=_text(note, 200))
        audit_record(actor=actor, action="ledgers.liaison_assigned", obj=liaison,
                     after={"leader": leader.username, "unit": unit.code, "from": str(starts_on),
                            "to": str(ends_on or "")})
    return liaison


liaison_assign = durable(_liaison_assign)


def liaison_end(*, actor: Actor, liaison: Liaison, ends_on: datetime.date) -> Liaison:
    """End an assignment on a date (the leader moved on); the history stays."""
    if not scope_for_user(actor, roles=MANAGE_ROLES).contains(liaison.unit):
        raise PermissionDenied(_("You may not change this assignment."))
    if ends_on < liaison.starts_on:
        raise LedgerInvalid({"ends_on": _("The period ends before it starts.")})
    with transaction.atomic(durable=True):
        before = str(liaison.ends_on or "")
        liaison.ends_on = ends_on
        liaison.save(update_fields=["ends_on"])
        audit_record(actor=actor, action="ledgers.liaison_ended", obj=liaison, before={"to": before},
                     after={"to": str(ends_on)})
    return liaison


# --- visits ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProblemFound:
    """A problem heard on a visit and where it should go; ``docket`` is needed for the item route."""

    text: str
    route: str = ProblemRoute.SUBMISSION
    docket: Any = None
    phone: str = ""


def _visit_record(*, actor: Actor, unit: Unit, visited_on: datetime.date, enterprise: str = "", households: int = 0,
                 enterprises: int = 0, heard: str = "", solved_on_spot: int = 0,
                 problems: Sequence[ProblemFound] = (), photos: Sequence[tuple[str, bytes]] = (),
                 topic: ResearchTopic | None = None, visitor: Any = None) -> Visit:
    """Record a visit and send each problem found on its way, all in one step.

    The visitor is the actor, unless an office types in a colleague's visit (``visitor``, from an
    imported ledger). A visit cannot be in the future; counts cannot be negative.
    """
    if not may_record_for(actor, unit, on=min(visited_on, today())):
        raise PermissionDenied(_("You may not record visits to this unit."))
    errors: dict[str, str] = {}
    if visited_on > today():
        errors["visited_on"] = _("A visit cannot be in the future.")
    for field, value in (("households", households), ("enterprises", enterprises),
                         ("solved_on_spot", solved_on_spot)):
        if value is None or int(value) < 0:
            errors[field] = _("Cannot be negative.")
    if len(problems) > MAX_PROBLEMS:
        errors["problems"] = _("At most %(max)d problems per visit.") % {"max": MAX_PROBLEMS}
    for n, problem in enumerate(problems, 1):
        if not problem.text.strip():
            errors[f"problems.{n}"] = _("Describe the problem.")
        elif problem.route not in ProblemRoute.values:
            errors[f"problems.{n}"] = _("Unknown route.")
        elif problem.route == ProblemRoute.ITEM and problem.docket is None:
            errors[f"problems.{n}"] = _("Choose the list that takes this problem.")
    if (visitor is None and is_system(actor)) or (visitor is not None and not getattr(visitor, "is_active", False)):
        errors["visitor"] = _("Choose an active staff account.")
    cleaned = _clean_photos(photos, errors)
    if topic is not None and not may_record_for(actor, topic.unit):
        errors["topic"] = _("Unknown research topic.")
    if errors:
        raise LedgerInvalid(errors)
    visitor = visitor or user_of(actor)
    assert visitor is not None  # refused above: the system names the visitor; anyone else may_record_for'd
    with transaction.atomic():
        visit = Visit.objects.create(
            visitor=visitor, unit=unit, enterprise=_text(enterprise, 200), visited_on=visited_on,
            households=int(households), enterprises=int(enterprises), heard=_text(heard, MAX_TEXT),
            solved_on_spot=int(solved_on_spot), topic=topic)
        for clean in cleaned:
            stored_file_create(model=VisitPhoto, clean=clean, visit=visit)
        routed = [_route_problem(actor, visit, problem, n) for n, problem in enumerate(problems, 1)]
        audit_record(actor=actor, action="ledgers.visit_recorded", obj=visit,
                     after={"unit": unit.code, "on": str(visited_on), "households": visit.households,
                            "enterprises": visit.enterprises, "solved_on_spot": visit.solved_on_spot,
                            "problems": [p.route for p in routed], "photos": len(cleaned)})
    return visit


visit_record = durable(_visit_record)


def _route_problem(actor: Actor, visit: Visit, problem: ProblemFound, number: int) -> VisitProblem:
    """Turn one problem into a submission or an item; a refusal rolls the whole visit back."""
    text = problem.text.strip()[:MAX_TEXT]
    row = VisitProblem(visit=visit, text=text, route=problem.route)
    if problem.route == ProblemRoute.SUBMISSION:
        holder = submission_holder(kind=SubmissionKind.HELP, place=visit.unit, default=visit.unit) or visit.unit
        row.submission, _new = submission_create(
            actor=actor, channel=Channel.VISIT, kind=SubmissionKind.HELP, text=text, unit=holder,
            place_unit=visit.unit, place_text=visit.enterprise, anonymous=not problem.phone, phone=problem.phone,
            source="visit", external_id=f"visit-{visit.pk}-{number}")
    elif problem.route == ProblemRoute.ITEM:
        row.item = item_create(actor=actor, docket=problem.docket, title=text.replace("\n", " ")[:100],
                               description=text, lead_unit=visit.unit)
    row.save()
    return row


# --- study sessions --------------------------------------------------------------------------

@dataclass(frozen=True)
class Attendee:
    """A person on a session's roll."""

    person: Any
    status: str = Attendance.PRESENT
    made_up_on: datetime.date | None = None


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


def session_clean(*, unit: Unit, kind: str, topic: str, starts_on: datetime.date | None,
                  ends_on: datetime.date | None, duration: Any, duration_unit: str,
                  attendees: Sequence[Attendee]) -> dict[str, str]:
    """Return every field error of a session (empty when it is good); the importer uses the same rules."""
    errors: dict[str, str] = {}
    if kind not in SessionKind.values:
        errors["kind"] = _("Unknown kind of session.")
    if not (topic or "").strip():
        errors["topic"] = _("A session needs a topic.")
    if starts_on is None:
        errors["starts_on"] = _("Give the date.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The session ends before it starts.")
    elif (ends_on or starts_on) > today():
        errors["ends_on"] = _("A session cannot be recorded before it takes place.")
    amount = _decimal(duration)
    if amount is None or amount <= 0 or amount > 999:
        errors["duration"] = _("Give a duration above zero.")
    if duration_unit not in DurationUnit.values:
        errors["duration_unit"] = _("Days or hours.")
    strangers, seen, twice = [], set(), []
    for attendee in attendees:
        home = getattr(attendee.person, "home_unit", None)
        if home is None or not is_inside(home, unit):
            strangers.append(str(attendee.person))
        if attendee.person.pk in seen:
            twice.append(str(attendee.person))
        seen.add(attendee.person.pk)
        if attendee.status not in Attendance.values:
            errors["attendees"] = _("Unknown attendance.")
        if attendee.made_up_on and attendee.status != Attendance.MADE_UP:
            errors["attendees"] = _("Only a make-up study has a make-up date.")
        if attendee.made_up_on and starts_on and attendee.made_up_on < starts_on:
            errors["attendees"] = _("Make-up study comes after the session.")
    if strangers:
        errors["attendees"] = _("Not people of this unit: %(names)s.") % {"names": "、".join(strangers)}
    elif twice:
        errors["attendees"] = _("Listed twice: %(names)s.") % {"names": "、".join(twice)}
    return errors


def _session_record(*, actor: Actor, unit: Unit, kind: str, topic: str, starts_on: datetime.date,
                   ends_on: datetime.date | None = None, duration: Any = 1, duration_unit: str = DurationUnit.DAYS,
                   materials: str = "", place: str = "", red_site: bool = False, leadership: bool = True,
                   attendees: Sequence[Attendee] = (), photos: Sequence[tuple[str, bytes]] = ()) -> StudySession:
    """Record a study session with its roll and photos; attendees must be people of the unit (or below it)."""
    if not may_record_for(actor, unit):
        raise PermissionDenied(_("You may not keep this unit's study ledger."))
    errors = session_clean(unit=unit, kind=kind, topic=topic, starts_on=starts_on, ends_on=ends_on,
                           duration=duration, duration_unit=duration_unit, attendees=attendees)
    cleaned = _clean_photos(photos, errors)
    if errors:
        raise LedgerInvalid(errors)
    amount = _decimal(duration)
    assert amount is not None  # session_clean refused a duration that is not a number
    with transaction.atomic():
        session = StudySession.objects.create(
            unit=unit, kind=kind, topic=_text(topic, 200), starts_on=starts_on, ends_on=ends_on or starts_on,
            duration=amount, duration_unit=duration_unit, materials=_text(materials, MAX_TEXT),
            place=_text(place, 200), red_site=red_site, leadership=leadership,
            created_by=user_of(actor))
        SessionAttendance.objects.bulk_create([
            SessionAttendance(session=session, person=a.person, status=a.status, made_up_on=a.made_up_on)
            for a in attendees])
        for clean in cleaned:
            stored_file_create(model=SessionPhoto, clean=clean, session=session)
        audit_record(actor=actor, action="ledgers.session_recorded", obj=session,
                     after={"kind": kind, "topic": session.topic, "from": str(session.starts_on),
                            "duration": f"{session.duration} {duration_unit}", "attendees": len(attendees)})
    return session


session_record = durable(_session_record)


def attendance_make_up(*, actor: Actor, attendance: SessionAttendance, made_up_on: datetime.date) -> SessionAttendance:
    """Record that an absent person made the study up (补学) on a date."""
    session = attendance.session
    if not may_record_for(actor, session.unit):
        raise PermissionDenied(_("You may not keep this unit's study ledger."))
    if attendance.status == Attendance.PRESENT:
        raise ApplicationError(_("This person was present."), code="ledger_state")
    if made_up_on < session.starts_on or made_up_on > today():
        raise LedgerInvalid({"made_up_on": _("Make-up study comes after the session and not in the future.")})
    with transaction.atomic(durable=True):
        attendance.status, attendance.made_up_on = Attendance.MADE_UP, made_up_on
        attendance.save(update_fields=["status", "made_up_on"])
        audit_record(actor=actor, action="ledgers.study_made_up", obj=session,
                     after={"person": attendance.person_id, "on": str(made_up_on)})
    return attendance


def session_mark_all_present(*, actor: Actor, session: StudySession, people: Sequence[Any]) -> int:
    """Mark everyone on the roll not yet recorded as present (「全部出席」), in one audited step.

    Only people without an attendance row are added: a recorded absence stays, because it is made
    up by a 补学 on its own date, not rewritten as presence. Returns how many were marked.
    """
    if not may_record_for(actor, session.unit):
        raise PermissionDenied(_("You may not keep this unit's study ledger."))
    attendees = [Attendee(person=p) for p in people]
    errors = session_clean(unit=session.unit, kind=session.kind, topic=session.topic, starts_on=session.starts_on,
                           ends_on=session.ends_on, duration=session.duration, duration_unit=session.duration_unit,
                           attendees=attendees)
    if "attendees" in errors:
        raise LedgerInvalid({"attendees": errors["attendees"]})
    with transaction.atomic(durable=True):
        recorded = set(SessionAttendance.objects.filter(session=session).values_list("person_id", flat=True))
        rows = [SessionAttendance(session=session, person=a.person, status=Attendance.PRESENT)
                for a in attendees if a.person.pk not in recorded]
        SessionAttendance.objects.bulk_create(rows)
        if rows:
            audit_record(actor=actor, action="ledgers.session_all_present", obj=session,
                         after={"present": sorted(r.person_id for r in rows)})
    return len(rows)


# --- research --------------------------------------------------------------------------------

def _topic_create(*, actor: Actor, unit: Unit, title: str, owners: Sequence[Any],
                 started_on: datetime.date) -> ResearchTopic:
    """Open a research topic (调研课题) of a unit with its owners."""
    if not may_record_for(actor, unit):
        raise PermissionDenied(_("You may not keep this unit's research ledger."))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("A topic needs a title.")
    if not owners:
        errors["owners"] = _("Name at least one owner.")
    if started_on > today():
        errors["started_on"] = _("Cannot be in the future.")
    if errors:
        raise LedgerInvalid(errors)
    with transaction.atomic():
        topic = ResearchTopic.objects.create(unit=unit, title=_text(title, 200), started_on=started_on)
        topic.owners.set(owners)
        audit_record(actor=actor, action="ledgers.topic_created", obj=topic,
                     after={"title": topic.title, "owners": [o.pk for o in owners]})
    return topic


topic_create = durable(_topic_create)


def writing_add(*, actor: Actor, topic: ResearchTopic, kind: str, title: str, text: str, written_on: datetime.date,
                visits: Sequence[Visit] = ()) -> ResearchWriting:
    """Add a research note (调研手记) or report to a topic, linked to the visits it draws on."""
    author = user_of(actor)  # a person writes a note; a marker (the system) has no account to sign it
    if author is None or not may_record_for(actor, topic.unit):
        raise PermissionDenied(_("You may not keep this unit's research ledger."))
    errors: dict[str, str] = {}
    if kind not in WritingKind.values:
        errors["kind"] = _("A note or a report.")
    if not (title or "").strip() or not (text or "").strip():
        errors["text"] = _("Give a title and the text.")
    if written_on > today():
        errors["written_on"] = _("Cannot be in the future.")
    scope = scope_for_user(actor)
    if any(not scope.contains(v.unit) and v.visitor_id != getattr(actor, "pk", None) for v in visits):
        errors["visits"] = _("Unknown visit.")
    if errors:
        raise LedgerInvalid(errors)
    with transaction.atomic(durable=True):
        writing = ResearchWriting.objects.create(topic=topic, kind=kind, title=_text(title, 200),
                                                 text=_text(text, 50_000), author=author, written_on=written_on)
        writing.visits.set(visits)
        audit_record(actor=actor, action="ledgers.writing_added", obj=topic,
                     after={"writing": writing.pk, "kind": kind, "visits": [v.pk for v in visits]})
    return writing


def topic_link_item(*, actor: Actor, topic: ResearchTopic, item: Any) -> ResearchTopic:
    """Record that a research topic led to an item on a list."""
    if not may_record_for(actor, topic.unit):
        raise PermissionDenied(_("You may not keep this unit's research ledger."))
    with transaction.atomic(durable=True):
        topic.items.add(item)
        audit_record(actor=actor, action="ledgers.topic_item_linked", obj=topic, after={"item": item.pk})
    return topic
