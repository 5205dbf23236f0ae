"""The public form: happy paths, hostile input, honeypot, idempotency, rate limits, size limits."""

from __future__ import annotations

import pytest
from django.test import Client

from qingdan.audit.models import AuditEntry
from qingdan.intake import codes
from qingdan.intake.models import Submission
from tests.portal.conftest import jpeg_bytes, receipt_code

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def test_the_form_is_in_chinese_with_a_key_and_a_honeypot(client, tree):
    response = client.get("/submit/")
    body = html(response)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in body and "投诉" in body and "举报" in body
    assert 'name="idempotency_key" value="' in body and 'name="website"' in body
    assert 'enctype="multipart/form-data"' in body
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_each_rendering_gets_its_own_key(client, tree):
    import re

    keys = {re.search(r'name="idempotency_key" value="([^"]+)"', html(client.get("/submit/"))).group(1)
            for _ in range(3)}
    assert len(keys) == 3


def test_anonymous_submission_with_a_chosen_place(client, post_form, tree):
    response = post_form(place="330106009001", place_text="村口大樟树旁")
    shown = receipt_code(client, response)
    submission = Submission.objects.get()
    assert shown == codes.display(submission.tracking_code)
    assert (submission.unit, submission.place_unit) == (tree["330106009001"], tree["330106009001"])
    assert submission.channel == "web" and submission.anonymous and submission.place_text == "村口大樟树旁"
    assert submission.submitter_phone == "" and submission.phone_index == ""


def test_receipt_page_shows_the_code_big_with_advice(client, post_form):
    response = post_form()
    page = client.get(response["Location"])
    body = html(page)
    submission = Submission.objects.get()
    assert codes.display(submission.tracking_code) in body
    assert "请现在记下这个查询码或截图保存" in body
    assert f"/track/{submission.tracking_code}/" in body


def test_named_submission_keeps_contacts_encrypted(client, post_form):
    receipt_code(client, post_form(anonymous=None, name="张三", phone="138-1234-5678", email="zs@example.cn"))
    submission = Submission.objects.get()
    assert (submission.submitter_name, submission.submitter_phone) == ("张三", "13812345678")
    assert not submission.anonymous


def test_without_a_place_the_default_unit_holds_it(client, post_form, tree, settings):
    receipt_code(client, post_form())
    assert Submission.objects.get().unit == tree["33"]  # the first root
    settings.QINGDAN_PORTAL_UNIT = "330108"
    receipt_code(client, post_form(idempotency_key="z" * 32))
    assert Submission.objects.order_by("-id").first().unit == tree["330108"]


def test_a_typed_place_with_one_match_is_taken(client, post_form, tree):
    receipt_code(client, post_form(place_q="小和山"))
    assert Submission.objects.get().place_unit == tree["330106009002"]


def test_an_ambiguous_place_asks_to_choose_and_keeps_the_text(client, post_form, tree):
    response = post_form(place_q="街道", text="我写了很长一段话，不想重打。")
    body = html(response)
    assert response.status_code == 400
    assert "请从下面的列表中选择地点" in body
    assert 'value="330106009"' in body and 'value="330108001"' in body
    assert "我写了很长一段话，不想重打。" in body
    assert Submission.objects.count() == 0


def test_find_place_without_javascript_rerenders_the_form(client, post_form, tree):
    response = post_form(action="find_place", place_q="留下", subject="保留的标题")
    body = html(response)
    assert response.status_code == 200 and Submission.objects.count() == 0
    assert "留下村" in body and "浙江省 / 杭州市 / 西湖区 / 留下街道 / 留下村" in body
    assert 'value="保留的标题"' in body


def test_retired_places_are_not_offered_or_taken(client, post_form, tree):
    from qingdan.units.models import Unit

    Unit.objects.filter(code="330106009001").update(is_active=False)
    assert "留下村" not in html(client.get("/submit/places/", {"place_q": "留下村"}))
    response = post_form(place="330106009001")
    assert response.status_code == 400 and Submission.objects.count() == 0


def test_live_place_suggestions_are_a_fragment_of_active_units(client, tree):
    response = client.get("/submit/places/", {"place_q": "西"})
    body = html(response)
    assert response.status_code == 200 and "<html" not in body
    assert 'name="place" value="330106"' in body and 'name="place" value="330108001"' in body


@pytest.mark.parametrize(("fields", "field_messages"), [
    ({"text": ""}, ["请描述问题"]),
    ({"text": "x" * 100_000}, ["内容过长"]),
    ({"text": "😀😡🔥"}, ["请用文字描述问题"]),
    ({"anonymous": None, "phone": "12345", "email": "not-mail"}, ["请填写 11 位手机号码", "请填写正确的电子邮箱"]),
    ({"anonymous": None, "name": "王五"}, ["请留下电话或电子邮箱"]),
    ({"kind": "rumour"}, ["选择一个有效的选项"]),
])
def test_invalid_data_is_refused_field_by_field_in_chinese(client, post_form, fields, field_messages):
    response = post_form(subject="保留我写的标题", **fields)
    body = html(response)
    assert response.status_code == 400
    for message in field_messages:
        assert message in body, message
    assert 'value="保留我写的标题"' in body and 'aria-invalid="true"' in body
    assert Submission.objects.count() == 0


