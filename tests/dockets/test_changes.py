"""Extension and change requests (延期申请/变更申请) on the pages and over the API, from the attacker's side.

杭州's list, an item led by 西湖区: 西湖区's people ask, 杭州 (the issuer) decides. 西湖区's own
supervisors and organizers may not decide; 滨江区 sees nothing at all.
"""

import datetime
import json
import re

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.dockets.choices import ChangeKind, ChangeStatus, EventKind
from qingdan.dockets.models import Item, ItemChangeRequest
from qingdan.dockets.services import item_change_request_create, item_change_request_decide, item_dispatch
from qingdan.people.services import token_create
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dockets"


def _bearer(user) -> dict[str, str]:
    _, key = token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _send(client, method, url, user, body=None):
    if method == "get":
        return client.get(url, **_bearer(user))
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json",
                                   **_bearer(user))


@pytest.fixture
def dispatched(make_item, hz_operator):
    return item_dispatch(actor=hz_operator, item=make_item(published=True))


@pytest.fixture
def later(dispatched):
    return dispatched.deadline + datetime.timedelta(days=30)


@pytest.fixture
def pending(dispatched, xh_handler, later):
    return item_change_request_create(actor=xh_handler, item=dispatched, kind=ChangeKind.EXTENSION,
                                      reason="雨季无法施工", deadline=later)


@pytest.fixture
def bj_supervisor(tree, make_staff):
    return make_staff("bj_supervisor", Role.SUPERVISOR, tree["330108"])


# -- the API ---------------------------------------------------------------------------------------

def test_the_handler_files_an_extension_over_the_api(client, dispatched, xh_handler, later):
    response = _send(client, "post", f"{BASE}/change-requests", xh_handler,
                     {"item": dispatched.pk, "kind": "extension", "reason": "征迁未完成",
                      "deadline": later.isoformat()})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending" and body["deadline"] == later.isoformat()
    assert body["previous_deadline"] == dispatched.deadline.isoformat()
    assert body["requested_by"] == "xh_handler"
    item = Item.objects.get(pk=dispatched.pk)
    assert item.deadline == dispatched.deadline  # asking moves nothing
    assert item.events.filter(kind=EventKind.CHANGE_REQUESTED).exists()


def test_a_request_without_a_reason_is_refused_with_the_field_named(client, dispatched, xh_handler, later):
    response = _send(client, "post", f"{BASE}/change-requests", xh_handler,
                     {"item": dispatched.pk, "kind": "extension", "reason": "  ", "deadline": later.isoformat()})
    assert response.status_code == 400
    assert response.json()["code"] == "item_invalid" and "reason" in response.json()["fields"]
    assert not ItemChangeRequest.objects.exists()


def test_a_second_pending_request_is_refused_clearly(client, pending, dispatched, xh_leader, later):
    response = _send(client, "post", f"{BASE}/change-requests", xh_leader,
                     {"item": dispatched.pk, "kind": "extension", "reason": "再延一次",
                      "deadline": (later + datetime.timedelta(days=10)).isoformat()})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "transition_refused" and body["request"] == pending.pk
    assert re.search("waiting for a decision|待审批", body["detail"])  # in the active language
    assert ItemChangeRequest.objects.filter(item=dispatched).count() == 1


@pytest.mark.parametrize("who", ["xh_handler", "xh_leader", "xh_supervisor", "xh_organizer"])
def test_the_lead_unit_cannot_decide_its_own_request(client, pending, dispatched, request, who):
    user = request.getfixturevalue(who)
    response = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", user, {"approve": True})
    assert response.status_code == 403, response.content
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING
    assert Item.objects.get(pk=dispatched.pk).deadline == dispatched.deadline
    assert AuditEntry.objects.filter(action="dockets.item_refused", object_id=str(dispatched.pk)).exists()


