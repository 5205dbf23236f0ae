"""Decompression bombs: an image whose header claims too many pixels is refused on every upload path.

A 6000 × 6000 one-bit PNG is 4 KB on the wire and 36 M pixels (108 MB as RGB) once decoded;
Pillow only warned about it. Each path must refuse it before decoding, say so in Chinese, keep
what the person typed, store nothing, and still take an ordinary photo sent with it next time.
"""

from __future__ import annotations

import base64
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qingdan.core.files import check_image_size, clean_attachment
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

REFUSED = "bomb.png 为 6000 × 6000 像素，超过允许的 25,000,000 像素"


def bomb(width: int = 6000, height: int = 6000, mode: str = "1") -> bytes:
    """A PNG of a few KB whose header says width × height."""
    out = io.BytesIO()
    Image.new(mode, (width, height)).save(out, "PNG")
    return out.getvalue()


def photo() -> bytes:
    """An ordinary phone photo: 4000 × 3000 (12 M pixels) JPEG."""
    out = io.BytesIO()
    Image.linear_gradient("L").resize((4000, 3000)).convert("RGB").save(out, "JPEG", quality=70)
    return out.getvalue()


def upload(name: str, data: bytes, kind: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=kind)


# -- the one check --------------------------------------------------------------------------------

def test_the_check_reads_the_header_only_and_refuses_past_the_limit(settings):
    data = bomb()
    assert len(data) < 20_000  # small on the wire: no size limit would catch it
    with pytest.raises(ValueError) as info:
        clean_attachment("bomb.png", data)
    assert REFUSED in str(info.value)
    # Far past Pillow's own refusal (2 × its limit) the message is as clear, without the size.
    with pytest.raises(ValueError) as info:
        clean_attachment("huge.png", bomb(9000, 9000, "P"))
    assert "huge.png 的像素超过允许的 25,000,000 像素" in str(info.value)
    # The limit is a setting; just under it passes.
    settings.QINGDAN_MAX_IMAGE_PIXELS = 36_000_000
    check_image_size(data)
    assert clean_attachment("big-photo.jpg", photo()).content_type == "image/jpeg"


# -- every upload path ----------------------------------------------------------------------------

def test_the_public_form_refuses_the_bomb_keeps_the_text_and_takes_the_photo_next(client, tree):
    from qingdan.intake.models import Submission

    def post(*files):
        return client.post("/submit/", {"kind": "complaint", "subject": "炸弹图片测试",
                                        "text": "留下村口的路灯坏了一个月。", "anonymous": "on",
                                        "idempotency_key": "k" * 32, "action": "submit", "attachments": list(files)})

    response = post(upload("现场.jpg", photo(), "image/jpeg"), upload("bomb.png", bomb()))
    body = response.content.decode()
    assert response.status_code == 400 and REFUSED in body and 'value="炸弹图片测试"' in body
    assert not Submission.objects.exists()
    assert post(upload("现场.jpg", photo(), "image/jpeg")).status_code == 302
    assert Submission.objects.get().attachments.count() == 1


def test_the_intake_api_refuses_the_bomb_and_takes_the_photo(client, tree, make_staff):
    from qingdan.intake.models import Submission
    from qingdan.people.services import token_create

    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    _, key = token_create(actor=operator, user=operator, name="desk")

    def post(*files):
        body = {"kind": "complaint", "subject": "噪音扰民", "text": "小区门口的饭店油烟和噪音严重影响居民休息。",
                "unit": "330106009", "name": "张三", "phone": "13812345678",
                "attachments": [{"name": n, "content_base64": base64.b64encode(d).decode()} for n, d in files]}
        return client.post("/api/v1/submissions/", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")

    refused = post(("现场.jpg", photo()), ("bomb.png", bomb()))
    assert refused.status_code == 400 and REFUSED in refused.json()["fields"]["attachments"]
    assert not Submission.objects.exists()
    assert post(("现场.jpg", photo())).status_code == 201
    assert Submission.objects.get().attachments.count() == 1


def test_docket_evidence_refuses_the_bomb_keeps_the_reply_and_takes_the_photo(client, make_item, hz_operator,
                                                                              xh_handler):
    from django.urls import reverse

    from qingdan.dockets.choices import ItemStatus
    from qingdan.dockets.models import Evidence, Item
    from qingdan.dockets.services import item_accept, item_dispatch

    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    client.force_login(xh_handler)
    url = reverse("dockets:item_act", args=[item.pk, "request_closure"])
    response = client.post(url, {"version": item.version, "text": "管网已改造完成，请验收。",
                                 "files": [upload("现场.jpg", photo(), "image/jpeg"), upload("bomb.png", bomb())]})
    body = response.content.decode()
    assert response.status_code == 400 and REFUSED in body and "管网已改造完成，请验收。" in body
    assert not Evidence.objects.exists() and Item.objects.get(pk=item.pk).status == ItemStatus.ACCEPTED
    response = client.post(url, {"version": item.version, "text": "管网已改造完成，请验收。",
                                 "files": [upload("现场.jpg", photo(), "image/jpeg")]})
    assert response.status_code == 302 and Evidence.objects.filter(item=item).count() == 1


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def test_a_ledger_visit_refuses_the_bomb_keeps_the_form_and_takes_the_photo(client, tree, lx_leader):
    from qingdan.ledgers.models import Visit

    client.force_login(lx_leader)

    def post(*files):
        return client.post("/ledgers/visits/new/", {
            "unit": "330106009001", "visited_on": timezone.localdate().isoformat(), "households": 3,
            "enterprises": 0, "solved_on_spot": 0, "heard": "村民反映路灯不亮", "problems": "", "route": "submission",
            "photos": list(files)})

    response = post(upload("现场.jpg", photo(), "image/jpeg"), upload("bomb.png", bomb()))
    body = response.content.decode()
    assert response.status_code == 200 and REFUSED in body and "村民反映路灯不亮" in body
    assert not Visit.objects.exists()
    assert post(upload("现场.jpg", photo(), "image/jpeg")).status_code == 302
    assert Visit.objects.get().photos.count() == 1


def test_a_study_session_refuses_the_bomb_keeps_the_form_and_takes_the_photo(client, tree, lx_leader):
    from qingdan.ledgers.models import StudySession

    client.force_login(lx_leader)

    def post(*files):
        return client.post("/ledgers/study/new/?unit=330106009", {
            "kind": "group_study", "topic": "集中学习条例", "starts_on": timezone.localdate().isoformat(),
            "duration": "1", "duration_unit": "days", "place": "村委会", "leadership": "on",
            f"att-{lx_leader.pk}": "present", "photos": list(files)})

    response = post(upload("合影.jpg", photo(), "image/jpeg"), upload("bomb.png", bomb()))
    body = response.content.decode()
    assert response.status_code == 200 and REFUSED in body and "集中学习条例" in body
    assert not StudySession.objects.exists()
    assert post(upload("合影.jpg", photo(), "image/jpeg")).status_code == 302
    assert StudySession.objects.get().photos.count() == 1

