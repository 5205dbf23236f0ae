"""Every upload path refuses the same files with the same words and stores nothing (``core.files``).

The public form, the intake API, docket evidence, ledger visits and study sessions each hand their
files to ``clean_files``; a file too large, a file that is not what its name says, or one file too
many is refused on each of them, the message names the file, and no row or file is written.
Image bombs have their own tests (tests/intake/test_image_bombs.py).
"""

from __future__ import annotations

import base64
import io
import json
import re
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from qingdan.core.files import MAX_BYTES, MAX_FILES, StoredFile, clean_files, read_uploads
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def png(colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), colour).save(out, "PNG")
    return out.getvalue()


OVERSIZED = ("big.jpg", b"\xff\xd8\xff" + b"\0" * MAX_BYTES,
             re.compile(r"big\.jpg (超过 10 MB|is larger than 10 MB)"))
WRONG_TYPE = ("photo.jpg", b"MZ\x90\x00\x03 this is a Windows program",
              re.compile(r"photo\.jpg (不是图片|is not an image)"))
TOO_MANY = ("many", None, re.compile(r"最多 5 个文件|At most 5 files"))
CASES = {"oversized": OVERSIZED, "wrong type": WRONG_TYPE, "too many": TOO_MANY}


def files_for(case: tuple) -> list[tuple[str, bytes]]:
    name, data, _pattern = case
    if data is None:
        return [(f"p{n}.png", png()) for n in range(MAX_FILES + 1)]
    return [("fine.png", png()), (name, data)]


def uploads(files: list[tuple[str, bytes]]) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(name, data, content_type="image/jpeg") for name, data in files]


# -- the one check --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_check_refuses_every_batch_with_a_bad_file_and_names_it(case):
    with pytest.raises(ValueError) as info:
        clean_files(files_for(case))
    assert case[2].search(str(info.value))


def test_the_check_names_every_bad_file_at_once_and_keeps_good_ones_otherwise():
    with pytest.raises(ValueError) as info:
        clean_files([("a.jpg", b"not a picture"), ("b.pdf", b"%PDF-1.4 cut short")])
    assert "a.jpg" in str(info.value) and "b.pdf" in str(info.value)
    clean = clean_files([("a.png", png()), ("dir\\b.png", png("blue"))])
    assert [c.name for c in clean] == ["a.png", "b.png"] and all(c.content_type == "image/png" for c in clean)


def test_reading_a_form_never_holds_more_than_the_limit_of_one_file():
    big = SimpleUploadedFile("big.jpg", b"\xff" * (MAX_BYTES + 5000))
    empty_input = SimpleNamespace(name="", size=0, read=lambda limit=-1: b"")  # an empty <input type=file>
    files = read_uploads([big, empty_input, *uploads([(f"{n}.png", png()) for n in range(MAX_FILES + 3)])])
    assert len(files) == MAX_FILES  # the empty part is no file; one more than allowed is read at most
    assert files[0][0] == "big.jpg" and len(files[0][1]) == MAX_BYTES + 1


def test_every_file_model_is_a_stored_file():
    from qingdan.dockets.models import Evidence
    from qingdan.intake.models import Attachment
    from qingdan.ledgers.models import SessionPhoto, VisitPhoto

    for model in (Attachment, Evidence, SessionPhoto, VisitPhoto):
        assert issubclass(model, StoredFile)
        assert [f.name for f in model._meta.get_fields() if f.name in {"file", "sha256", "size"}] == [
            "file", "size", "sha256"]


# -- every upload path ----------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_public_form_refuses_and_stores_nothing(client, tree, case):
    from qingdan.intake.models import Attachment, Submission

    response = client.post("/submit/", {"kind": "complaint", "subject": "路灯", "text": "村口的路灯坏了一个月。",
                                        "anonymous": "on", "idempotency_key": "k" * 32, "action": "submit",
                                        "attachments": uploads(files_for(case))})
    assert response.status_code == 400 and case[2].search(response.content.decode())
    assert not Submission.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("case", [OVERSIZED, WRONG_TYPE], ids=["oversized", "wrong type"])
def test_the_intake_api_refuses_and_stores_nothing(client, tree, make_staff, settings, case):
    from qingdan.intake.models import Attachment, Submission
    from qingdan.people.services import token_create

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * MAX_BYTES  # so the file check, not the body limit, answers
    operator = make_staff("xh_operator", Role.OPERATOR, tree["330106"])
    _, key = token_create(actor=operator, user=operator, name="desk")
    body = {"kind": "complaint", "text": "小区门口的饭店油烟严重。", "unit": "330106009", "anonymous": True,
            "attachments": [{"name": n, "content_base64": base64.b64encode(d).decode()} for n, d in files_for(case)]}
    response = client.post("/api/v1/submissions/", json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "submission_invalid" and case[2].search(response.json()["fields"]["attachments"])
    assert not Submission.objects.exists() and not Attachment.objects.exists()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_docket_evidence_refuses_and_stores_nothing(client, make_item, hz_operator, xh_handler, case):
    from qingdan.dockets.choices import ItemStatus
    from qingdan.dockets.models import Evidence, Item
    from qingdan.dockets.services import item_accept, item_dispatch

    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    client.force_login(xh_handler)
    response = client.post(reverse("dockets:item_act", args=[item.pk, "request_closure"]),
                           {"version": item.version, "text": "管网已改造完成，请验收。",
                            "files": uploads(files_for(case))})
    assert response.status_code == 400 and case[2].search(response.content.decode())
    assert not Evidence.objects.exists() and Item.objects.get(pk=item.pk).status == ItemStatus.ACCEPTED


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_ledger_visit_refuses_and_stores_nothing(client, tree, lx_leader, case):
    from qingdan.ledgers.models import Visit, VisitPhoto

    client.force_login(lx_leader)
    response = client.post("/ledgers/visits/new/", {
        "unit": "330106009001", "visited_on": timezone.localdate().isoformat(), "households": 3, "enterprises": 0,
        "solved_on_spot": 0, "heard": "村民反映路灯不亮", "problems": "", "route": "submission",
        "photos": uploads(files_for(case))})
    assert response.status_code == 200 and case[2].search(response.content.decode())
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_study_session_refuses_and_stores_nothing(client, tree, lx_leader, case):
    from qingdan.ledgers.models import SessionPhoto, StudySession

    client.force_login(lx_leader)
    response = client.post("/ledgers/study/new/?unit=330106009", {
        "kind": "group_study", "topic": "集中学习条例", "starts_on": timezone.localdate().isoformat(), "duration": "1",
        "duration_unit": "days", "place": "村委会", "leadership": "on", f"att-{lx_leader.pk}": "present",
        "photos": uploads(files_for(case))})
    assert response.status_code == 200 and case[2].search(response.content.decode())
    assert not StudySession.objects.exists() and not SessionPhoto.objects.exists()


def test_a_stored_file_goes_out_hardened_under_its_sent_name(client, tree, lx_leader):
    from qingdan.ledgers.models import Visit

    client.force_login(lx_leader)
    client.post("/ledgers/visits/new/", {
        "unit": "330106009001", "visited_on": timezone.localdate().isoformat(), "households": 1, "enterprises": 0,
        "solved_on_spot": 0, "heard": "路灯", "problems": "", "route": "submission",
        "photos": uploads([("走访.png", png())])})
    photo = Visit.objects.get().photos.get()
    assert photo.file.name.startswith(f"visits/{timezone.now():%Y/%m}/{photo.sha256[:2]}/")
    response = client.get(reverse("ledgers:visit_photo", args=[photo.visit_id, photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"].startswith("sandbox") and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline") and "filename" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
