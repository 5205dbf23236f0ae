"""Tracking by code: typos told from unknown codes, the public timeline, adding information, rating."""

from __future__ import annotations

import pytest

from qingdan.intake import codes
from qingdan.intake.models import Submission
from qingdan.intake.services import submission_reply

pytestmark = pytest.mark.django_db

MISTYPED = "输入有误"
UNKNOWN = "没有这个查询码"


def html(response) -> str:
    return response.content.decode()


def _typo(code: str) -> str:
    """Change one character: the check character always catches it."""
    swap = "1" if code[3] != "1" else "2"
    return code[:3] + swap + code[4:]


@pytest.fixture
def case(submit):
    return submit(subject="噪音扰民", text="夜里施工<script>alert('x')</script>", name="张三", phone="13812345678",
                  email="zs@example.cn")


def test_the_form_asks_for_a_code(client, tree):
    response = client.get("/track/")
    assert response.status_code == 200 and 'name="code"' in html(response)


def test_a_code_in_lowercase_with_dashes_finds_the_case(client, case):
    typed = codes.display(case.tracking_code).lower()
    response = client.get("/track/", {"code": f" {typed} "})
    assert response.status_code == 302 and response["Location"] == f"/track/{case.tracking_code}/"
    assert client.get(f"/track/{typed}/")["Location"] == f"/track/{case.tracking_code}/"


def test_a_mistyped_code_is_told_apart_from_an_unknown_one(client, case):
    mistyped = client.get("/track/", {"code": _typo(case.tracking_code)})
    unknown = client.get("/track/", {"code": codes.new_code()})
    short = client.get("/track/", {"code": "ABC"})
    assert mistyped.status_code == 400 and MISTYPED in html(mistyped) and UNKNOWN not in html(mistyped)
    assert short.status_code == 400 and MISTYPED in html(short)
    assert unknown.status_code == 404 and UNKNOWN in html(unknown) and MISTYPED not in html(unknown)
    assert client.get(f"/track/{_typo(case.tracking_code)}/").status_code == 400
    assert client.get(f"/track/{codes.new_code()}/").status_code == 404


def test_the_page_shows_status_and_timeline_escaped_and_no_contacts(client, case):
    response = client.get(f"/track/{case.tracking_code}/")
    body = html(response)
    assert response.status_code == 200
    assert "已受理" in body and "噪音扰民" in body and codes.display(case.tracking_code) in body
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body and "<script>alert" not in body
    for private in ("张三", "13812345678", "138****5678", "zs@example.cn"):
        assert private not in body
    assert 'name="robots" content="noindex"' in body
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_a_report_page_tells_nothing_about_the_unit_reported(client, submit, tree, xh_handler):
    report = submit(kind="report", unit=tree["330106"], place_unit=tree["330106-GA"], accused_unit=tree["330106-GA"],
                    subject="某科长收受红包", text="西湖区公安局某科长收受红包。", anonymous=True)
    body = html(client.get(f"/track/{report.tracking_code}/"))
    assert "已受理" in body
    for leak in ("西湖区公安局", "西湖区", "某科长", "收受红包", "330106"):
        assert leak not in body, leak


def test_adding_information_while_open(client, case):
    response = client.post(f"/track/{case.tracking_code}/info/", {"text": "补充：<b>晚上十点后</b>最严重。"})
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "谢谢，补充信息已添加" in page
    assert "&lt;b&gt;晚上十点后&lt;/b&gt;" in page
    assert list(case.events.values_list("kind", flat=True)) == ["received", "info_added"]


def test_adding_nothing_is_an_error_kept_on_the_page(client, case):
    response = client.post(f"/track/{case.tracking_code}/info/", {"text": "   "})
    assert response.status_code == 400 and "请填写要补充的信息" in html(response)
    assert case.events.count() == 1


def test_a_closed_case_takes_no_more_information(client, case):
    Submission.objects.filter(pk=case.pk).update(status="closed")
    body = html(client.get(f"/track/{case.tracking_code}/"))
    assert 'action="/track/' + case.tracking_code + '/info/"' not in body
    response = client.post(f"/track/{case.tracking_code}/info/", {"text": "还有一件事"})
    assert response.status_code == 409 and case.events.count() == 1


def test_rating_is_refused_before_the_answer(client, case):
    assert 'name="rating"' not in html(client.get(f"/track/{case.tracking_code}/"))
    response = client.post(f"/track/{case.tracking_code}/rate/", {"rating": "satisfied", "solved": "yes"})
    assert response.status_code == 409 and "答复后才能评价" in html(response)
    case.refresh_from_db()
    assert case.rating == ""


def test_rating_the_answer_once_only(client, case, xh_handler):
    submission_reply(actor=xh_handler, submission=case, text="已责令<i>夜间停工</i>。")
    page = html(client.get(f"/track/{case.tracking_code}/"))
    assert "已答复" in page and "&lt;i&gt;夜间停工&lt;/i&gt;" in page and 'name="rating"' in page
    assert xh_handler.username not in page  # no staff names in public
    response = client.post(f"/track/{case.tracking_code}/rate/", {"rating": "basic", "solved": "yes",
                                                                "reason": "还行"})
    assert response.status_code == 302
    page = html(client.get(response["Location"]))
    assert "基本满意" in page and 'name="rating"' not in page
    again = client.post(f"/track/{case.tracking_code}/rate/", {"rating": "satisfied", "solved": "yes"})
    assert again.status_code == 409 and "该答复已评价过" in html(again)
    case.refresh_from_db()
    assert case.rating == "basic"


def test_an_unknown_rating_is_a_field_error(client, case, xh_handler):
    submission_reply(actor=xh_handler, submission=case, text="已处理。")
    response = client.post(f"/track/{case.tracking_code}/rate/", {"rating": "ecstatic"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.rating == ""


def test_tracking_lookups_are_rate_limited(client, case, settings):
    from django.test import Client

    settings.QINGDAN_TRACK_RATE_IP = "3/m"
    for _ in range(3):
        assert client.get("/track/", {"code": codes.new_code()}).status_code == 404
    assert client.get("/track/", {"code": case.tracking_code}).status_code == 429
    assert client.get(f"/track/{case.tracking_code}/").status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.5").get(f"/track/{case.tracking_code}/").status_code == 200
