"""The docket's verifier unit (谁交办谁验收) is named by the owner's organizer, and only inside the owner.

杭州's list, items led by 西湖区. The organizer of 杭州 may hand sign-off to a unit inside 杭州;
a supervisor may not choose who verifies, nor may anyone outside the owner unit. A verifier named
inside the lead unit's own subtree does not let the lead unit's side sign off its own work.
"""

import json

import pytest

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import ItemStatus
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Docket, Item
from qingdan.dockets.permissions import may_verify
from qingdan.dockets.selectors import item_queryset_for_user
from qingdan.dockets.services import (
    docket_create,
    docket_update,
    item_accept,
    item_close,
    item_dispatch,
    item_request_closure,
)
from qingdan.people.services import token_create
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dockets"


def _send(client, method, url, user, body=None):
    _, key = token_create(actor=user, user=user, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, data=json.dumps(body or {}), content_type="application/json", **headers)


@pytest.fixture
def hz_organizer(tree, make_staff):
    return make_staff("hz_organizer", Role.ORGANIZER, tree["3301"])


@pytest.fixture
def bj_supervisor(tree, make_staff):
    return make_staff("bj_supervisor", Role.SUPERVISOR, tree["330108"])


@pytest.fixture
def ga_supervisor(tree, make_staff):
    """A supervisor inside 西湖区 (its 公安局): the lead unit's own side."""
    return make_staff("ga_supervisor", Role.SUPERVISOR, tree["330106-GA"])


@pytest.fixture
def awaiting(make_item, hz_operator, xh_handler, png):
    item = item_dispatch(actor=hz_operator, item=make_item())
    item = item_accept(actor=xh_handler, item=item)
    return item_request_closure(actor=xh_handler, item=item, reply="已整改", files=[("a.png", png)])


# -- who names the verifier ------------------------------------------------------------------------

def test_the_owners_organizer_names_a_verifier_over_the_api(client, docket, hz_organizer):
    response = _send(client, "patch", f"{BASE}/{docket.pk}", hz_organizer, {"verifier_unit": "330108"})
    assert response.status_code == 200, response.content
    assert response.json()["verifier_unit"] == "330108"
    assert Docket.objects.get(pk=docket.pk).verifier_unit.code == "330108"
    entry = AuditEntry.objects.get(action="dockets.docket_updated")
    assert entry.before == {"verifier_unit": None} and entry.after == {"verifier_unit": "330108"}
    cleared = _send(client, "patch", f"{BASE}/{docket.pk}", hz_organizer, {"verifier_unit": None})
    assert cleared.status_code == 200 and cleared.json()["verifier_unit"] is None
    assert Docket.objects.get(pk=docket.pk).verifier_unit is None


@pytest.mark.parametrize("who", ["hz_supervisor", "xh_organizer"])
def test_a_supervisor_or_a_lower_organizer_cannot_choose_who_verifies(client, docket, make_item, request, who):
    make_item()  # an item led by 西湖区, so 西湖区's organizer sees the list
    user = request.getfixturevalue(who)
    response = _send(client, "patch", f"{BASE}/{docket.pk}", user, {"verifier_unit": "330106"})
    assert response.status_code == 403, response.content
    assert Docket.objects.get(pk=docket.pk).verifier_unit is None


def test_a_stranger_gets_404(client, docket, bj_handler):
    assert _send(client, "patch", f"{BASE}/{docket.pk}", bj_handler, {"verifier_unit": "330108"}).status_code == 404
    assert _send(client, "get", f"{BASE}/{docket.pk}", bj_handler).status_code == 404


def test_the_verifier_must_lie_inside_the_owner_unit(docket, tree, zj_organizer, hz_organizer):
    with pytest.raises(ItemInvalid) as refused:  # the province above 杭州, by an organizer who manages it
        docket_update(actor=zj_organizer, docket=docket, changes={"verifier_unit": tree["33"]})
    assert "verifier_unit" in refused.value.fields
    assert Docket.objects.get(pk=docket.pk).verifier_unit is None


def test_a_unit_outside_the_callers_scope_is_not_found(client, docket, hz_organizer):
    response = _send(client, "patch", f"{BASE}/{docket.pk}", hz_organizer, {"verifier_unit": "33"})
    assert response.status_code == 400 and "verifier_unit" in response.json()["fields"]


