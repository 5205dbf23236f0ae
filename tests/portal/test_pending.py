"""A photo survives a form sent back with errors, only for the session that attached it, and expires."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from qingdan.intake.models import Submission
from qingdan.portal import pending
from qingdan.portal.models import PendingUpload
from tests.portal.conftest import jpeg_bytes, receipt_code

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="pending" value="([^"]+)"')


def photo(name: str = "现场.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def test_a_photo_is_kept_after_an_error_and_used_on_resubmit(client, post_form):
    response = post_form(text="", attachments=photo())
    body = response.content.decode()
    assert response.status_code == 400
    tokens = TOKEN.findall(body)
    assert len(tokens) == 1 and "现场.jpg" in body
    thumb = client.get(f"/submit/kept/{tokens[0]}/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert thumb.content.startswith(b"\xff\xd8\xff")

    receipt_code(client, post_form(pending=tokens))
    submission = Submission.objects.get()
    assert submission.attachments.get().original_name == "现场.jpg"
    assert not PendingUpload.objects.exists()  # claimed once, then forgotten


def test_a_kept_photo_and_a_new_one_both_go_in(client, post_form):
    tokens = TOKEN.findall(post_form(text="", attachments=photo("一.jpg")).content.decode())
    receipt_code(client, post_form(pending=tokens, attachments=photo("二.jpg")))
    names = sorted(Submission.objects.get().attachments.values_list("original_name", flat=True))
    assert names == ["一.jpg", "二.jpg"]


def test_a_removed_photo_is_not_submitted_and_is_deleted(client, post_form):
    tokens = TOKEN.findall(post_form(text="", attachments=photo()).content.decode())
    receipt_code(client, post_form(pending=tokens, pending_remove=tokens))
    assert Submission.objects.get().attachments.count() == 0
    assert not PendingUpload.objects.exists()


def test_a_refused_file_is_not_kept(client, post_form):
    fake = SimpleUploadedFile("photo.png", b"<html></html>", content_type="image/png")
    response = post_form(attachments=[fake, photo()])
    assert response.status_code == 400 and "photo.png" in response.content.decode()
    assert list(PendingUpload.objects.values_list("name", flat=True)) == ["现场.jpg"]


def test_another_sessions_token_claims_nothing(client, post_form, tree):
    tokens = TOKEN.findall(post_form(text="", attachments=photo()).content.decode())
    assert tokens
    hostile = Client()
    hostile.get("/submit/")
    assert hostile.get(f"/submit/kept/{tokens[0]}/").status_code == 404
    response = hostile.post("/submit/", {"kind": "complaint", "text": "别人的照片我也要", "anonymous": "on",
                                         "action": "submit", "pending": tokens})
    receipt_code(hostile, response)
    assert Submission.objects.get().attachments.count() == 0
    assert PendingUpload.objects.filter(token=tokens[0]).exists()  # the owner can still use it
    receipt_code(client, post_form(pending=tokens))
    assert Submission.objects.filter(attachments__original_name="现场.jpg").count() == 1


def test_expired_uploads_are_not_claimed_and_are_purged(client, post_form):
    tokens = TOKEN.findall(post_form(text="", attachments=photo()).content.decode())
    PendingUpload.objects.update(created_at=timezone.now() - pending.PENDING_TTL - datetime.timedelta(minutes=1))
    receipt_code(client, post_form(pending=tokens))
    assert Submission.objects.get().attachments.count() == 0
    assert pending.pending_purge() == 1 and not PendingUpload.objects.exists()


def test_the_purge_command_keeps_live_uploads(client, post_form):
    from io import StringIO

    from django.core.management import call_command

    post_form(text="", attachments=photo())
    out = StringIO()
    call_command("purge-pending-uploads", stdout=out)
    assert "deleted 0" in out.getvalue() and PendingUpload.objects.count() == 1


def test_a_submission_without_files_stores_no_session(client, post_form):
    from django.conf import settings

    receipt_code(client, post_form(idempotency_key="a" * 32))
    post_form(text="", idempotency_key="b" * 32)  # sent back with an error, but nothing to keep
    assert settings.SESSION_COOKIE_NAME not in client.cookies
    post_form(text="", attachments=photo(), idempotency_key="c" * 32)
    assert settings.SESSION_COOKIE_NAME in client.cookies  # a kept file needs its owner
