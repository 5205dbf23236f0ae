"""Survey pages: build, open, QR code, answer by phone twice (counted once), export, rate limit, scope."""

from __future__ import annotations

import pytest
from django.test import override_settings

from qingdan.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def build(client, organizer):
    client.force_login(organizer)
    response = client.post("/surveys/", {"unit": "330106", "title": "窗口服务评价", "identity": "phone"})
    survey = Survey.objects.get()
    assert response["Location"] == f"/surveys/{survey.pk}/"
    client.post(f"/surveys/{survey.pk}/questions/", {"kind": "single", "text": "服务态度",
                                                     "choices": "满意*\n一般*\n差", "scale_max": 5, "required": "on"})
    client.post(f"/surveys/{survey.pk}/questions/", {"kind": "scale", "text": "打分", "scale_max": 5, "good_from": 4,
                                                     "required": "on"})
    client.post(f"/surveys/{survey.pk}/status/", {"status": "open"})
    survey.refresh_from_db()
    return survey


def test_build_answer_twice_and_export(client, tree, xh_organizer):
    survey = build(client, xh_organizer)
    assert survey.status == "open" and survey.questions.count() == 2
    assert survey.questions.first().good == [0, 1]
    qr = client.get(f"/surveys/{survey.pk}/qr.svg")
    assert qr.status_code == 200 and b"<svg" in qr.content
    first, second = (q.pk for q in survey.questions.all())
    public = client_class_public(client)
    page = public.get(f"/s/{survey.slug}/")
    assert page.status_code == 200 and "服务态度" in page.content.decode()
    public.post(f"/s/{survey.slug}/", {f"q{first}": "0", f"q{second}": "5", "phone": "13912345678"})
    again = public.post(f"/s/{survey.slug}/", {f"q{first}": "2", f"q{second}": "1", "phone": "139 1234 5678"})
    assert 'id="already"' in again.content.decode()
    assert Response.objects.count() == 1
    detail = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert "100.0" in detail
    xlsx = client.get(f"/surveys/{survey.pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    csv = client.get(f"/surveys/{survey.pk}/export.csv").content.decode("utf-8-sig")
    assert "13912345678" not in csv and "满意" in csv
    assert client.get(f"/surveys/{survey.pk}/export.exe").status_code == 404


def client_class_public(client):
    """A second browser: the citizen, without the organizer's session."""
    from django.test import Client

    return Client()


def test_missing_answers_show_errors(client, tree, xh_organizer):
    survey = build(client, xh_organizer)
    response = client_class_public(client).post(f"/s/{survey.slug}/", {"phone": "13912345678"})
    assert response.status_code == 400 and not Response.objects.exists()


@override_settings(QINGDAN_SURVEY_RATE_IP="2/h")
def test_answers_are_rate_limited_per_address(client, tree, xh_organizer):
    survey = build(client, xh_organizer)
    first, second = (q.pk for q in survey.questions.all())
    public = client_class_public(client)
    for n in range(3):
        response = public.post(f"/s/{survey.slug}/", {f"q{first}": "0", f"q{second}": "5",
                                                      "phone": f"1391234567{n}"})
    assert response.status_code == 400 and Response.objects.count() == 2


def test_drafts_and_other_counties_are_hidden(client, tree, xh_organizer, bj_handler):
    client.force_login(xh_organizer)
    client.post("/surveys/", {"unit": "330106", "title": "草稿", "identity": "token"})
    survey = Survey.objects.get()
    assert client_class_public(client).get(f"/s/{survey.slug}/").status_code == 404
    client.force_login(bj_handler)
    assert client.get(f"/surveys/{survey.pk}/").status_code == 404
