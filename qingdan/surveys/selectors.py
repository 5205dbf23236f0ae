"""Reads of surveys through the reader's scope, and their results.

A question's good rate is the share of its answers that count as good (the choices marked good,
or a scale value at or above the one marked): "98.7% rated good". Rates are percentages to one
decimal, rounded half up, over the answers given (a skipped optional question is not counted).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet

from qingdan.core.errors import NotFound
from qingdan.surveys.choices import CHOICE_KINDS, QuestionKind, SurveyStatus
from qingdan.surveys.models import Answer, Question, Response, Survey
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user, within


def rate(part: int, whole: int) -> Decimal | None:
    """Return part/whole in percent to one decimal, or None when nothing was counted."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def survey_list_for_user(user: Any) -> QuerySet[Survey]:
    """Questionnaires of units in the user's scope, with their response counts."""
    return (scope_for_user(user).filter(Survey.objects.select_related("unit"), "unit")
            .annotate(response_count=Count("responses")))


def survey_get_for_user(user: Any, *, survey_id: int) -> Survey:
    """Return one questionnaire the user may see, or NotFound."""
    survey = survey_list_for_user(user).filter(pk=survey_id).first()
    if survey is None:
        raise NotFound("No such questionnaire in your scope.")
    return survey


def survey_public_get(*, slug: str) -> Survey:
    """Return a questionnaire by its public link, unless it is still a draft."""
    survey = Survey.objects.exclude(status=SurveyStatus.DRAFT).filter(slug=slug).first()
    if survey is None:
        raise NotFound("No such questionnaire.")
    return survey


def is_good(question: Question, answer: Answer) -> bool | None:
    """Tell whether an answer counts as good; None when the question has no notion of good."""
    if not question.good:
        return None
    if question.kind in CHOICE_KINDS:
        return any(i in question.good for i in answer.chosen)
    if question.kind == QuestionKind.SCALE and answer.value is not None:
        return answer.value >= question.good[0]
    return None


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    counts: list[tuple[str, int, Decimal | None]] = field(default_factory=list)
    good: int = 0
    good_rate: Decimal | None = None
    average: Decimal | None = None
    texts: list[str] = field(default_factory=list)
    by_unit: list[tuple[Unit, int, int, Decimal | None]] = field(default_factory=list)


@dataclass
class Results:
    survey: Survey
    responses: int
    questions: list[QuestionResult]


def survey_results(survey: Survey, *, texts: int = 50) -> Results:
    """Count the answers of every question, its good rate, and the good rate per unit answered from."""
    questions = list(survey.questions.all())
    per_question: dict[int, QuestionResult] = {q.pk: QuestionResult(question=q) for q in questions}
    tallies: dict[int, Counter] = defaultdict(Counter)
    unit_tallies: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    scale_sums: dict[int, int] = defaultdict(int)
    units: dict[int, Unit] = {}
    by_pk = {q.pk: q for q in questions}
    answers = (Answer.objects.filter(response__survey=survey).select_related("response__unit")
               .order_by("pk").iterator(chunk_size=2000))
    for answer in answers:
        question = by_pk[answer.question_id]
        result = per_question[question.pk]
        result.answered += 1
        if question.kind in CHOICE_KINDS:
            tallies[question.pk].update(answer.chosen)
        elif question.kind == QuestionKind.SCALE and answer.value is not None:
            tallies[question.pk][answer.value] += 1
            scale_sums[question.pk] += answer.value
        elif answer.text and len(result.texts) < texts:
            result.texts.append(answer.text)
        good = is_good(question, answer)
        if good is not None:
            unit = answer.response.unit
            units[unit.pk] = unit
            cell = unit_tallies[question.pk][unit.pk]
            cell[0] += 1
            cell[1] += int(good)
            result.good += int(good)
    for question in questions:
        result = per_question[question.pk]
        if question.kind in CHOICE_KINDS:
            labels = list(enumerate(question.choices))
        elif question.kind == QuestionKind.SCALE:
            labels = [(v, str(v)) for v in range(1, question.scale_max + 1)]
        else:
            labels = []
        result.counts = [(label, tallies[question.pk][key], rate(tallies[question.pk][key], result.answered))
                         for key, label in labels]
        if question.good:
            result.good_rate = rate(result.good, result.answered)
            result.by_unit = sorted(((units[u], n, g, rate(g, n)) for u, (n, g) in
                                     unit_tallies[question.pk].items()), key=lambda row: row[0].path)
        if question.kind == QuestionKind.SCALE and result.answered:
            result.average = (Decimal(scale_sums[question.pk]) / result.answered).quantize(Decimal("0.01"))
    return Results(survey=survey, responses=survey.responses.count(),
                   questions=[per_question[q.pk] for q in questions])


@dataclass
class SurveyFigures:
    surveys: int
    responses: int
    good: int
    rated: int

    @property
    def good_rate(self) -> Decimal | None:
        return rate(self.good, self.rated)


def survey_figures(*, unit: Unit, start: datetime.date | None = None,
                   end: datetime.date | None = None) -> SurveyFigures:
    """Questionnaires answered from a subtree in a period, and the share of ratings that are good."""
    responses = within(Response.objects.all(), unit, "unit")
    if start:
        responses = responses.filter(submitted_at__date__gte=start)
    if end:
        responses = responses.filter(submitted_at__date__lte=end)
    rated = good = 0
    for answer in (Answer.objects.filter(response__in=responses).exclude(question__good=[])
                   .select_related("question").iterator(chunk_size=2000)):
        verdict = is_good(answer.question, answer)
        if verdict is not None:
            rated += 1
            good += int(verdict)
    return SurveyFigures(surveys=responses.values("survey_id").distinct().count(), responses=responses.count(),
                         good=good, rated=rated)
