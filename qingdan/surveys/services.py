"""Writes of surveys: build, open and close a questionnaire, issue tokens, take answers, follow up.

"One answer per token or phone" is held by the database (a one-to-one token, a unique phone
blind index per survey), so a citizen who submits twice, even at the same instant, is counted
once: the second call gets the first response back with ``created=False``.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.crypto import blind_index
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.dockets.services import submission_rate
from qingdan.intake.models import Submission
from qingdan.intake.services import normalise_phone
from qingdan.surveys.choices import CHOICE_KINDS, Identity, QuestionKind, SurveyStatus
from qingdan.surveys.errors import SurveyClosed, SurveyInvalid
from qingdan.surveys.models import Answer, Question, Response, Survey, SurveyToken
from qingdan.units.choices import MANAGE_ROLES, Role
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, may, scope_for_user

MAX_QUESTIONS = 100
MAX_CHOICES = 30
MAX_TEXT_ANSWER = 2000
MAX_TOKENS = 10_000
# The follow-up question and its answers, in the order of intake's Satisfaction choices.
FOLLOWUP_RATINGS = ("satisfied", "basic", "unsatisfied")


def _may_build(actor: Actor, unit: Unit) -> bool:
    return scope_for_user(actor, roles=MANAGE_ROLES).contains(unit)


def survey_create(*, actor: Actor, unit: Unit, title: str, intro: str = "",
                  identity: str = Identity.PHONE) -> Survey:
    """Start a questionnaire (a draft) for a unit; only the unit's organizers build them."""
    if not _may_build(actor, unit):
        raise PermissionDenied(_("You may not build questionnaires for this unit."))
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = _("A questionnaire needs a title.")
    if identity not in Identity.values:
        errors["identity"] = _("Count respondents by token or by phone.")
    if errors:
        raise SurveyInvalid(errors)
    with transaction.atomic(durable=True):
        survey = Survey.objects.create(unit=unit, title=title.strip()[:200], intro=(intro or "").strip()[:5000],
                                       identity=identity, slug=secrets.token_urlsafe(12),
                                       created_by=user_of(actor))
        audit_record(actor=actor, action="surveys.survey_created", obj=survey,
                     after={"title": survey.title, "identity": identity})
    return survey


def question_add(*, actor: Actor, survey: Survey, kind: str, text: str, choices: Sequence[str] = (),
                 good: Sequence[int] = (), scale_max: int = 5, required: bool = True) -> Question:
    """Add a question to a draft. ``good`` names the choices (or, for a scale, the lowest value) rated good."""
    if not _may_build(actor, survey.unit):
        raise PermissionDenied(_("You may not build questionnaires for this unit."))
    if survey.status != SurveyStatus.DRAFT:
        raise SurveyClosed(_("Questions can only be added while the questionnaire is a draft."))
    errors: dict[str, str] = {}
    choices = [c.strip()[:200] for c in choices if c and c.strip()]
    if kind not in QuestionKind.values:
        errors["kind"] = _("Unknown kind of question.")
    if not (text or "").strip():
        errors["text"] = _("Write the question.")
    if kind in CHOICE_KINDS:
        if not 2 <= len(choices) <= MAX_CHOICES:
            errors["choices"] = _("Give between 2 and %(max)d choices.") % {"max": MAX_CHOICES}
        elif any(not 0 <= g < len(choices) for g in good):
            errors["good"] = _("Good answers must be among the choices.")
    elif kind == QuestionKind.SCALE:
        if not 2 <= scale_max <= 10:
            errors["scale_max"] = _("A scale runs from 1 to between 2 and 10.")
        elif any(not 1 <= g <= scale_max for g in good) or len(good) > 1:
            errors["good"] = _("Give the lowest value rated good, within the scale.")
    if survey.questions.count() >= MAX_QUESTIONS:
        errors["text"] = _("Too many questions.")
    if errors:
        raise SurveyInvalid(errors)
    with transaction.atomic(durable=True):
        question = Question.objects.create(
            survey=survey, position=survey.questions.count() + 1, kind=kind, text=text.strip()[:300],
            required=required, choices=choices if kind in CHOICE_KINDS else [],
            good=sorted(set(good)) if kind in CHOICE_KINDS | {QuestionKind.SCALE} else [], scale_max=scale_max)
        audit_record(actor=actor, action="surveys.question_added", obj=survey,
                     after={"question": question.pk, "kind": kind})
    return question


