"""The ledgers and surveys API: record a visit, read figures and coverage, scope and errors."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def test_record_a_visit_and_read_the_figures(client, tree, lx_leader, zj_organizer):
    from qingdan.ledgers.services import liaison_assign

    today = timezone.localdate()
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330106009"], starts_on=today.replace(day=1))
    client.force_login(lx_leader)
    response = client.post("/api/v1/ledgers/visits", {
        "unit": "330106009002", "visited_on": today.isoformat(), "households": 7,
        "problems": [{"text": "小区电梯经常故障"}]}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["households"] == 7 and len(body["submissions"]) == 1
    figures = client.get("/api/v1/ledgers/figures", {"unit": "330106009"}).json()
    assert figures["visits"]["visits"] == 1 and figures["visits"]["to_intake"] == 1
    assert (figures["villages_assigned"], figures["villages_visited"]) == (2, 1)
    cover = client.get("/api/v1/ledgers/coverage", {"unit": "330106009"}).json()
    assert {v["code"]: v["visited"] for v in cover["villages"]} == {"330106009001": False, "330106009002": True}
    assert client.get("/api/v1/ledgers/visits").json()["items"][0]["id"] == body["id"]


def test_errors_are_clear(client, tree, lx_leader):
    client.force_login(lx_leader)
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    response = client.post("/api/v1/ledgers/visits", {"unit": "330106009001", "visited_on": future},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "ledger_invalid"
    assert "visited_on" in response.json()["fields"]
    response = client.post("/api/v1/ledgers/visits", {"unit": "330108001", "visited_on": future},
                           content_type="application/json")
    assert response.status_code == 404
    assert client.get("/api/v1/ledgers/figures", {"unit": "330108"}).status_code == 404


def test_survey_results_api(client, tree, xh_organizer, bj_handler):
    from qingdan.surveys.services import question_add, response_submit, survey_create, survey_set_status

    survey = survey_create(actor=xh_organizer, unit=tree["330106"], title="满意度")
    question = question_add(actor=xh_organizer, survey=survey, kind="single", text="满意吗", choices=["是", "否"],
                            good=[0])
    survey_set_status(actor=xh_organizer, survey=survey, status="open")
    response_submit(survey=survey, answers={question.pk: "0"}, phone="13800000001")
    client.force_login(xh_organizer)
    body = client.get(f"/api/v1/surveys/{survey.pk}/results").json()
    assert body["responses"] == 1 and body["questions"][0]["good_rate"] == "100.0"
    assert client.get("/api/v1/surveys/").json()[0]["responses"] == 1
    assert client.get(f"/api/v1/surveys/{2**70}/results").status_code in (404, 422)
    client.force_login(bj_handler)
    assert client.get(f"/api/v1/surveys/{survey.pk}/results").status_code == 404
