"""单位领导审核: with the docket's leader_review on, a closure request first needs a leader of the lead unit.

Both paths (approved up to the verifier, sent back to the handler), the switch off (nothing changes),
and the attempts to skip the leader: the handler approving their own request, the verifier closing
before the leader has seen it, a neighbour trying.
"""

import json

import pytest

from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import EventKind, ItemStatus
from qingdan.dockets.errors import ItemInvalid, TransitionRefused
from qingdan.dockets.models import Docket, Item
from qingdan.dockets.selectors import my_queue
from qingdan.dockets.services import (
    docket_update,
    item_accept,
    item_close,
    item_dispatch,
    item_leader_approve,
    item_leader_send_back,
    item_request_closure,
)
from qingdan.people.services import role_grant, token_create
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dockets"


def _send(client, method, url, user, body=None):
    _, key = token_create(actor=user, user=user, name="test")
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json",
                                   HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture
def reviewed(docket, hz_supervisor):
    return docket_update(actor=hz_supervisor, docket=docket, changes={"leader_review": True})


@pytest.fixture
def working(make_item, hz_operator, xh_handler):
    item = item_dispatch(actor=hz_operator, item=make_item())
    return item_accept(actor=xh_handler, item=item)


@pytest.fixture
def in_review(reviewed, working, xh_handler, xh_leader, png):
    return item_request_closure(actor=xh_handler, item=working, reply="管网已改造完成", files=[("a.png", png)])


@pytest.fixture
def bj_leader(tree, make_staff):
    return make_staff("bj_leader", Role.LEADER, tree["330108"])


def test_with_review_off_nothing_changes(working, xh_handler, xh_leader, hz_supervisor, png):
    assert not working.docket.leader_review
    item = item_request_closure(actor=xh_handler, item=working, reply="已整改", files=[("a.png", png)])
    assert item.status == ItemStatus.CLOSURE_REQUESTED
    with pytest.raises(TransitionRefused):
        item_leader_approve(actor=xh_leader, item=item)
    assert item_close(actor=hz_supervisor, item=Item.objects.get(pk=item.pk)).status == ItemStatus.CLOSED


def test_the_leader_approves_and_it_goes_up_to_the_verifier(in_review, xh_leader, hz_supervisor):
    from qingdan.notifications.models import Notification

    assert in_review.status == ItemStatus.LEADER_REVIEW
    assert Notification.objects.filter(recipient=xh_leader, kind="item.leader_review").exists()
    assert not Notification.objects.filter(recipient=hz_supervisor, kind="item.closure_requested").exists()
    with pytest.raises(TransitionRefused):  # the verifier cannot skip the leader
        item_close(actor=hz_supervisor, item=in_review)
    item = item_leader_approve(actor=xh_leader, item=in_review, text="情况属实")
    assert item.status == ItemStatus.CLOSURE_REQUESTED
    assert Notification.objects.filter(recipient=hz_supervisor, kind="item.closure_requested").exists()
    item = item_close(actor=hz_supervisor, item=item)
    assert item.status == ItemStatus.CLOSED
    kinds = list(item.events.values_list("kind", flat=True))
    assert kinds.index(EventKind.CLOSURE_REQUESTED) < kinds.index(EventKind.LEADER_APPROVED) \
        < kinds.index(EventKind.CLOSED)


def test_the_leader_sends_it_back_with_a_reason(in_review, xh_leader, xh_handler, png):
    with pytest.raises(ItemInvalid):
        item_leader_send_back(actor=xh_leader, item=in_review, reason=" ")
    item = item_leader_send_back(actor=xh_leader, item=in_review, reason="照片不清楚，补充现场照片")
    assert item.status == ItemStatus.RECTIFYING and item.closure_requested_at is None
    assert item.events.filter(kind=EventKind.LEADER_SENT_BACK, text__contains="照片").exists()
    again = item_request_closure(actor=xh_handler, item=item, reply="已补充", files=[("b.png", png)])
    assert again.status == ItemStatus.LEADER_REVIEW