def test_a_png_that_is_really_html_is_refused(client, post_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = post_form(attachments=fake)
    assert response.status_code == 400
    assert "photo.png 不是图片" in html(response)
    assert Submission.objects.count() == 0


def test_an_oversized_file_is_refused_with_its_name_and_the_form_kept(client, post_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("huge.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), content_type="image/jpeg")
    response = post_form(attachments=big, subject="大文件测试")
    body = html(response)
    assert response.status_code == 400
    assert "huge.jpg 超过 10 MB" in body and 'value="大文件测试"' in body
    assert Submission.objects.count() == 0


def test_an_oversized_request_gets_a_clear_413(client, post_form, settings):
    settings.QINGDAN_MAX_UPLOAD_BYTES = 50_000
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = post_form(attachments=SimpleUploadedFile("a.jpg", b"0" * 60_000, content_type="image/jpeg"))
    assert response.status_code == 413
    assert "附件最多 5 个" in html(response)
    assert Submission.objects.count() == 0


def test_too_much_form_data_gets_the_same_clear_413(client, post_form, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_form(text="长" * 2000)
    assert response.status_code == 413 and Submission.objects.count() == 0


def test_more_than_five_files_are_refused(client, post_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = [SimpleUploadedFile(f"{i}.jpg", jpeg_bytes(), content_type="image/jpeg") for i in range(6)]
    response = post_form(attachments=files)
    assert response.status_code == 400 and "最多 5 个文件" in html(response)
    assert Submission.objects.count() == 0


def test_a_photo_is_stored_cleaned(client, post_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt_code(client, post_form(attachments=SimpleUploadedFile("现场.jpg", jpeg_bytes(), content_type="image/jpeg")))
    attachment = Submission.objects.get().attachments.get()
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "现场.jpg"


def test_a_filled_honeypot_stores_nothing_and_looks_like_success(client, post_form):
    response = post_form(website="http://spam.example")
    assert response.status_code == 302 and "/submit/received/" in response["Location"]
    page = client.get(response["Location"])
    assert page.status_code == 200 and 'id="tracking-code"' in html(page)
    assert Submission.objects.count() == 0 and not AuditEntry.objects.filter(action__startswith="intake").exists()


def test_double_submit_with_the_same_key_makes_one_submission(client, post_form):
    first = receipt_code(client, post_form())
    second = receipt_code(client, post_form())
    assert first == second and Submission.objects.count() == 1


def test_a_receipt_link_cannot_be_forged(client):
    response = client.get(f"/submit/received/{codes.new_code()}/")
    assert response.status_code == 302 and response["Location"] == "/track/"


def test_rate_limit_per_client_address(client, post_form, settings):
    settings.QINGDAN_PORTAL_RATE_IP = "2/h"
    for n in range(2):
        receipt_code(client, post_form(idempotency_key=f"{n}" * 20))
    response = post_form(idempotency_key="9" * 20, subject="被限流也保留")
    assert response.status_code == 429
    assert "提交次数过多" in html(response) and 'value="被限流也保留"' in html(response)
    assert Submission.objects.count() == 2
    other = Client()  # another address is not affected
    assert other.post("/submit/", {"kind": "complaint", "text": "别的地址", "anonymous": "on"},
                      REMOTE_ADDR="198.51.100.9").status_code == 302


def test_rate_limit_per_phone_across_addresses(client, post_form, settings):
    settings.QINGDAN_PORTAL_RATE_PHONE = "1/h"
    named = {"anonymous": None, "name": "李四", "phone": "13900001111"}
    receipt_code(client, post_form(meta={"REMOTE_ADDR": "198.51.100.1"}, idempotency_key="a" * 20, **named))
    response = post_form(meta={"REMOTE_ADDR": "198.51.100.2"}, idempotency_key="b" * 20,
                         **{**named, "phone": "+86 139-0000-1111"})
    assert response.status_code == 429 and Submission.objects.count() == 1


def test_no_client_address_is_stored_anywhere(client, post_form, tree):
    receipt_code(client, post_form(kind="report", place="330106-GA", meta={"REMOTE_ADDR": "203.0.113.77"}))
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("intake_submission", "intake_submissionevent", "audit_auditentry"):
            cursor.execute(f"SELECT * FROM {table}")  # fixed table names
            assert "203.0.113.77" not in str(cursor.fetchall()), table


def test_the_form_needs_its_csrf_token(tree):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/submit/", {"kind": "complaint", "text": "没有令牌", "anonymous": "on"})
    assert response.status_code == 403 and Submission.objects.count() == 0


def test_media_files_are_not_served(client, post_form):
    from django.core.files.uploadedfile import SimpleUploadedFile

    receipt_code(client, post_form(attachments=SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg")))
    name = Submission.objects.get().attachments.get().file.name
    assert client.get(f"/media/{name}").status_code == 404


def test_a_report_must_name_a_unit_and_is_not_held_by_it(client, post_form, tree):
    response = post_form(kind="report")
    assert response.status_code == 400 and "举报须写明被举报的单位" in html(response)
    receipt_code(client, post_form(kind="report", place="330106-GA"))
    report = Submission.objects.get()
    assert report.accused_unit == tree["330106-GA"] and report.unit == tree["33"]


def test_a_typed_place_that_resolves_is_shown_chosen_when_the_form_comes_back(client, post_form, tree):
    body = html(post_form(place_q="小和山", text=""))
    assert 'value="330106009002" checked' in body
