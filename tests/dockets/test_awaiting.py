"""「我的待办」 from each side: what waits for whom (``selectors.items_awaiting``), and the queue page."""

import pytest
from django.urls import reverse

from qingdan.dockets.selectors import items_awaiting
from qingdan.dockets.services import item_accept, item_close, item_dispatch, item_request_closure, item_return

pytestmark = pytest.mark.django_db


def test_a_dispatched_item_waits_on_the_lead_units_handler_before_signing(make_item, hz_operator, xh_handler,
                                                                         bj_handler, xh_police):
    waiting = item_dispatch(actor=hz_operator, item=make_item(title="待签收"))
    assert waiting.handler_id is None
    assert list(items_awaiting(xh_handler)) == [waiting]
    assert list(items_awaiting(bj_handler)) == []  # a neighbour
    assert list(items_awaiting(xh_police)) == []  # a department below 西湖区 sees it nowhere in its queue
    item_accept(actor=xh_handler, item=waiting)
    assert list(items_awaiting(xh_handler)) == [waiting]  # now in rectification, still theirs


def test_work_sent_to_a_street_waits_on_the_street_not_the_district(make_item, tree, hz_operator, xh_handler,
                                                                   make_staff):
    lx_handler = make_staff("lx_handler", "handler", tree["330106009"])
    street = item_dispatch(actor=hz_operator, item=make_item(title="街道事项", lead_unit=tree["330106009"]))
    assert list(items_awaiting(lx_handler)) == [street]
    assert list(items_awaiting(xh_handler)) == []  # sees it (its subtree), but it does not wait on 西湖区


def test_a_returned_item_waits_on_the_list_office_and_leaves_the_unit(make_item, hz_operator, hz_supervisor,
                                                                      xh_handler, xh_supervisor, bj_handler):
    back = item_return(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(title="退回")),
                       reason="不属于本单位")
    assert back.status == "returned"
    assert back in items_awaiting(hz_operator) and back in items_awaiting(hz_supervisor)
    assert back not in items_awaiting(xh_handler)
    assert back not in items_awaiting(xh_supervisor)  # 西湖区 does not run 杭州's list
    assert back not in items_awaiting(bj_handler)


def test_a_return_waits_on_the_lists_own_office_not_every_office_above_it(make_item, tree, hz_operator,
                                                                          xh_handler, make_staff):
    # A province supervisor sees 杭州's list, but 杭州's returns are not the province's to dispatch:
    # otherwise the province's queue would hold every return in the province.
    zj_supervisor = make_staff("zj_supervisor_q", "supervisor", tree["33"])
    back = item_return(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item(title="退回")),
                       reason="不属于本单位")
    assert back in items_awaiting(hz_operator)
    assert back not in items_awaiting(zj_supervisor)


def test_a_closure_request_waits_on_the_verifier_and_a_closed_item_on_nobody(make_item, hz_operator, hz_supervisor,
                                                                            xh_handler, png):
    item = item_accept(actor=xh_handler, item=item_dispatch(actor=hz_operator, item=make_item()))
    item = item_request_closure(actor=xh_handler, item=item, reply="已完成", files=[("a.png", png)])
    assert item in items_awaiting(hz_supervisor)
    closed = item_close(actor=hz_supervisor, item=item)
    for person in (hz_supervisor, hz_operator, xh_handler):
        assert closed not in items_awaiting(person)


def test_the_queue_page_shows_the_handler_what_waits_before_signing(client, make_item, hz_operator, xh_handler,
                                                                     bj_handler):
    item = item_dispatch(actor=hz_operator, item=make_item(title="新交办的事项"))
    client.force_login(xh_handler)
    page = client.get(reverse("dockets:queue")).content.decode()
    assert "新交办的事项" in page and reverse("dockets:item", args=[item.pk]) in page
    client.force_login(bj_handler)
    assert "新交办的事项" not in client.get(reverse("dockets:queue") + "?view=mine").content.decode()
    item_return(actor=xh_handler, item=item, reason="不属于本单位")
    client.force_login(hz_operator)
    assert "新交办的事项" in client.get(reverse("dockets:queue")).content.decode()
    client.force_login(xh_handler)
    assert "新交办的事项" not in client.get(reverse("dockets:queue")).content.decode()


@pytest.fixture
def xh_police(tree, make_staff):
    return make_staff("xh_police", "handler", tree["330106-GA"])
