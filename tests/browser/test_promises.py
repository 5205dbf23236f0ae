"""The edit form of a dispatched item shows its deadline, and saving a priority keeps it."""

from __future__ import annotations

import datetime
import re

import pytest

from qingdan.units.choices import Role
from tests.browser.conftest import staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editing_priority_keeps_the_deadline(browser, live_server, tree, make_staff):
    from qingdan.dockets.models import Item
    from qingdan.dockets.services import docket_create, item_create, item_dispatch

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    docket = docket_create(actor=supervisor, name="杭州市问题清单", owner_unit=tree["3301"])
    deadline = datetime.date.today() + datetime.timedelta(days=40)
    item = item_create(actor=operator, docket=docket, title="路灯不亮", lead_unit=tree["330106"],
                       commitment="两周内修复", deadline=deadline)
    item = item_dispatch(actor=operator, item=item)

    page = staff_page(browser, live_server, "hz_operator")
    page.goto(f"{live_server.url}/dockets/items/{item.pk}/")
    page.locator("#edit summary").click()
    form = page.locator("#edit form")
    assert form.get_by_label("完成时限").input_value() == deadline.isoformat()
    form.get_by_label("优先级").select_option("urgent")
    form.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(rf"/dockets/items/{item.pk}/$"))
    item = Item.objects.get(pk=item.pk)
    assert item.priority == "urgent" and item.deadline == deadline
    assert page.get_by_text("优先级").first.is_visible()
