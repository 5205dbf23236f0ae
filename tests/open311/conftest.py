"""Open311 fixtures: api_keys issued through the real service, and a helper to post like a client."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest

BASE = "/open311/v2"


@pytest.fixture
def make_key(tree):
    """Issue an api_key for a unit of the small tree; return (record, key)."""
    from qingdan.open311.services import key_create

    def make(name: str = "citizen-app", unit: str = "330106"):
        return key_create(actor="test", name=name, unit=tree[unit])

    return make


@pytest.fixture
def xh_key(make_key):
    """A key for 西湖区 and everything below it."""
    return make_key("xihu-app", "330106")[1]


@pytest.fixture
def post_request(client, xh_key):
    """POST requests.{fmt} form-encoded, as the specification's example does."""

    def post(fmt: str = "json", key: str | None = None, **fields):
        data = {"api_key": xh_key if key is None else key, "service_code": "urban-rural-construction",
                "lat": "30.274100", "long": "120.155100", "description": "路灯坏了三天，晚上很黑。"}
        data.update(fields)
        data = {k: v for k, v in data.items() if v is not None}
        return client.post(f"{BASE}/requests.{fmt}", urlencode(data, doseq=True),
                           content_type="application/x-www-form-urlencoded; charset=utf-8")

    return post


def xml_of(response) -> ET.Element:
    """Parse an XML response after checking the declaration and content type the spec asks for."""
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 - our own server's answer in a test


def children(element: ET.Element) -> list[str]:
    """Return the names of an element's children, in order."""
    return [child.tag for child in element]


@pytest.fixture
def publish(make_item, hz_operator):
    """Make submissions public the way the platform does: answered by a published item of a published docket.

    Returns the item; ``reply`` is its reply to the public, ``title`` its title.
    """
    from qingdan.dockets.models import Docket, Item
    from qingdan.dockets.services import item_link_submissions

    def publish_(*submissions, title: str = "留下街道污水管网改造", reply: str = ""):
        item = make_item(title=title)
        item_link_submissions(actor=hz_operator, item=item, submissions=list(submissions))
        Item.objects.filter(pk=item.pk).update(published=True, reply=reply)
        Docket.objects.filter(pk=item.docket_id).update(published=True)
        return item

    return publish_


@pytest.fixture
def file_as(db):
    """Record that the key named ``name`` filed a submission (what a POST through that key records)."""
    from qingdan.open311.models import Open311Filing, Open311Key

    def file_(submission, name: str = "xihu-app"):
        key = Open311Key.objects.get(name=name, revoked_at__isnull=True)
        return Open311Filing.objects.create(key=key, submission=submission)

    return file_
