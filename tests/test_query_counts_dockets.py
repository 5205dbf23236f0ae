"""Query counts of the dockets surfaces: the item queue, lists, a list's items, change requests, public pages.

Pages: dockets:queue, dockets:docket_list, dockets:docket, dockets:changes, public:index, public:docket.
API: GET /dockets/, /dockets/items, /dockets/change-requests, /public/dockets, /public/dockets/{id}/items.
Rows spread over the lead units of both counties, two handlers, several lists and campaigns.
"""

from __future__ import annotations

import datetime

import pytest

from qingdan.dockets.services import (
    campaign_create,
    docket_create,
    docket_publish,
    item_accept,
    item_change_request_create,
    item_create,
    item_dispatch,
)
from qingdan.people.services import token_create
from tests.query_counts import assert_flat, covers, label

pytestmark = pytest.mark.django_db

# Lead units inside 杭州市 and who accepts for them, so rows touch different units and handlers.
LEADS = ["330106", "330106009", "330108", "330106009001", "330108001", "330106-GA", "330108-GA", "330106009002"]


@pytest.fixture
def world(tree, docket, hz_supervisor, hz_operator, xh_handler, bj_handler):
    handlers = {"330106": xh_handler, "330108": bj_handler}

    def item(index: int, on=docket, *, accept: bool = True):
        lead = tree[LEADS[index % len(LEADS)]] if on == docket else on.owner_unit
        co_units = [tree["330108-GA"] if index % 2 else tree["330106-GA"]] if on == docket else []
        made = item_create(actor=hz_operator, docket=on, title=f"{label(index)}问题", lead_unit=lead,
                           co_units=co_units, commitment="年底前完成",
                           deadline=datetime.date.today() + datetime.timedelta(days=30 + index),
                           category=f"类别{index % 3}", published=True)
        made = item_dispatch(actor=hz_operator, item=made)
        if accept:
            made = item_accept(actor=handlers[lead.code[:6]], item=made)
        return made

    return {"docket": docket, "item": item, "handlers": handlers, "tree": tree, "supervisor": hz_supervisor}


def _bearer(user) -> dict:
    _, key = token_create(actor=user, user=user, name="query-count")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _items(world):
    return lambda start, stop: [world["item"](i) for i in range(start, stop)]


def _dockets(world, *, publish: bool = False):
    tree, supervisor = world["tree"], world["supervisor"]
    owners = ["3301", "330106", "330108"]

    def grow(start, stop):
        for index in range(start, stop):
            campaign = campaign_create(actor=supervisor, name=f"活动{index}", unit=tree["3301"],
                                       starts_on=datetime.date.today()) if index % 2 else None
            made = docket_create(actor=supervisor, name=f"{label(index)}清单", owner_unit=tree[owners[index % 3]],
                                 campaign=campaign)
            world["item"](index, made, accept=False)
            if publish:
                docket_publish(actor=supervisor, docket=made, published=True)
    return grow


def _changes(world):
    def grow(start, stop):
        for index in range(start, stop):
            item = world["item"](index)
            requester = world["handlers"][item.lead_unit.code[:6]]
            item_change_request_create(actor=requester, item=item, kind="extension", reason=f"{label(index)}理由",
                                       deadline=item.due_on + datetime.timedelta(days=20))
    return grow


@covers("dockets:queue")
def test_item_queue(client, world):
    client.force_login(world["supervisor"])
    assert_flat(client, "/dockets/", _items(world), data={"view": "all"}, bound=9)


@covers("dockets:docket_list")
def test_docket_list(client, world):
    client.force_login(world["supervisor"])
    assert_flat(client, "/dockets/lists/", _dockets(world), bound=6)


@covers("dockets:docket")
def test_docket_page(client, world):
    client.force_login(world["supervisor"])
    assert_flat(client, f"/dockets/lists/{world['docket'].pk}/", _items(world), bound=11)


@covers("dockets:changes")
def test_change_queue(client, world):
    client.force_login(world["supervisor"])
    assert_flat(client, "/dockets/changes/", _changes(world), bound=7)


@covers("public:index")
def test_public_index(client, world):
    assert_flat(client, "/public/", _dockets(world, publish=True), bound=3)


@covers("public:docket")
def test_public_docket(client, world):
    docket_publish(actor=world["supervisor"], docket=world["docket"], published=True)
    assert_flat(client, f"/public/lists/{world['docket'].pk}/", _items(world), bound=5)


@covers("api GET /api/v1/dockets/")
def test_api_docket_list(client, world):
    assert_flat(client, "/api/v1/dockets/", _dockets(world), headers=_bearer(world["supervisor"]), bound=4)


@covers("api GET /api/v1/dockets/items")
def test_api_item_list(client, world):
    assert_flat(client, "/api/v1/dockets/items", _items(world), headers=_bearer(world["supervisor"]), bound=4)


@covers("api GET /api/v1/dockets/change-requests")
def test_api_change_requests(client, world):
    assert_flat(client, "/api/v1/dockets/change-requests", _changes(world), headers=_bearer(world["supervisor"]),
                bound=4)


@covers("api GET /api/v1/public/dockets")
def test_api_public_dockets(client, world):
    assert_flat(client, "/api/v1/public/dockets", _dockets(world, publish=True), bound=3)


@covers("api GET /api/v1/public/dockets/{docket_id}/items")
def test_api_public_items(client, world):
    docket_publish(actor=world["supervisor"], docket=world["docket"], published=True)
    assert_flat(client, f"/api/v1/public/dockets/{world['docket'].pk}/items", _items(world), bound=3)
