"""Receiving submissions: validation, privacy, idempotency, attachments, the citizen's follow-up."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from PIL import Image

from qingdan.audit.models import AuditEntry
from qingdan.intake.errors import SubmissionInvalid, SubmissionStateError
from qingdan.intake.models import Submission
from qingdan.intake.services import rating_add, submission_add_info, submission_create, submission_reply

pytestmark = pytest.mark.django_db


def test_a_submission_is_stored_with_code_event_and_audit(submit, tree):
    submission = submit()
    assert submission.status == "received" and len(submission.tracking_code) == 14
    assert list(submission.events.values_list("kind", flat=True)) == ["received"]
    entry = AuditEntry.objects.get(action="intake.submission_received")
    assert entry.after["code"] == submission.tracking_code
    assert "13812345678" not in str(entry.after) and "张三" not in str(entry.after)


def test_contact_details_are_encrypted_at_rest(submit):
    submission = submit(email="zhang@example.cn")
    with connection.cursor() as cursor:
        cursor.execute("SELECT submitter_name, submitter_phone, submitter_email FROM intake_submission WHERE id = %s",
                       [submission.pk])
        row = cursor.fetchone()
    assert all(value.startswith("enc1:") for value in row)
    assert "13812345678" not in "".join(row)
    again = Submission.objects.get(pk=submission.pk)
    assert (again.submitter_name, again.submitter_phone) == ("张三", "13812345678")


def test_anonymous_submissions_keep_no_contact(submit):
    submission = submit(anonymous=True, name="李四", phone="13900001111")
    assert (submission.submitter_name, submission.submitter_phone, submission.phone_index) == ("", "", "")


def test_errors_are_reported_field_by_field_and_nothing_is_stored(tree):
    with pytest.raises(SubmissionInvalid) as error:
        submission_create(actor=None, channel="fax", kind="rumour", text="", unit=tree["330106"], phone="12",
                          email="not-an-email", latitude="95")
    assert set(error.value.fields) == {"channel", "kind", "text", "phone", "email", "latitude"}
    assert Submission.objects.count() == 0


@pytest.mark.parametrize(("text", "field"), [
    ("x" * 100_000, "text"),
    ("😀😡🔥" * 10, "text"),
    ("   \n\t  ", "text"),
    ("\x00\x01\x02", "text"),
])
def test_hostile_text_is_refused(tree, text, field):
    with pytest.raises(SubmissionInvalid) as error:
        submission_create(actor=None, channel="web", kind="complaint", text=text, unit=tree["330106"], anonymous=True)
    assert field in error.value.fields


def test_traditional_chinese_script_and_sql_are_kept_verbatim(submit):
    text = "路燈壞了很久。<script>alert('x')</script> '; DROP TABLE intake_submission; --"
    submission = submit(text=text)
    assert Submission.objects.get(pk=submission.pk).text == text


def test_control_characters_are_dropped(submit):
    assert submit(text="路灯\x00坏了\u200b\u202e很久").text == "路灯坏了很久"


def test_named_submission_needs_a_way_to_answer(tree):
    with pytest.raises(SubmissionInvalid) as error:
        submission_create(actor=None, channel="web", kind="complaint", text="路灯坏了", unit=tree["330106"],
                          name="王五")
    assert "phone" in error.value.fields


def test_idempotency_key_makes_retries_return_the_first_submission(tree):
    first, created = submission_create(actor=None, channel="web", kind="complaint", text="路灯坏了",
                                       unit=tree["330106"], anonymous=True, idempotency_key="abc")
    again, created_again = submission_create(actor=None, channel="web", kind="complaint", text="路灯坏了",
                                             unit=tree["330106"], anonymous=True, idempotency_key="abc")
    assert created and not created_again and first.pk == again.pk
    assert Submission.objects.count() == 1


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (30.0, 15.0, 0.0), 3: "E", 4: (120.0, 5.0, 0.0)}  # GPS IFD
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def test_image_metadata_and_gps_are_stripped(submit):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get(0x010F) == "PhoneMaker"
    submission = submit(attachments=[("photo.jpg", original)])
    stored = submission.attachments.get()
    data = stored.file.read()
    image = Image.open(io.BytesIO(data))
    assert stored.content_type == "image/jpeg"
    assert not image.getexif() and b"PhoneMaker" not in data


def test_file_type_is_checked_by_content(tree, submit):
    html_as_png = b"<html><script>alert(1)</script></html>"
    with pytest.raises(SubmissionInvalid) as error:
        submit(attachments=[("evil.png", html_as_png)])
    assert "attachments" in error.value.fields
    truncated_png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50
    with pytest.raises(SubmissionInvalid):
        submit(attachments=[("broken.png", truncated_png)])
    with pytest.raises(SubmissionInvalid):
        submit(attachments=[(f"{i}.pdf", b"%PDF-1.4\n%%EOF") for i in range(6)])
    assert Submission.objects.count() == 0


def test_pdf_is_accepted(submit):
    submission = submit(attachments=[("证明.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")])
    assert submission.attachments.get().content_type == "application/pdf"


def test_add_info_reply_and_rate(submit, xh_handler):
    submission = submit()
    submission_add_info(submission=submission, text="补充：晚上十点后最严重。")
    with pytest.raises(SubmissionStateError):
        rating_add(submission=submission, rating="satisfied")
    submission_reply(actor=xh_handler, submission=submission, text="已责令整改。")
    rating_add(submission=submission, rating="basic", solved=True, reason="还行")
    with pytest.raises(SubmissionStateError):
        rating_add(submission=submission, rating="satisfied")
    submission.refresh_from_db()
    assert submission.rating == "basic" and submission.status == "replied"
    assert list(submission.events.values_list("kind", flat=True)) == ["received", "info_added", "replied", "rated"]


def test_a_case_closed_without_a_reply_cannot_be_rated(submit):
    submission = submit()
    submission.status = "closed"
    submission.save(update_fields=["status"])
    with pytest.raises(SubmissionStateError):
        rating_add(submission=submission, rating="satisfied")
