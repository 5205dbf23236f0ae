"""谁交办谁验收 and a promise that does not move by itself, tried from the attacker's side."""

import datetime
import json

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import ChangeKind, ChangeStatus, EventKind, ItemStatus
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Item
from qingdan.dockets.permissions import may_verify
from qingdan.dockets.services import (
    approved_extensions,
    item_accept,
    item_change_request_create,
    item_change_request_decide,
    item_close,
    item_dispatch,
    item_request_closure,
    item_update,
)
from qingdan.people.services import token_create

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dockets"


def _bearer(user) -> dict[str, str]:
    _, key = token_create(actor=user, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _send(client, method, url, headers, body=None):
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def awaiting(make_item, hz_operator, xh_handler, png):
    """An item of 杭州's list led by 西湖区, its closure asked for by 西湖区's handler."""
    item = item_dispatch(actor=hz_operator, item=make_item())
    item = item_accept(actor=xh_handler, item=item)
    return item_request_closure(actor=xh_handler, item=item, reply="已整改", files=[("a.png", png)])


# -- who verifies --------------------------------------------------------------------------------

def test_the_lead_units_supervisor_may_not_verify_but_the_issuer_may(awaiting, xh_supervisor, hz_supervisor):
    assert not may_verify(xh_supervisor, awaiting)
    assert may_verify(hz_supervisor, awaiting)


def test_lead_supervisor_cannot_close_over_the_api(client, awaiting, xh_supervisor):
    response = _send(client, "post", f"{BASE}/items/{awaiting.pk}/close", _bearer(xh_supervisor),
                     {"version": awaiting.version, "text": "自己验收"})
    assert response.status_code == 403
    awaiting.refresh_from_db()
    assert awaiting.status == ItemStatus.CLOSURE_REQUESTED and awaiting.closed_at is None
    assert AuditEntry.objects.filter(action="dockets.item_refused", object_id=str(awaiting.pk)).exists()


def test_lead_supervisor_cannot_close_through_the_page(client, awaiting, xh_supervisor):
    client.force_login(xh_supervisor)
    response = client.post(f"/dockets/items/{awaiting.pk}/close/", {"version": awaiting.version, "text": "通过"})
    assert response.status_code in {403, 404}
    awaiting.refresh_from_db()
    assert awaiting.status == ItemStatus.CLOSURE_REQUESTED


def test_the_issuer_closes_over_the_api(client, awaiting, hz_supervisor):
    response = _send(client, "post", f"{BASE}/items/{awaiting.pk}/close", _bearer(hz_supervisor),
                     {"version": awaiting.version, "text": "现场核验通过"})
    assert response.status_code == 200, response.content
    assert Item.objects.get(pk=awaiting.pk).status == ItemStatus.CLOSED


def test_a_named_verifier_unit_signs_off_instead_of_the_owner(awaiting, tree, zj_organizer, hz_supervisor):
    # 杭州 names the provincial office as verifier (e.g. an inspection group's list).
    docket = awaiting.docket
    docket.verifier_unit = tree["33"]
    docket.save()
    item = Item.objects.get(pk=awaiting.pk)
    assert may_verify(zj_organizer, item)
    assert not may_verify(hz_supervisor, item)  # the owner named someone else
    with pytest.raises(PermissionDenied):
        item_close(actor=hz_supervisor, item=item)
    assert item_close(actor=zj_organizer, item=item).status == ItemStatus.CLOSED


# -- the locked promise --------------------------------------------------------------------------

@pytest.fixture
def dispatched(make_item, hz_operator):
    return item_dispatch(actor=hz_operator, item=make_item())


@pytest.mark.parametrize("changes", [
    {"deadline": datetime.date.today() + datetime.timedelta(days=200)},
    {"commitment": "明年再说"},
    {"deadline_working_days": 90},
])
def test_the_lead_leader_cannot_move_the_promise(dispatched, xh_leader, changes):
    before = Item.objects.get(pk=dispatched.pk)
    with pytest.raises(ItemInvalid) as refused:
        item_update(actor=xh_leader, item=dispatched, version=dispatched.version, changes=changes)
    assert set(refused.value.fields) == set(changes)
    after = Item.objects.get(pk=dispatched.pk)
    assert (after.deadline, after.commitment, after.version) == (before.deadline, before.commitment, before.version)


def test_even_the_issuer_cannot_edit_the_promise_in_place(dispatched, hz_operator):
    with pytest.raises(ItemInvalid):
        item_update(actor=hz_operator, item=dispatched, version=dispatched.version,
                    changes={"deadline": datetime.date.today() + datetime.timedelta(days=100)})


def test_before_dispatch_the_promise_is_still_editable(make_item, hz_operator):
    item = make_item()
    new = datetime.date.today() + datetime.timedelta(days=100)
    item = item_update(actor=hz_operator, item=item, version=item.version, changes={"deadline": new})
    assert item.deadline == new


def test_api_patch_of_deadline_or_commitment_is_refused(client, dispatched, xh_leader):
    for body in ({"deadline": (datetime.date.today() + datetime.timedelta(days=300)).isoformat()},
                 {"commitment": "改个说法"}):
        response = _send(client, "patch", f"{BASE}/items/{dispatched.pk}", _bearer(xh_leader),
                         {"version": dispatched.version, **body})
        assert response.status_code == 400, response.content
    after = Item.objects.get(pk=dispatched.pk)
    assert after.deadline == dispatched.deadline and after.commitment == dispatched.commitment


def test_api_patch_cannot_move_the_lead_unit(client, dispatched, xh_leader):
    response = _send(client, "patch", f"{BASE}/items/{dispatched.pk}", _bearer(xh_leader),
                     {"version": dispatched.version, "lead_unit": "330108"})
    assert Item.objects.get(pk=dispatched.pk).lead_unit_id == dispatched.lead_unit_id
    assert response.status_code in {200, 400, 422}


def test_edit_form_post_cannot_move_the_deadline(client, dispatched, hz_operator):
    client.force_login(hz_operator)
    response = client.post(f"/dockets/items/{dispatched.pk}/edit/", {
        "version": dispatched.version, "title": dispatched.title, "commitment": "改了",
        "deadline": (datetime.date.today() + datetime.timedelta(days=300)).isoformat(),
        "priority": dispatched.priority})
    assert response.status_code == 400
    after = Item.objects.get(pk=dispatched.pk)
    assert after.deadline == dispatched.deadline and after.commitment == dispatched.commitment


def test_edit_form_shows_the_deadline_as_iso_and_a_priority_edit_keeps_it(client, dispatched, hz_operator):
    client.force_login(hz_operator)
    page = client.get(f"/dockets/items/{dispatched.pk}/").content.decode()
    assert f'value="{dispatched.deadline.isoformat()}"' in page
    response = client.post(f"/dockets/items/{dispatched.pk}/edit/", {
        "version": dispatched.version, "title": dispatched.title, "commitment": dispatched.commitment,
        "deadline": dispatched.deadline.isoformat(), "priority": "urgent"})
    assert response.status_code == 302, response.content.decode()[:500]
    after = Item.objects.get(pk=dispatched.pk)
    assert after.priority == "urgent" and after.deadline == dispatched.deadline
    edited = after.events.get(kind=EventKind.EDITED)
    assert "priority" not in edited.text and edited.data == {"fields": ["priority"]}
    assert edited.actor == hz_operator


def test_dispatch_records_the_original_deadline(dispatched):
    assert dispatched.original_deadline == dispatched.deadline is not None


# -- extension and change requests ---------------------------------------------------------------

def test_an_extension_approved_by_the_issuer_moves_the_deadline_but_not_the_original(
        dispatched, xh_leader, hz_supervisor, client):
    new = dispatched.deadline + datetime.timedelta(days=30)
    request = item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION,
                                         reason="雨季无法施工", deadline=new)
    assert Item.objects.get(pk=dispatched.pk).deadline == dispatched.deadline  # asking moves nothing
    item_change_request_decide(actor=hz_supervisor, request=request, approve=True, note="同意")
    item = Item.objects.get(pk=dispatched.pk)
    assert item.deadline == new and item.due_on == new
    assert item.original_deadline == dispatched.deadline
    request.refresh_from_db()
    assert request.status == ChangeStatus.APPROVED and request.decided_by == hz_supervisor
    kinds = list(item.events.values_list("kind", flat=True))
    assert EventKind.CHANGE_REQUESTED in kinds and EventKind.CHANGE_APPROVED in kinds
    assert approved_extensions(Item.objects.filter(pk=item.pk)) == 1


