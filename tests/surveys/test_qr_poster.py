"""The survey's QR code as a file (PNG, SVG) and as an A4 poster to print; both inside the organizer's scope."""

from __future__ import annotations

import re

import pytest

from qingdan.surveys.services import survey_create, survey_set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(tree, xh_organizer):
    return survey_create(actor=xh_organizer, unit=tree["330106009"], title="窗口服务评价", intro="请为窗口服务打分")


def _open(survey, actor):
    from qingdan.surveys.services import question_add

    question_add(actor=actor, survey=survey, kind="single", text="满意吗", choices=["是", "否"], good=[0])
    return survey_set_status(actor=actor, survey=survey, status="open")


def test_the_qr_downloads_as_png_and_svg_named_after_the_survey(client, survey, xh_organizer):
    _open(survey, xh_organizer)
    client.force_login(xh_organizer)
    detail = client.get(f"/surveys/{survey.pk}/").content.decode()
    assert f'href="/surveys/{survey.pk}/qr-download.png"' in detail
    assert f'href="/surveys/{survey.pk}/qr-download.svg"' in detail and f'href="/surveys/{survey.pk}/poster/"' in detail
    png = client.get(f"/surveys/{survey.pk}/qr-download.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert "attachment" in png["Content-Disposition"] and ".png" in png["Content-Disposition"]
    svg = client.get(f"/surveys/{survey.pk}/qr-download.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content and "attachment" in svg["Content-Disposition"]
    assert client.get(f"/surveys/{survey.pk}/qr-download.gif").status_code == 404


def test_the_png_is_square_and_large_enough_to_print(client, survey, xh_organizer):
    from io import BytesIO

    from PIL import Image

    _open(survey, xh_organizer)
    client.force_login(xh_organizer)
    image = Image.open(BytesIO(client.get(f"/surveys/{survey.pk}/qr-download.png").content))
    assert image.width >= 300 and image.width == image.height  # big enough to print


def test_the_poster_has_title_unit_qr_and_link_and_no_inline_style_or_script(client, survey, xh_organizer):
    _open(survey, xh_organizer)
    client.force_login(xh_organizer)
    response = client.get(f"/surveys/{survey.pk}/poster/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "窗口服务评价" in page and "留下街道" in page and "请为窗口服务打分" in page
    assert f'src="/surveys/{survey.pk}/qr.svg"' in page
    assert re.search(rf'class="url" translate="no">http://testserver/s/{survey.slug}/<', page)
    assert "poster.css" in page and "data-print" in page
    assert not re.search(r"<style|style=|<script(?![^>]*\bsrc=)|\son[a-z]+=", page)


def test_a_draft_has_no_poster_yet(client, survey, xh_organizer):
    client.force_login(xh_organizer)
    response = client.get(f"/surveys/{survey.pk}/poster/", follow=True)
    assert response.redirect_chain == [(f"/surveys/{survey.pk}/", 302)]
    assert 'class="flash warning" role="alert"' in response.content.decode()


def test_another_county_gets_neither_qr_nor_poster(client, survey, xh_organizer, bj_handler):
    _open(survey, xh_organizer)
    client.force_login(bj_handler)
    for url in ("qr-download.png", "qr-download.svg", "poster/"):
        assert client.get(f"/surveys/{survey.pk}/{url}").status_code == 404
