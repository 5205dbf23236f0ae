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


def test_the_public_reads_public_states_never_the_internal_ones(client, published, docket, xh_handler, hz_operator):
    import re

    from qingdan.dockets.choices import ItemStatus, PublicStatus, public_status
    from qingdan.dockets.services import item_dispatch, item_return

    shown, _ = published
    back = item_return(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=shown), reason="不属于本单位")
    assert back.status == ItemStatus.RETURNED
    for page in (reverse("public:docket", args=[docket.pk]), reverse("public:item", args=[shown.pk])):
        body = client.get(page).content.decode()
        assert not re.search("已退回|Returned|不属于本单位", body)
        assert re.search("办理中|Being handled", body)
    listed = client.get(f"/api/v1/public/dockets/{docket.pk}/items").json()
    assert [(i["status"], i["public_status"]) for i in listed if i["id"] == shown.pk] == [("returned", "in_hand")]
    assert public_status(ItemStatus.RETURNED) == PublicStatus.IN_HAND
    assert public_status(ItemStatus.CLOSURE_REQUESTED) == PublicStatus.IN_HAND
    assert public_status(ItemStatus.LEADER_REVIEW) == PublicStatus.IN_HAND
    assert public_status(ItemStatus.STAGE_RESULT) == PublicStatus.STAGE_RESULT
    assert public_status(ItemStatus.CLOSED) == PublicStatus.DONE
    assert public_status(ItemStatus.LISTED) == PublicStatus.LISTED


def _close(item, xh_handler, hz_operator, hz_supervisor, reply, png):
    from qingdan.dockets.services import item_accept, item_close, item_dispatch, item_request_closure

    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=item))
    item = item_request_closure(actor=xh_handler, item=item, reply=reply, files=[("a.png", png)])
    return item_close(actor=hz_supervisor, item=item)


def test_the_reply_to_a_citizen_is_never_the_public_result(client, published, tree, make_item, xh_handler,
                                                          hz_operator, hz_supervisor, png):
    from qingdan.dockets.selectors import public_result
    from qingdan.dockets.services import item_link_submissions
    from qingdan.intake.services import submission_create

    shown, _ = published
    submission, _new = submission_create(actor="test", channel="web", kind="complaint",
                                         text="我家楼下停车位不够，每天晚上停不进去。", unit=tree["330106"],
                                         name="王小明", phone="13912345678")
    item_link_submissions(actor=hz_operator, item=shown, submissions=[submission])
    answered = _close(shown, xh_handler, hz_operator, hz_supervisor, "王先生您好，您反映的车位问题已解决。", png)
    assert public_result(answered) == ""
    body = client.get(reverse("public:item", args=[answered.pk])).content.decode()
    assert "王先生您好" not in body and 'id="public-result"' not in body
    assert "已办结" in body or "Concluded" in body
    # An item that answers nobody was closed with a reply to the public: that is its result.
    alone = make_item(title="背街小巷路灯修复", published=True)
    alone = _close(alone, xh_handler, hz_operator, hz_supervisor, "已修复路灯32盏。", png)
    assert public_result(alone) == "已修复路灯32盏。"
    body = client.get(reverse("public:item", args=[alone.pk])).content.decode()
    assert 'id="public-result"' in body and "已修复路灯32盏。" in body
