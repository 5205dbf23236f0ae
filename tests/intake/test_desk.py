"""The operator desk and the staff list: typing in calls, callers' history, scoping, masking, attachments."""

from __future__ import annotations

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from qingdan.intake import codes
from qingdan.intake.models import Submission
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def login(client, user):
    client.force_login(user)
    return client


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def xh_operator(tree, make_staff):
    return make_staff("xh_operator", Role.OPERATOR, tree["330106"])


@pytest.fixture
def bj_operator(tree, make_staff):
    return make_staff("bj_operator", Role.OPERATOR, tree["330108"])


def call(**overrides):
    data = {"phone": "13812345678", "name": "王先生", "kind": "complaint", "channel": "hotline",
            "subject": "楼上漏水", "text": "楼上住户漏水三天了。", "unit_q": "", "place_text": "",
            "idempotency_key": "d" * 32, "action": "save"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- who may use the desk -----------------------------------------------------------------

def test_the_desk_needs_a_login_and_the_operator_role(client, xh_operator, xh_handler):
    assert client.get("/desk/").status_code == 302
    assert login(client, xh_handler).get("/desk/").status_code == 403
    client.logout()
    response = login(client, xh_operator).get("/desk/")
    body = html(response)
    assert response.status_code == 200
    assert re.search(r'id="id_phone"[^>]*accesskey="p"[^>]*autofocus', body)
    assert 'accesskey="s"' in body and 'accesskey="t"' in body and 'accesskey="u"' in body
    assert "默认：西湖区" in body
    channels = re.findall(r'<select name="channel".*?</select>', body, re.S)[0]
    assert all(v in channels for v in ("hotline", "counter", "box", "visit", "email")) and "open311" not in channels


def test_tab_order_follows_the_call(client, xh_operator):
    body = html(login(client, xh_operator).get("/desk/"))
    order = [m for m in re.findall(r'(?:name|id)="(id_phone|id_name|id_kind|id_channel|id_subject|id_text|id_unit_q|'
                                   r'id_place_text|id_email)"', body)]
    assert order == ["id_phone", "id_name", "id_kind", "id_channel", "id_subject", "id_text", "id_unit_q",
                     "id_place_text", "id_email"]
    # The first submit button, which Enter presses, saves.
    first_button = re.search(r'<button type="submit" name="action" value="(\w+)"', body).group(1)
    assert first_button == "save"


# --- typing in a call ----------------------------------------------------------------------

def test_a_hotline_call_is_saved_and_the_form_is_ready_for_the_next(client, xh_operator, tree):
    response = login(client, xh_operator).post("/desk/", call())
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/desk/?channel=hotline&saved={submission.tracking_code}"
    page = html(client.get(response["Location"]))
    assert codes.display(submission.tracking_code) in page and "已保存" in page
    assert 'value="楼上漏水"' not in page  # an empty form for the next call
    assert re.search(r'<option value="hotline" selected', page)
    assert (submission.channel, submission.unit, submission.place_unit) == ("hotline", tree["330106"], None)
    assert submission.submitter_phone == "13812345678"
    assert submission.events.get().actor == xh_operator


def test_a_counter_visit_into_a_searched_unit(client, xh_operator, tree):
    login(client, xh_operator).post("/desk/", call(channel="counter", unit_q="小和山"))
    submission = Submission.objects.get()
    assert submission.channel == "counter" and submission.unit == tree["330106009002"]
    assert submission.place_unit == tree["330106009002"]


def test_a_chosen_unit_outside_the_operators_scope_is_refused(client, xh_operator, tree):
    response = login(client, xh_operator).post("/desk/", call(unit="330108001"))
    assert response.status_code == 400 and "该单位不在您的范围内" in html(response)
    assert Submission.objects.count() == 0


def test_unit_suggestions_stay_inside_the_operators_scope(client, xh_operator):
    body = html(login(client, xh_operator).get("/desk/units/", {"unit_q": "街道"}))
    assert "留下街道" in body and "西兴街道" not in body


def test_the_same_key_twice_files_one_submission(client, xh_operator):
    login(client, xh_operator)
    first = client.post("/desk/", call())
    second = client.post("/desk/", call())
    assert first["Location"] == second["Location"] and Submission.objects.count() == 1


def test_errors_are_shown_by_field_and_what_was_typed_stays(client, xh_operator):
    response = login(client, xh_operator).post("/desk/", call(phone="123", text="", subject="保留的标题"))
    body = html(response)
    assert response.status_code == 400
    assert "请填写 11 位手机号码" in body and "请描述问题" in body and 'value="保留的标题"' in body
    assert re.search(r'id="id_phone"[^>]*autofocus', body)  # the cursor goes to the first wrong field
    assert Submission.objects.count() == 0


def test_the_callers_earlier_submissions_by_phone_within_scope(client, xh_operator, submit, tree):
    mine = submit(unit=tree["330106009"], phone="13812345678", subject="上次反映的噪音")
    submit(unit=tree["330108001"], phone="13812345678", subject="滨江的事")
    login(client, xh_operator)
    fragment = html(client.get("/desk/caller/", {"phone": "138 1234 5678"}))
    assert "上次反映的噪音" in fragment and "滨江的事" not in fragment and "<html" not in fragment
    assert f"/desk/submissions/{mine.tracking_code}/" in fragment
    assert "还不是有效的电话号码" in html(client.get("/desk/caller/", {"phone": "12"}))
    # Without JavaScript: the look-up button posts the form and keeps what was typed.
    response = client.post("/desk/", call(action="lookup", subject="正在登记"))
    body = html(response)
    assert response.status_code == 200 and "上次反映的噪音" in body and 'value="正在登记"' in body
    assert Submission.objects.count() == 2


# --- the staff list and detail -------------------------------------------------------------

def test_the_list_is_scoped_and_filtered(client, submit, tree, xh_handler):
    submit(unit=tree["330106009"], subject="西湖投诉")
    submit(unit=tree["330106009"], subject="西湖建议", kind="suggestion", channel="hotline")
    submit(unit=tree["330108001"], subject="滨江投诉")
    login(client, xh_handler)
    body = html(client.get("/desk/submissions/"))
    assert "西湖投诉" in body and "西湖建议" in body and "滨江投诉" not in body
    body = html(client.get("/desk/submissions/", {"kind": "suggestion"}))
    assert "西湖建议" in body and "西湖投诉" not in body
    body = html(client.get("/desk/submissions/", {"channel": "web", "status": "received"}))
    assert "西湖投诉" in body and "西湖建议" not in body
    assert "西湖投诉" in html(client.get("/desk/submissions/", {"kind": "bogus"}))  # a bad filter is ignored


def test_a_report_is_not_listed_for_the_named_countys_staff(client, submit, tree, xh_handler, xh_inspector):
    report = submit(kind="report", unit=tree["330106"], accused_unit=tree["330106-GA"], subject="举报某科长",
                    anonymous=True)
    assert "举报某科长" not in html(login(client, xh_handler).get("/desk/submissions/"))
    assert client.get(f"/desk/submissions/{report.tracking_code}/").status_code == 404
    client.logout()
    page = html(login(client, xh_inspector).get(f"/desk/submissions/{report.tracking_code}/"))
    assert "举报某科长" in page and "西湖区公安局" in page


def test_list_queries_do_not_grow_with_rows(client, submit, tree, xh_handler):
    login(client, xh_handler)
    for n in range(3):
        submit(unit=tree["330106009"], subject=f"第{n}件")
    client.get("/desk/submissions/")
    with CaptureQueriesContext(connection) as few:
        client.get("/desk/submissions/")
    for n in range(20):
        submit(unit=tree["330106009001" if n % 2 else "330106009002"], subject=f"又一件{n}")
    with CaptureQueriesContext(connection) as many:
        body = html(client.get("/desk/submissions/"))
    assert "又一件19" in body
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_list_pages(client, submit, tree, xh_handler, monkeypatch):
    from qingdan.intake import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for n in range(3):
        submit(unit=tree["330106009"], subject=f"分页{n}")
    login(client, xh_handler)
    first = html(client.get("/desk/submissions/"))
    assert "分页2" in first and "分页1" in first and "分页0" not in first and "page=2" in first
    second = html(client.get("/desk/submissions/", {"page": 2}))
    assert "分页0" in second and "page=3" not in second


def test_a_neighbour_cannot_open_a_submission_or_its_attachment(client, submit, tree, bj_operator, bj_handler):
    submission = submit(unit=tree["330106009"], attachments=[("现场.jpg", jpeg())])
    attachment = submission.attachments.get()
    for user in (bj_operator, bj_handler):
        login(client, user)
        assert client.get(f"/desk/submissions/{submission.tracking_code}/").status_code == 404
        assert client.get(f"/desk/submissions/{submission.tracking_code}/attachments/{attachment.pk}/").status_code \
            == 404
        client.logout()


def test_an_attachment_is_served_only_through_the_scoped_view(client, submit, tree, xh_handler):
    submission = submit(unit=tree["330106009"], attachments=[("现场.jpg", jpeg())])
    other = submit(unit=tree["330106009"], attachments=[("别的.jpg", jpeg())])
    attachment = submission.attachments.get()
    login(client, xh_handler)
    page = html(client.get(f"/desk/submissions/{submission.tracking_code}/"))
    url = f"/desk/submissions/{submission.tracking_code}/attachments/{attachment.pk}/"
    assert url in page and "/media/" not in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
    assert "sandbox" in response["Content-Security-Policy"]
    # An attachment id of another submission does not open under this code.
    wrong = f"/desk/submissions/{submission.tracking_code}/attachments/{other.attachments.get().pk}/"
    assert client.get(wrong).status_code == 404
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_contacts_are_masked_for_a_leader_and_full_for_a_handler(client, submit, tree, xh_handler, make_staff):
    submission = submit(unit=tree["330106009"], name="张三丰", phone="13812345678", email="zsf@example.cn")
    leader = make_staff("xh_leader", Role.LEADER, tree["330106"])
    url = f"/desk/submissions/{submission.tracking_code}/"
    page = html(login(client, xh_handler).get(url))
    assert "张三丰" in page and "13812345678" in page and "zsf@example.cn" in page
    client.logout()
    page = html(login(client, leader).get(url))
    assert "张**" in page and "138****5678" in page and "z***@example.cn" in page
    assert "张三丰" not in page and "13812345678" not in page


def test_script_in_a_submission_is_escaped_on_the_desk(client, submit, tree, xh_handler):
    submission = submit(unit=tree["330106009"], subject="<img src=x onerror=alert(1)>",
                        text="<script>alert('desk')</script>")
    login(client, xh_handler)
    for url in ("/desk/submissions/", f"/desk/submissions/{submission.tracking_code}/"):
        body = html(client.get(url))
        assert "<img src=x" not in body and "<script>alert" not in body
        assert "&lt;img src=x onerror=alert(1)&gt;" in body
    body = html(client.get(f"/desk/submissions/{submission.tracking_code}/"))
    assert "&lt;script&gt;alert(&#x27;desk&#x27;)&lt;/script&gt;" in body


def test_detail_accepts_a_typed_code_and_redirects_to_the_canonical_one(client, submit, tree, xh_handler):
    submission = submit(unit=tree["330106009"])
    login(client, xh_handler)
    response = client.get(f"/desk/submissions/{codes.display(submission.tracking_code).lower()}/")
    assert response.status_code == 302 and response["Location"] == f"/desk/submissions/{submission.tracking_code}/"


def test_a_report_typed_at_the_desk_names_a_unit_and_is_not_held_by_it(client, xh_operator, tree):
    login(client, xh_operator)
    response = client.post("/desk/", call(kind="report", anonymous="on"))
    assert response.status_code == 400 and "举报须写明被举报的单位" in html(response)
    client.post("/desk/", call(kind="report", anonymous="on", unit="330106-GA"))
    report = Submission.objects.get()
    assert report.accused_unit == tree["330106-GA"] and report.unit == tree["330106"]
    assert report.submitter_phone == ""