def survey_set_status(*, actor: Actor, survey: Survey, status: str) -> Survey:
    """Open a questionnaire for answers (it needs a question) or close it."""
    if not _may_build(actor, survey.unit):
        raise PermissionDenied(_("You may not change this questionnaire."))
    if status not in SurveyStatus.values:
        raise SurveyInvalid({"status": _("Unknown status.")})
    if status == SurveyStatus.OPEN and not survey.questions.exists():
        raise SurveyInvalid({"status": _("Add a question before opening the questionnaire.")})
    with transaction.atomic(durable=True):
        before = survey.status
        survey.status = status
        survey.save(update_fields=["status"])
        audit_record(actor=actor, action="surveys.status_changed", obj=survey, before={"status": before},
                     after={"status": status})
    return survey


def tokens_issue(*, actor: Actor, survey: Survey, count: int, unit: Unit | None = None) -> list[SurveyToken]:
    """Issue one-time invitation tokens, optionally for a unit below the survey's (the results' breakdown)."""
    if not _may_build(actor, survey.unit):
        raise PermissionDenied(_("You may not change this questionnaire."))
    if not 1 <= count <= MAX_TOKENS:
        raise SurveyInvalid({"count": _("Between 1 and %(max)d tokens at a time.") % {"max": MAX_TOKENS}})
    if unit is not None and not is_inside(unit, survey.unit):
        raise SurveyInvalid({"unit": _("The unit must lie within the questionnaire's unit.")})
    with transaction.atomic(durable=True):
        tokens = SurveyToken.objects.bulk_create([
            SurveyToken(survey=survey, token=secrets.token_urlsafe(16), unit=unit) for _n in range(count)])
        audit_record(actor=actor, action="surveys.tokens_issued", obj=survey,
                     after={"count": count, "unit": unit.code if unit else ""})
    return tokens


def _clean_answer(question: Question, raw: Any, errors: dict[str, str]) -> Answer | None:
    """Turn a raw answer (index, indexes, number or text) into an Answer, or note the error."""
    key = f"q{question.pk}"
    empty = raw is None or raw == "" or raw == []
    if empty:
        if question.required:
            errors[key] = _("Please answer this question.")
        return None
    try:
        if question.kind == QuestionKind.SINGLE:
            index = int(raw[0] if isinstance(raw, list | tuple) else raw)
            if not 0 <= index < len(question.choices):
                raise ValueError
            return Answer(question=question, chosen=[index])
        if question.kind == QuestionKind.MULTIPLE:
            indexes = sorted({int(v) for v in (raw if isinstance(raw, list | tuple) else [raw])})
            if any(not 0 <= i < len(question.choices) for i in indexes):
                raise ValueError
            return Answer(question=question, chosen=indexes)
        if question.kind == QuestionKind.SCALE:
            value = int(raw[0] if isinstance(raw, list | tuple) else raw)
            if not 1 <= value <= question.scale_max:
                raise ValueError
            return Answer(question=question, value=value)
        text = str(raw[0] if isinstance(raw, list | tuple) else raw).strip()
        if len(text) > MAX_TEXT_ANSWER:
            errors[key] = _("The answer is too long (at most %(max)d characters).") % {"max": MAX_TEXT_ANSWER}
            return None
        return Answer(question=question, text=text)
    except (TypeError, ValueError):
        errors[key] = _("Choose one of the answers offered.")
        return None


