"""Questionnaires: one answer per token or phone, good rates by hand, follow-up feeding intake's rating."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qingdan.core.errors import PermissionDenied
from qingdan.surveys.choices import Identity, QuestionKind, SurveyStatus
from qingdan.surveys.errors import SurveyClosed, SurveyInvalid
from qingdan.surveys.models import Response
from qingdan.surveys.selectors import survey_figures, survey_results
from qingdan.surveys.services import (
    followup_create,
    question_add,
    response_submit,
    survey_create,
    survey_set_status,
    tokens_issue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(tree, xh_organizer):
    survey = survey_create(actor=xh_organizer, unit=tree["330106"], title="群众满意度调查", identity=Identity.PHONE)
    question_add(actor=xh_organizer, survey=survey, kind=QuestionKind.SINGLE, text="您对服务是否满意？",
                 choices=["满意", "基本满意", "不满意"], good=[0, 1])
    question_add(actor=xh_organizer, survey=survey, kind=QuestionKind.SCALE, text="打分", scale_max=5, good=[4])
    question_add(actor=xh_organizer, survey=survey, kind=QuestionKind.MULTIPLE, text="关心哪些方面", required=False,
                 choices=["交通", "教育", "医疗"])
    question_add(actor=xh_organizer, survey=survey, kind=QuestionKind.TEXT, text="建议", required=False)
    return survey_set_status(actor=xh_organizer, survey=survey, status=SurveyStatus.OPEN)


def q(survey, n):
    return survey.questions.all()[n].pk


def test_only_organizers_build(tree, xh_handler):
    with pytest.raises(PermissionDenied):
        survey_create(actor=xh_handler, unit=tree["330106"], title="x")


def test_the_same_phone_counts_once_however_it_is_written(survey):
    first, created = response_submit(survey=survey, answers={q(survey, 0): "0", q(survey, 1): "5"},
                                     phone="138 1234 5678")
    again, created_again = response_submit(survey=survey, answers={q(survey, 0): "2", q(survey, 1): "1"},
                                           phone="+8613812345678")
    assert created and not created_again and again.pk == first.pk
    assert Response.objects.count() == 1
    assert "13812345678" not in first.phone_index and len(first.phone_index) >= 32


def test_the_same_token_counts_once(tree, xh_organizer):
    survey = survey_create(actor=xh_organizer, unit=tree["330106"], title="t", identity=Identity.TOKEN)
    question_add(actor=xh_organizer, survey=survey, kind=QuestionKind.SINGLE, text="满意吗", choices=["是", "否"],
                 good=[0])
    survey_set_status(actor=xh_organizer, survey=survey, status=SurveyStatus.OPEN)
    token = tokens_issue(actor=xh_organizer, survey=survey, count=2, unit=tree["330106009"])[0]
    question = survey.questions.get().pk
    assert response_submit(survey=survey, answers={question: "0"}, token=token.token)[1]
    assert not response_submit(survey=survey, answers={question: "1"}, token=token.token)[1]
    assert survey_results(survey).questions[0].good_rate == Decimal("100.0")
    with pytest.raises(SurveyInvalid):
        response_submit(survey=survey, answers={question: "0"}, token="made-up")


def test_bad_answers_save_nothing(survey):
    with pytest.raises(SurveyInvalid) as caught:
        response_submit(survey=survey, answers={q(survey, 0): "7", q(survey, 1): ""}, phone="13812345678")
    assert len(caught.value.fields) == 2 and not Response.objects.exists()
    with pytest.raises(SurveyInvalid):
        response_submit(survey=survey, answers={q(survey, 0): "0", q(survey, 1): "3"}, phone="12")


def test_rates_equal_the_hand_computation(tree, survey):
    # 150 respondents: 120 satisfied, 28 basically, 2 unsatisfied -> 148/150 = 98.7% rated good.
    # Scale: 100 give 5, 30 give 4, 20 give 2 -> 130/150 = 86.7%; average (500+120+40)/150 = 4.40.
    for n in range(150):
        choice = 0 if n < 120 else (1 if n < 148 else 2)
        value = 5 if n < 100 else (4 if n < 130 else 2)
        unit = tree["330106009"] if n % 2 else tree["330106"]
        response_submit(survey=survey, answers={q(survey, 0): str(choice), q(survey, 1): str(value),
                                                q(survey, 2): ["0", "2"] if n < 10 else []},
                        phone=f"1381234{n:04d}", unit=unit)
    results = survey_results(survey)
    assert results.responses == 150
    assert results.questions[0].good_rate == Decimal("98.7")
    assert [c[1] for c in results.questions[0].counts] == [120, 28, 2]
    assert results.questions[1].good_rate == Decimal("86.7") and results.questions[1].average == Decimal("4.40")
    assert [c[1] for c in results.questions[2].counts] == [10, 0, 10]
    by_unit = {u.code: (n, g) for u, n, g, _pct in results.questions[0].by_unit}
    # odd n -> 留下街道: 75 respondents; even n -> 西湖区 itself: 75. Unsatisfied are n=148 (even), 149 (odd).
    assert by_unit == {"330106": (75, 74), "330106009": (75, 74)}
    figures = survey_figures(unit=tree["330106009"])
    assert figures.responses == 75 and figures.rated == 150 and figures.good == 74 + 65
    survey_set_status(actor=survey.created_by, survey=survey, status=SurveyStatus.CLOSED)
    with pytest.raises(SurveyClosed):
        response_submit(survey=survey, answers={q(survey, 0): "0", q(survey, 1): "5"}, phone="13900000000")


def test_followup_feeds_intakes_rating(tree, xh_handler):
    from qingdan.intake.services import submission_create, submission_reply

    submission, _new = submission_create(actor=None, channel="web", kind="complaint", text="路灯坏了很久",
                                         unit=tree["330106009"], anonymous=True)
    submission_reply(actor=xh_handler, submission=submission, text="已修复")
    invitation = followup_create(actor=xh_handler, submission=submission)
    survey = invitation.survey
    response_submit(survey=survey, answers={survey.questions.get().pk: "2"}, token=invitation.token)
    submission.refresh_from_db()
    assert submission.rating == "unsatisfied"
    assert survey_results(survey).questions[0].good_rate == Decimal("0.0")