def test_the_issuer_approves_and_the_item_moves_but_keeps_its_original(client, pending, dispatched, hz_supervisor,
                                                                        later):
    response = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", hz_supervisor,
                     {"approve": True, "note": "同意延期"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "hz_supervisor"
    detail = _send(client, "get", f"{BASE}/items/{dispatched.pk}", hz_supervisor).json()
    assert detail["deadline"] == later.isoformat()
    assert detail["original_deadline"] == dispatched.deadline.isoformat()
    assert {"change_requested", "change_approved"} <= {e["kind"] for e in detail["events"]}


def test_deciding_twice_is_refused(client, pending, hz_supervisor, zj_organizer, dispatched):
    first = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", hz_supervisor,
                  {"approve": False, "note": "材料不全"})
    assert first.status_code == 200
    second = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", zj_organizer, {"approve": True})
    assert second.status_code == 409 and second.json()["code"] == "transition_refused"
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.REFUSED and pending.decided_by.username == "hz_supervisor"
    assert Item.objects.get(pk=dispatched.pk).deadline == dispatched.deadline


def test_a_refusal_without_a_note_is_refused(client, pending, hz_supervisor):
    response = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", hz_supervisor,
                     {"approve": False})
    assert response.status_code == 400 and "note" in response.json()["fields"]
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING


@pytest.mark.parametrize("who", ["bj_handler", "bj_supervisor"])
def test_a_unit_outside_the_scope_gets_404_everywhere(client, pending, dispatched, request, who, later):
    user = request.getfixturevalue(who)
    assert _send(client, "get", f"{BASE}/change-requests/{pending.pk}", user).status_code == 404
    assert _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", user,
                 {"approve": True}).status_code == 404
    assert _send(client, "post", f"{BASE}/change-requests", user,
                 {"item": dispatched.pk, "kind": "extension", "reason": "x",
                  "deadline": later.isoformat()}).status_code == 404
    listing = _send(client, "get", f"{BASE}/change-requests?item={dispatched.pk}", user).json()
    assert listing == {"count": 0, "requests": []}
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING


def test_the_issuers_queue_holds_what_they_may_decide(client, pending, hz_supervisor, xh_supervisor):
    mine = _send(client, "get", f"{BASE}/change-requests?to_decide=true", hz_supervisor).json()
    assert [r["id"] for r in mine["requests"]] == [pending.pk]
    # 西湖区's supervisor sees the request on its item but does not decide it.
    theirs = _send(client, "get", f"{BASE}/change-requests?to_decide=true", xh_supervisor).json()
    assert theirs["count"] == 0
    seen = _send(client, "get", f"{BASE}/change-requests?status=pending", xh_supervisor).json()
    assert [r["id"] for r in seen["requests"]] == [pending.pk]


def test_the_asker_does_not_find_their_own_request_to_decide(client, dispatched, hz_supervisor):
    item_change_request_create(actor=hz_supervisor, item=dispatched, kind=ChangeKind.CHANGE,
                               reason="承诺表述不准确", commitment="按新标准完成")
    mine = _send(client, "get", f"{BASE}/change-requests?to_decide=true", hz_supervisor).json()
    assert mine["count"] == 0


def test_a_named_verifier_decides_and_the_owner_does_not(client, pending, tree, zj_organizer, hz_supervisor):
    docket = pending.item.docket
    docket.verifier_unit = tree["33"]
    docket.save()
    refused = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", hz_supervisor, {"approve": True})
    assert refused.status_code == 403
    assert _send(client, "get", f"{BASE}/change-requests?to_decide=true", hz_supervisor).json()["count"] == 0
    ok = _send(client, "post", f"{BASE}/change-requests/{pending.pk}/decide", zj_organizer, {"approve": True})
    assert ok.status_code == 200


def test_after_an_approved_extension_a_patch_still_cannot_move_the_deadline(client, pending, hz_supervisor,
                                                                             xh_leader, later):
    item_change_request_decide(actor=hz_supervisor, request=pending, approve=True)
    item = Item.objects.get(pk=pending.item_id)
    for who in (xh_leader, hz_supervisor):
        response = _send(client, "patch", f"{BASE}/items/{item.pk}", who,
                         {"version": item.version, "deadline": (later + datetime.timedelta(days=90)).isoformat()})
        assert response.status_code == 400, response.content
    assert Item.objects.get(pk=item.pk).deadline == later