def test_the_lead_unit_cannot_approve_its_own_extension(dispatched, xh_leader, xh_supervisor, xh_organizer):
    new = dispatched.deadline + datetime.timedelta(days=30)
    request = item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION,
                                         reason="人手不足", deadline=new)
    for who in (xh_leader, xh_supervisor, xh_organizer):
        with pytest.raises(PermissionDenied):
            item_change_request_decide(actor=who, request=request, approve=True)
    request.refresh_from_db()
    assert request.status == ChangeStatus.PENDING
    assert Item.objects.get(pk=dispatched.pk).deadline == dispatched.deadline


def test_the_asker_cannot_decide_their_own_request(dispatched, hz_supervisor):
    request = item_change_request_create(actor=hz_supervisor, item=dispatched, kind=ChangeKind.CHANGE,
                                         reason="承诺表述不准确", commitment="按新标准完成")
    with pytest.raises(PermissionDenied):
        item_change_request_decide(actor=hz_supervisor, request=request, approve=True)


def test_a_refusal_needs_a_reason_and_moves_nothing(dispatched, xh_leader, hz_supervisor):
    request = item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.CHANGE,
                                         reason="换个承诺", commitment="尽力而为")
    with pytest.raises(ItemInvalid):
        item_change_request_decide(actor=hz_supervisor, request=request, approve=False)
    item_change_request_decide(actor=hz_supervisor, request=request, approve=False, note="承诺不得降低")
    item = Item.objects.get(pk=dispatched.pk)
    assert item.commitment == dispatched.commitment
    assert item.events.filter(kind=EventKind.CHANGE_REFUSED).exists()


