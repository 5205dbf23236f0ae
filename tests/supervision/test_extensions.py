"""Approved extensions are shown beside the on-time rate on the dashboard, counted where the item is led."""

import datetime

import pytest
from django.test import Client

from qingdan.dockets.choices import ChangeKind
from qingdan.dockets.services import item_change_request_create, item_change_request_decide, item_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def extended(make_item, hz_operator, xh_leader, hz_supervisor):
    item = item_dispatch(actor=hz_operator, item=make_item())
    request = item_change_request_create(actor=xh_leader, item=item, kind=ChangeKind.EXTENSION, reason="雨季",
                                         deadline=item.deadline + datetime.timedelta(days=20))
    item_change_request_decide(actor=hz_supervisor, request=request, approve=True)
    refused = item_dispatch(actor=hz_operator, item=make_item(title="另一件"))
    other = item_change_request_create(actor=xh_leader, item=refused, kind=ChangeKind.EXTENSION, reason="再议",
                                       deadline=refused.deadline + datetime.timedelta(days=20))
    item_change_request_decide(actor=hz_supervisor, request=other, approve=False, note="不同意")
    return item


def test_the_dashboard_counts_approved_extensions_in_the_subtree(extended, hz_supervisor, tree):
    client = Client()
    client.force_login(hz_supervisor)
    page = client.get("/supervision/units/3301/")
    assert page.status_code == 200 and page.context["approved_extensions"] == 1  # the refused one does not count
    assert 'id="approved-extensions"' in page.content.decode()
    assert client.get("/supervision/units/330106/").context["approved_extensions"] == 1
    assert client.get("/supervision/units/330108/").context["approved_extensions"] == 0


def test_an_earlier_period_has_none(extended, hz_supervisor):
    client = Client()
    client.force_login(hz_supervisor)
    last_year = datetime.date.today().year - 1
    assert client.get(f"/supervision/units/3301/?period={last_year}").context["approved_extensions"] == 0