def test_a_retired_unit_cannot_verify(docket, tree, hz_organizer):
    from qingdan.units.models import Unit

    Unit.objects.filter(pk=tree["330108"].pk).update(is_active=False)
    with pytest.raises(ItemInvalid):
        docket_update(actor=hz_organizer, docket=docket, changes={"verifier_unit": Unit.objects.get(code="330108")})


def test_a_supervisor_making_a_list_cannot_name_its_verifier(tree, hz_supervisor):
    with pytest.raises(PermissionDenied):
        docket_create(actor=hz_supervisor, name="清单", owner_unit=tree["3301"], verifier_unit=tree["330108"])


def test_the_new_list_form_takes_a_verifier(client, tree, hz_organizer):
    client.force_login(hz_organizer)
    response = client.post("/dockets/lists/new/", {
        "name": "杭州市巡察整改清单", "kind": "problem", "source": "inspection", "owner_unit": "3301",
        "due_soon_days": 3, "fallback_after_returns": 2, "fallback_after_hours": 72, "verifier_unit": "330108"})
    assert response.status_code == 302, response.content.decode()[:800]
    assert Docket.objects.get(name="杭州市巡察整改清单").verifier_unit.code == "330108"


def test_the_list_page_settings_form(client, docket, hz_organizer, hz_supervisor):
    import re

    client.force_login(hz_supervisor)
    page = client.get(f"/dockets/lists/{docket.pk}/").content.decode()
    assert re.search(r'<input[^>]*name="verifier_unit"[^>]*disabled', page)  # a supervisor does not choose
    client.post(f"/dockets/lists/{docket.pk}/settings/", {"verifier_unit": "330108"})  # nor by a forged post
    assert Docket.objects.get(pk=docket.pk).verifier_unit is None
    client.force_login(hz_organizer)
    assert 'id="settings"' in client.get(f"/dockets/lists/{docket.pk}/").content.decode()
    response = client.post(f"/dockets/lists/{docket.pk}/settings/", {"verifier_unit": "滨江区"})
    assert response.status_code == 302
    assert Docket.objects.get(pk=docket.pk).verifier_unit.code == "330108"
    assert "滨江区" in client.get(f"/dockets/lists/{docket.pk}/").content.decode()


# -- what the named verifier may do ----------------------------------------------------------------

def test_a_verifier_beside_the_lead_unit_sees_and_closes_the_item(awaiting, hz_organizer, bj_supervisor,
                                                                  hz_supervisor, tree):
    assert not item_queryset_for_user(bj_supervisor).filter(pk=awaiting.pk).exists()
    docket_update(actor=hz_organizer, docket=awaiting.docket, changes={"verifier_unit": tree["330108"]})
    item = Item.objects.get(pk=awaiting.pk)
    assert item_queryset_for_user(bj_supervisor).filter(pk=item.pk).exists()  # the issuer sees what it signs off
    assert may_verify(hz_supervisor, item)  # the owner's supervisors hold 滨江区 in their scope too
    assert item_close(actor=bj_supervisor, item=item).status == ItemStatus.CLOSED


def test_a_closure_request_reaches_the_named_verifier_not_the_lead_supervisor(make_item, docket, tree, hz_organizer,
                                                                            hz_operator, xh_handler, xh_supervisor,
                                                                            bj_supervisor, png):
    from qingdan.notifications.models import Notification

    docket_update(actor=hz_organizer, docket=docket, changes={"verifier_unit": tree["330108"]})
    item = item_dispatch(actor=hz_operator, item=make_item())
    item = item_accept(actor=xh_handler, item=item)
    item_request_closure(actor=xh_handler, item=item, reply="已整改", files=[("a.png", png)])
    told = set(Notification.objects.filter(kind="item.closure_requested").values_list("recipient__username",
                                                                                       flat=True))
    assert "bj_supervisor" in told and "xh_supervisor" not in told


def test_a_verifier_inside_the_lead_unit_does_not_let_the_lead_side_sign_off(awaiting, tree, hz_organizer,
                                                                             ga_supervisor, xh_supervisor,
                                                                             hz_supervisor):
    docket_update(actor=hz_organizer, docket=awaiting.docket, changes={"verifier_unit": tree["330106-GA"]})
    item = Item.objects.get(pk=awaiting.pk)
    for lead_side in (ga_supervisor, xh_supervisor):
        assert not may_verify(lead_side, item)
        with pytest.raises(PermissionDenied):
            item_close(actor=lead_side, item=item)
    assert may_verify(hz_supervisor, item)  # a role above the lead unit still counts
    assert item_close(actor=hz_supervisor, item=item).status == ItemStatus.CLOSED
