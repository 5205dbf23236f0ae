"""Public disclosure shows what was published, redacted, and nothing else — by any path."""

import pytest
from django.urls import reverse

from qingdan.dockets.services import docket_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(docket, hz_supervisor, make_item):
    docket_publish(actor=hz_supervisor, docket=docket, published=True)
    shown = make_item(title="小区停车难问题", commitment="联系人 张三 13812345678，年底前增加车位", published=True)
    hidden = make_item(title="内部核查事项", published=False)
    return shown, hidden


def test_index_and_docket_show_only_published_items_with_counters(client, published, docket):
    shown, hidden = published
    body = client.get(reverse("public:index")).content.decode()
    assert docket.name in body
    body = client.get(reverse("public:docket", args=[docket.pk])).content.decode()
    assert shown.title in body and hidden.title not in body
    assert "13812345678" not in body and "[redacted]" in body


def test_unpublished_items_and_dockets_are_404(client, published, docket, hz_supervisor):
    shown, hidden = published
    assert client.get(reverse("public:item", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("public:item", args=[shown.pk])).status_code == 200
    docket_publish(actor=hz_supervisor, docket=docket, published=False)
    assert client.get(reverse("public:item", args=[shown.pk])).status_code == 404
    assert client.get(reverse("public:docket", args=[docket.pk])).status_code == 404
    assert docket.name not in client.get(reverse("public:index")).content.decode()


def test_public_item_page_names_no_person(client, published, xh_handler, hz_operator):
    from qingdan.dockets.services import item_accept, item_dispatch, item_urge

    shown, _ = published
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=shown))
    item_urge(actor="system", item=item, text="请加快进度，内部意见")
    body = client.get(reverse("public:item", args=[shown.pk])).content.decode()
    assert "xh_handler" not in body and "hz_operator" not in body and "内部意见" not in body
    assert "13812345678" not in body