def response_submit(*, survey: Survey, answers: Mapping[int, Any], token: str = "", phone: str = "",
                    unit: Unit | None = None) -> tuple[Response, bool]:
    """Take one respondent's answers; return the response and whether it is new.

    A second answer with the same token or phone returns the first response unchanged: one
    respondent, one answer counted. Answers are keyed by question id.
    """
    if survey.status != SurveyStatus.OPEN:
        raise SurveyClosed(_("This questionnaire is not open."))
    errors: dict[str, str] = {}
    invitation: SurveyToken | None = None
    phone_index = ""
    if survey.identity == Identity.TOKEN:
        invitation = SurveyToken.objects.filter(survey=survey, token=(token or "").strip()).first()
        if invitation is None:
            raise SurveyInvalid({"token": _("This link is not valid; use the link you were sent.")})
        earlier = Response.objects.filter(token=invitation).first()
        if earlier is not None:
            return earlier, False
    else:
        try:
            phone_index = blind_index(normalise_phone(phone or ""))
        except ValueError as exc:
            raise SurveyInvalid({"phone": str(exc)}) from None
        earlier = Response.objects.filter(survey=survey, phone_index=phone_index).first()
        if earlier is not None:
            return earlier, False
    cleaned = [a for q in survey.questions.all() if (a := _clean_answer(q, answers.get(q.pk), errors))]
    where = (invitation.unit if invitation and invitation.unit else None) or unit or survey.unit
    if not is_inside(where, survey.unit):
        errors["unit"] = _("The unit must lie within the questionnaire's unit.")
    if errors:
        raise SurveyInvalid(errors)
    try:
        with transaction.atomic(durable=True):
            response = Response.objects.create(survey=survey, token=invitation, phone_index=phone_index, unit=where)
            for answer in cleaned:
                answer.response = response
            Answer.objects.bulk_create(cleaned)
            audit_record(actor="citizen", action="surveys.response_received", obj=survey,
                         unit_path=where.path, after={"response": response.pk, "answers": len(cleaned)})
    except IntegrityError:  # a twin submitted at the same instant won the race
        earlier = (Response.objects.filter(token=invitation).first() if invitation else
                   Response.objects.filter(survey=survey, phone_index=phone_index).first())
        if earlier is None:
            raise
        return earlier, False
    if survey.submission_id:
        _followup_rate(survey, cleaned)
    return response, True


def followup_create(*, actor: Actor, submission: Any) -> SurveyToken:
    """Create the one-question follow-up (回访) for an answered submission and return its invitation.

    The link is ``/s/<slug>/?t=<token>``. When the citizen answers, the rating is also given to
    ``dockets.services.submission_rate`` (if the submission is still waiting for one), so the
    loop's satisfaction and the survey's results come from the same answer.
    """
    roles = {Role.HANDLER, Role.LEADER, Role.OPERATOR, *MANAGE_ROLES}
    if not may(actor, submission.unit, roles):
        raise PermissionDenied(_("You may not follow up this submission."))
    with transaction.atomic(durable=True):
        survey = Survey.objects.create(unit=submission.unit, title=_("Follow-up: %(code)s") % {
            "code": submission.tracking_code}, identity=Identity.TOKEN, status=SurveyStatus.OPEN,
            slug=secrets.token_urlsafe(12), submission=submission,
            created_by=user_of(actor))
        Question.objects.create(survey=survey, position=1, kind=QuestionKind.SINGLE,
                                text=_("Are you satisfied with how your problem was handled?"),
                                choices=[_("Satisfied"), _("Basically satisfied"), _("Unsatisfied")], good=[0, 1])
        invitation = SurveyToken.objects.create(survey=survey, token=secrets.token_urlsafe(16), unit=submission.unit)
        audit_record(actor=actor, action="surveys.followup_created", obj=survey,
                     after={"submission": submission.tracking_code})
    return invitation


def _followup_rate(survey: Survey, answers: Sequence[Answer]) -> None:
    """Pass a follow-up's answer to intake as the submission's rating, when intake still takes one."""
    chosen = next((a.chosen[0] for a in answers if a.chosen), None)
    submission = (Submission.objects.filter(pk=survey.submission_id).first()
                  if survey.submission_id is not None else None)
    if chosen is None or submission is None:
        return
    # Not answered yet, or already rated by the citizen on the tracking page: the survey keeps
    # its own answer for its results; intake's rating stays the one the loop uses.
    with contextlib.suppress(ApplicationError):
        submission_rate(submission=submission, rating=FOLLOWUP_RATINGS[chosen])
