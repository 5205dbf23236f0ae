"""Surveys over HTTP: the questionnaires in scope and their results. Thin shells."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from qingdan.core.errors import NotFound
from qingdan.surveys import selectors
from qingdan.surveys.models import Survey
from qingdan.surveys.schemas import CountOut, QuestionResultOut, ResultsOut, SurveyOut, SurveyPage, UnitRateOut

router = Router(tags=["surveys"])
MAX_ID = 2**63 - 1


def _out(survey: Survey) -> SurveyOut:
    return SurveyOut(id=survey.pk, title=survey.title, unit=survey.unit.code, status=survey.status,
                     identity=survey.identity, responses=getattr(survey, "response_count", 0),
                     created_at=survey.created_at)


@router.get("/", response=list[SurveyOut], summary="Questionnaires of units in your scope")
def survey_list(request: HttpRequest, page: Query[SurveyPage]) -> list[SurveyOut]:
    rows = selectors.survey_list_for_user(request.user)[page.offset:page.offset + page.limit]
    return [_out(s) for s in rows]


@router.get("/{survey_id}/results", response=ResultsOut, summary="Counts, good rates and the breakdown by unit")
def survey_results(request: HttpRequest, survey_id: int) -> ResultsOut:
    if not 0 < survey_id <= MAX_ID:
        raise NotFound("No such questionnaire in your scope.")
    survey = selectors.survey_get_for_user(request.user, survey_id=survey_id)
    results = selectors.survey_results(survey)
    return ResultsOut(survey=_out(survey), responses=results.responses, questions=[
        QuestionResultOut(id=r.question.pk, kind=r.question.kind, text=r.question.text, answered=r.answered,
                          counts=[CountOut(label=str(label), count=n, percent=pct) for label, n, pct in r.counts],
                          good=r.good, good_rate=r.good_rate, average=r.average,
                          by_unit=[UnitRateOut(unit=u.code, name=u.name, answered=n, good=g, good_rate=pct)
                                   for u, n, g, pct in r.by_unit])
        for r in results.questions])
