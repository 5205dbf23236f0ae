"""满意率 and 解决率 as 12345 centres publish them: every rating of every case counts, in every figure.

The citizen rates on /track/ (or an operator records the follow-up call through the API); the
figures are read the way supervisors read them: the dashboard, the figures API and the weekly
report. Every rating is a record: a re-rating after a reopening is a second rating, and a case
answered without a list item is rated and counted like one answered by an item.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import timezone

from qingdan.core.periods import period_containing
from qingdan.dockets.models import Item
from qingdan.dockets.services import item_accept, item_close, item_dispatch, item_request_closure
from qingdan.intake.models import Rating
from qingdan.reports.render import render
from qingdan.reports.weekly import weekly_build
from qingdan.supervision.running import figures_verify
from qingdan.supervision.selectors import unit_rates

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rate(code: str, rating: str, solved: str, reason: str = ""):
    """The citizen's own follow-up on the tracking page."""
    response = Client().post(f"/track/{code}/rate/", {"rating": rating, "solved": solved, "reason": reason})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


@pytest.fixture
def answer(make_item, hz_operator, xh_handler, hz_supervisor, png):
    """List a submission as an item of 西湖区, and take the item to closure (the citizen gets the reply)."""

    def run(submission=None, item=None) -> Item:
        if item is None:
            item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(
                submissions=[submission])))
        item = item_request_closure(actor=xh_handler, item=item, reply="已疏通污水管网。", files=[("a.png", png)])
        return item_close(actor=hz_supervisor, item=item, text="核验通过")

    return run


def dashboard_figures(user, code: str) -> dict:
    """The figures the dashboard shows: each rate's box, and the ratings box."""
    page = client_for(user).get(f"/supervision/units/{code}/").content.decode()
    shown = {}
    for name, value in re.findall(r'<article id="(rate-\w+|ratings)"[^>]*><small>[^<]*</small><strong>([^<]*)</strong>',
                                  page):
        shown[name] = value.strip()
    return shown


def test_an_unsatisfied_rating_and_the_satisfied_rerating_both_count_everywhere(submit, answer, tree,
                                                                                hz_supervisor):
    case = submit(unit=tree["330106"])
    item = answer(case)
    rate(case.tracking_code, "unsatisfied", "no", "雨天还是外溢")  # reopens the item
    item.refresh_from_db()
    assert item.status == "rectifying"
    answer(item=item)  # answered again
    rate(case.tracking_code, "satisfied", "yes")

    assert Rating.objects.filter(submission=case).count() == 2
    today = timezone.localdate()
    rates = unit_rates(unit=tree["330106"], start=today, end=today)
    assert rates.get("rated") == 2 and rates.percent("satisfaction_rate") == 50
    assert rates.percent("resolution_rate") == 50

    shown = dashboard_figures(hz_supervisor, "330106")
    assert shown["ratings"] == "2"
    assert shown["rate-satisfaction_rate"] == "50.00%"

    body = client_for(hz_supervisor).get("/api/v1/supervision/units/330106/figures").json()
    figures = body["unit"]["figures"]
    assert (figures["rated"], figures["satisfied"], figures["unsatisfied"]) == (2, 1, 1)
    assert figures["satisfaction_rate"] == 50.0 and figures["resolution_rate"] == 50.0
    children = {c["code"]: c["figures"] for c in client_for(hz_supervisor).get(
        "/api/v1/supervision/units/3301/figures").json()["children"]}
    assert children["330106"]["rated"] == 2 and children["330108"]["rated"] == 0

    report = weekly_build(unit=tree["330106"], week=period_containing("week", today))
    assert {line.name: line.this_week for line in report.lines}["rated"] == 2
    assert report.satisfaction == "50.00%" and report.resolution == "50.00%"
    html = render(report, "html").decode()
    assert 'id="satisfaction">50.00%' in html and "评价数" in html
    assert figures_verify().ok


def test_a_case_answered_without_an_item_is_rated_and_counted(submit, tree, xh_handler, hz_supervisor):
    case = submit(unit=tree["330106"])
    answered = client_for(xh_handler).post(f"/api/v1/submissions/{case.tracking_code}/reply",
                                           {"text": "路灯已修复。"}, content_type="application/json")
    assert answered.status_code == 200
    rate(case.tracking_code, "satisfied", "yes")
    record = Rating.objects.get(submission=case)
    assert record.unit == tree["330106"] and record.solved is True
    today = timezone.localdate()
    for code in ("33", "3301", "330106"):
        rates = unit_rates(unit=tree[code], start=today, end=today)
        assert rates.get("rated") == 1 and rates.percent("satisfaction_rate") == 100
    assert dashboard_figures(hz_supervisor, "330106")["ratings"] == "1"
    assert figures_verify().ok
    from django.db import connection

    if connection.vendor == "postgresql":  # the set-based rebuild counts it the same way
        from qingdan.supervision.running import figures_rebuild_sql

        figures_rebuild_sql()
        assert figures_verify().ok and unit_rates(unit=tree["33"], start=today, end=today).get("rated") == 1