def test_the_issuer_is_told_and_the_asker_hears_the_decision(pending, hz_supervisor, xh_handler):
    from qingdan.notifications.models import Notification

    assert Notification.objects.filter(recipient=hz_supervisor, kind="item.change_requested").exists()
    item_change_request_decide(actor=hz_supervisor, request=pending, approve=False, note="理由不充分")
    told = Notification.objects.get(recipient=xh_handler, kind="item.change_decided")
    assert told.body == "理由不充分"


# -- the pages -------------------------------------------------------------------------------------

def test_the_handler_files_a_request_on_the_item_page(client, dispatched, xh_handler, later):
    client.force_login(xh_handler)
    page = client.get(f"/dockets/items/{dispatched.pk}/").content.decode()
    assert 'id="change-request"' in page
    response = client.post(f"/dockets/items/{dispatched.pk}/change/", {
        "kind": "extension", "deadline": later.isoformat(), "reason": "雨季无法施工"})
    assert response.status_code == 302, response.content.decode()[:500]
    request = ItemChangeRequest.objects.get(item=dispatched)
    assert request.status == ChangeStatus.PENDING and request.requested_by == xh_handler
    page = client.get(f"/dockets/items/{dispatched.pk}/").content.decode()
    assert "雨季无法施工" in page and 'id="change-request"' not in page  # one at a time: no second form
    assert 'name="decision"' not in page  # the asker does not decide


def test_a_page_request_without_reason_keeps_what_was_typed(client, dispatched, xh_handler, later):
    client.force_login(xh_handler)
    response = client.post(f"/dockets/items/{dispatched.pk}/change/", {
        "kind": "extension", "deadline": later.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert later.isoformat() in response.content.decode()
    assert not ItemChangeRequest.objects.exists()


def test_the_issuer_decides_on_the_item_page_and_finds_it_in_the_queue(client, pending, hz_supervisor, later):
    client.force_login(hz_supervisor)
    queue = client.get("/dockets/").content.decode()
    assert 'id="to-decide"' in queue
    listing = client.get("/dockets/changes/").content.decode()
    assert "雨季无法施工" in listing and f"/dockets/items/{pending.item_id}/" in listing
    page = client.get(f"/dockets/items/{pending.item_id}/").content.decode()
    assert 'name="decision" value="approve"' in page
    response = client.post(f"/dockets/changes/{pending.pk}/decide/", {"decision": "approve", "note": "同意"})
    assert response.status_code == 302
    item = Item.objects.get(pk=pending.item_id)
    assert item.deadline == later
    page = client.get(f"/dockets/items/{item.pk}/").content.decode()
    assert 'id="original-deadline"' in page and pending.previous_deadline.isoformat() in page
    assert 'id="change-queue"' not in client.get("/dockets/changes/").content.decode()


def test_the_lead_units_supervisor_sees_no_decide_buttons_and_cannot_post(client, pending, xh_supervisor):
    client.force_login(xh_supervisor)
    page = client.get(f"/dockets/items/{pending.item_id}/").content.decode()
    assert "雨季无法施工" in page and 'name="decision"' not in page
    response = client.post(f"/dockets/changes/{pending.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.status == ChangeStatus.PENDING


def test_a_neighbour_gets_404_on_the_pages(client, pending, bj_supervisor, later):
    client.force_login(bj_supervisor)
    assert client.post(f"/dockets/changes/{pending.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert client.post(f"/dockets/items/{pending.item_id}/change/", {
        "kind": "extension", "deadline": later.isoformat(), "reason": "x"}).status_code == 404
    assert "雨季无法施工" not in client.get("/dockets/changes/").content.decode()


# -- the public page -------------------------------------------------------------------------------

def test_the_public_page_shows_the_request_and_decision_without_names(client, pending, hz_supervisor, later):
    docket = pending.item.docket
    docket.published = True
    docket.save()
    item_change_request_decide(actor=hz_supervisor, request=pending, approve=True, note="内部意见：同意")
    page = client.get(f"/public/items/{pending.item_id}/").content.decode()
    assert "雨季无法施工" in page
    assert later.isoformat() in page and pending.previous_deadline.isoformat() in page
    assert 'id="original-deadline"' in page
    for name in ("xh_handler", "hz_supervisor", "内部意见"):
        assert name not in page