def test_requests_need_a_reason_and_one_at_a_time(dispatched, xh_leader):
    new = dispatched.deadline + datetime.timedelta(days=10)
    with pytest.raises(ItemInvalid):
        item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION, reason=" ",
                                   deadline=new)
    with pytest.raises(ItemInvalid):  # an "extension" that shortens nothing
        item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION, reason="x",
                                   deadline=dispatched.deadline)
    item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION, reason="x",
                               deadline=new)
    from qingdan.dockets.errors import TransitionRefused

    with pytest.raises(TransitionRefused):
        item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION, reason="y",
                                   deadline=new)


def test_a_stranger_cannot_ask(dispatched, bj_handler):
    with pytest.raises(PermissionDenied):
        item_change_request_create(actor=bj_handler, item=dispatched, kind=ChangeKind.EXTENSION, reason="x",
                                   deadline=dispatched.deadline + datetime.timedelta(days=5))


def test_on_time_counts_the_original_deadline_not_the_extension(dispatched, xh_leader, xh_handler, hz_supervisor,
                                                                  png, tree):
    from django.db.models import Sum
    from django.utils import timezone

    from qingdan.supervision.models import Figure
    from qingdan.supervision.running import figures_verify

    # The promise was made for yesterday (as if dispatched long ago); the issuer extends it a month.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Item.objects.filter(pk=dispatched.pk).update(original_deadline=yesterday)
    request = item_change_request_create(actor=xh_leader, item=dispatched, kind=ChangeKind.EXTENSION,
                                         reason="征迁未完成",
                                         deadline=dispatched.deadline + datetime.timedelta(days=30))
    item_change_request_decide(actor=hz_supervisor, request=request, approve=True, note="同意延期")
    item = item_accept(actor=xh_handler, item=Item.objects.get(pk=dispatched.pk))
    item = item_request_closure(actor=xh_handler, item=item, reply="已整改", files=[("a.png", png)])
    item_close(actor=hz_supervisor, item=item)
    kept = Figure.objects.filter(unit=tree["3301"]).values("name").annotate(v=Sum("value"))
    kept = {row["name"]: row["v"] for row in kept}
    assert kept.get("closed") == 1 and not kept.get("closed_on_time")
    assert figures_verify().ok  # the recount (SQL on PostgreSQL) agrees: late against the promise
    assert approved_extensions(Item.objects.filter(pk=item.pk)) == 1