def test_the_handler_cannot_approve_their_own_request(client, in_review, xh_handler):
    with pytest.raises(PermissionDenied):
        item_leader_approve(actor=xh_handler, item=in_review)
    response = _send(client, "post", f"{BASE}/items/{in_review.pk}/leader_approve", xh_handler,
                     {"version": in_review.version})
    assert response.status_code == 403
    assert Item.objects.get(pk=in_review.pk).status == ItemStatus.LEADER_REVIEW


def test_a_handler_who_is_also_a_leader_cannot_approve_their_own_request(working, reviewed, tree, xh_handler,
                                                                         xh_leader, png):
    role_grant(actor="test", user=xh_handler, role=Role.LEADER, unit=tree["330106"])
    item = item_request_closure(actor=xh_handler, item=Item.objects.get(pk=working.pk), reply="已整改",
                                files=[("a.png", png)])
    with pytest.raises(PermissionDenied):
        item_leader_approve(actor=xh_handler, item=item)
    assert Item.objects.get(pk=item.pk).status == ItemStatus.LEADER_REVIEW
    assert item_leader_approve(actor=xh_leader, item=item).status == ItemStatus.CLOSURE_REQUESTED


def test_the_verifier_is_no_leader_of_the_lead_unit(client, in_review, hz_supervisor, xh_supervisor):
    for who in (hz_supervisor, xh_supervisor):
        response = _send(client, "post", f"{BASE}/items/{in_review.pk}/leader_approve", who,
                         {"version": in_review.version})
        assert response.status_code == 403, response.content
    assert Item.objects.get(pk=in_review.pk).status == ItemStatus.LEADER_REVIEW


def test_a_neighbouring_leader_gets_404(client, in_review, bj_leader):
    response = _send(client, "post", f"{BASE}/items/{in_review.pk}/leader_approve", bj_leader,
                     {"version": in_review.version})
    assert response.status_code == 404


def test_the_leader_approves_on_the_item_page(client, in_review, xh_leader, xh_handler):
    client.force_login(xh_handler)
    page = client.get(f"/dockets/items/{in_review.pk}/").content.decode()
    assert 'id="leader-approve"' not in page
    assert client.post(f"/dockets/items/{in_review.pk}/leader_approve/",
                       {"version": in_review.version}).status_code == 403
    client.force_login(xh_leader)
    assert in_review in my_queue(xh_leader)
    page = client.get(f"/dockets/items/{in_review.pk}/").content.decode()
    assert 'id="leader-approve"' in page
    response = client.post(f"/dockets/items/{in_review.pk}/leader_approve/", {"version": in_review.version})
    assert response.status_code == 302
    assert Item.objects.get(pk=in_review.pk).status == ItemStatus.CLOSURE_REQUESTED


def test_the_running_figures_agree_with_a_recount_through_the_review(in_review, xh_leader, hz_supervisor):
    from qingdan.supervision.running import figures_verify

    assert figures_verify().ok
    item_close(actor=hz_supervisor, item=item_leader_approve(actor=xh_leader, item=in_review))
    assert figures_verify().ok


def test_who_switches_the_review_on(client, docket, hz_supervisor, xh_organizer, make_item):
    make_item()  # so 西湖区's organizer sees the list
    refused = _send(client, "patch", f"{BASE}/{docket.pk}", xh_organizer, {"leader_review": True})
    assert refused.status_code == 403
    assert not Docket.objects.get(pk=docket.pk).leader_review
    response = _send(client, "patch", f"{BASE}/{docket.pk}", hz_supervisor, {"leader_review": True})
    assert response.status_code == 200 and response.json()["leader_review"] is True
    assert response.json()["verifier_unit"] is None  # the supervisor did not touch who verifies


def test_the_settings_form_switches_the_review_on(client, docket, hz_supervisor):
    client.force_login(hz_supervisor)
    page = client.get(f"/dockets/lists/{docket.pk}/").content.decode()
    assert 'name="leader_review"' in page
    response = client.post(f"/dockets/lists/{docket.pk}/settings/", {"leader_review": "on"})
    assert response.status_code == 302
    assert Docket.objects.get(pk=docket.pk).leader_review
