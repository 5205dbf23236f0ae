"""The item page shows people what they need: photos as thumbnails, no internal counter."""

import re

import pytest
from django.urls import reverse

from qingdan.dockets.models import Evidence
from qingdan.dockets.services import item_accept, item_dispatch, item_request_closure

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"


def test_the_version_counter_is_hidden_but_the_lock_still_holds(client, make_item, hz_operator, xh_handler):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    client.force_login(xh_handler)
    page = client.get(reverse("dockets:item", args=[item.pk])).content.decode()
    assert not re.search(r"<dt>(版本|Version)</dt>", page)
    assert f'name="version" value="{item.version}"' in page  # the optimistic lock's hidden field
    stale = client.post(reverse("dockets:item_act", args=[item.pk, "progress"]),
                        {"version": item.version - 1, "progress": 30, "text": "进展"})
    assert stale.status_code == 409


def test_photo_evidence_is_a_thumbnail_and_a_pdf_a_named_file(client, make_item, hz_operator, xh_handler, bj_handler,
                                                           png):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    item_request_closure(actor=xh_handler, item=item, reply="完成",
                         files=[("现场照片.png", png), ("验收报告.pdf", PDF)])
    photo = Evidence.objects.get(item=item, content_type="image/png")
    report = Evidence.objects.get(item=item, content_type="application/pdf")
    assert photo.is_image and not report.is_image and report.type_label == "PDF"
    client.force_login(xh_handler)
    page = client.get(reverse("dockets:item", args=[item.pk])).content.decode()
    photo_url, report_url = reverse("dockets:evidence", args=[photo.pk]), reverse("dockets:evidence", args=[report.pk])
    assert re.search(rf'<img src="{photo_url}"[^>]*class="evidence-thumb"', page)
    assert f'<img src="{report_url}"' not in page and "验收报告.pdf" in page
    assert re.search(r'<span class="file-badge">PDF</span>', page)
    assert 'style="' not in page.split('<ul class="evidence">')[1].split("</ul>")[0]  # CSP: no inline style
    # The thumbnail is the scoped download: the picture itself for the unit, 404 for a neighbour.
    shown = client.get(photo_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png"
    client.force_login(bj_handler)
    assert client.get(photo_url).status_code == 404