def test_resolution_is_the_citizens_answer_and_closure_keeps_its_own_name(submit, answer, tree, hz_supervisor):
    solved, unsolved = submit(unit=tree["330106"]), submit(unit=tree["330106"])
    answer(solved)
    answer(unsolved)
    rate(solved.tracking_code, "satisfied", "yes")
    rate(unsolved.tracking_code, "basic", "no", "只解释了政策")  # accepted, but not solved

    today = timezone.localdate()
    rates = unit_rates(unit=tree["330106"], start=today, end=today)
    assert rates.percent("resolution_rate") == 50  # one "solved" of two answers
    assert rates.percent("closure_rate") == 100  # both items listed today are closed
    assert rates.percent("satisfaction_rate") == 100
    assert Item.objects.filter(status="closed").count() == 2  # 基本满意 + 未解决 does not reopen

    page = client_for(hz_supervisor).get("/supervision/units/330106/").content.decode()
    assert "解决率" in page and "办结率" in page
    shown = dashboard_figures(hz_supervisor, "330106")
    assert shown["rate-resolution_rate"] == "50.00%" and shown["rate-closure_rate"] == "100.00%"
    figures = client_for(hz_supervisor).get("/api/v1/supervision/units/330106/figures").json()["unit"]["figures"]
    assert (figures["solved"], figures["unsolved"], figures["resolution_rate"]) == (1, 1, 50.0)
    assert figures["closure_rate"] == 100.0


def test_the_unhappy_citizens_reason_is_on_the_reopened_item_whose_progress_is_not_done(submit, answer, tree,
                                                                                        xh_handler):
    case = submit(unit=tree["330106"])
    item = answer(case)
    assert item.progress == 100
    rate(case.tracking_code, "unsatisfied", "no", "污水井盖换了，雨天还是往外冒")
    item.refresh_from_db()
    assert item.status == "rectifying" and item.reopened == 1
    assert item.progress < 100
    reopened = item.events.get(kind="reopened")
    assert "污水井盖换了，雨天还是往外冒" in reopened.text and case.tracking_code in reopened.text
    page = client_for(xh_handler).get(f"/dockets/items/{item.pk}/").content.decode()
    assert page.count("污水井盖换了，雨天还是往外冒") >= 2  # on the timeline and in the ratings
    assert 'value="100"' not in page.split('id="steps"')[0]
    assert "未解决" in page and "不满意" in page


def test_the_solved_question_is_asked_and_a_missing_answer_stores_nothing(submit, answer, tree):
    case = submit(unit=tree["330106"])
    answer(case)
    page = Client().get(f"/track/{case.tracking_code}/").content.decode()
    assert 'name="solved"' in page and "您的问题解决了吗" in page
    response = Client().post(f"/track/{case.tracking_code}/rate/", {"rating": "unsatisfied", "reason": "没修好"})
    assert response.status_code == 400 and "请说明问题是否已解决" in response.content.decode()
    case.refresh_from_db()
    assert case.rating == "" and not Rating.objects.exists()
    assert Item.objects.get().status == "closed"


def test_an_operator_records_the_follow_up_call_through_the_api(submit, answer, tree, hz_operator, xh_handler):
    case = submit(unit=tree["330106"])
    item = answer(case)
    url = f"/api/v1/submissions/{case.tracking_code}/rating"
    body = {"satisfaction": "unsatisfied", "solved": False, "reason": "电话回访：仍有异味"}
    # The handler whose answer is rated may not rate it.
    assert client_for(xh_handler).post(url, body, content_type="application/json").status_code == 403
    assert client_for(hz_operator).post(url, {"satisfaction": "ecstatic", "solved": True},
                                        content_type="application/json").status_code == 422
    assert client_for(hz_operator).post(url, {"satisfaction": "satisfied"},
                                        content_type="application/json").status_code == 422
    assert not Rating.objects.exists()
    response = client_for(hz_operator).post(url, body, content_type="application/json")
    assert response.status_code == 200
    ratings = response.json()["ratings"]
    assert [(r["satisfaction"], r["solved"], r["reason"], r["unit"]) for r in ratings] == [
        ("unsatisfied", False, "电话回访：仍有异味", "330106")]
    assert Rating.objects.get().recorded_by == hz_operator
    item.refresh_from_db()
    assert item.status == "rectifying" and "电话回访：仍有异味" in item.events.get(kind="reopened").text
    # The case is open again: there is no answer to rate until the unit answers anew.
    again = client_for(hz_operator).post(url, body, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "submission_state"
    assert Rating.objects.count() == 1


def test_a_report_reopened_by_its_author_keeps_its_code_and_words_off_the_item(submit, answer, tree):
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], anonymous=True,
                    subject="举报某所长", text="某所长收受红包。")
    item = answer(report)
    rate(report.tracking_code, "unsatisfied", "no", "所长仍在收红包")
    item.refresh_from_db()
    assert item.status == "rectifying"
    text = item.events.get(kind="reopened").text
    assert "所长仍在收红包" not in text and report.tracking_code not in text
    assert Rating.objects.get(submission=report).reason == "所长仍在收红包"  # kept with the report
