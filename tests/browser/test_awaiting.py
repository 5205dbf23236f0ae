"""A new handler on a phone finds what waits for them in 「我的待办」 before signing for it; a return
lands in the list office's 「我的待办」; the photo evidence shows as a thumbnail, not a file name.
"""

from __future__ import annotations

import datetime
import re

import pytest

from qingdan.units.choices import Role
from tests.browser.conftest import loaded_width, log_in, no_sideways_scroll, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_handler_sees_the_dispatched_item_and_the_office_sees_the_return(browser, live_server, tree,
                                                                               make_staff, png):
    from qingdan.dockets.services import (
        docket_create,
        item_create,
        item_dispatch,
        item_request_closure,
    )

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    make_staff("lx_handler", Role.HANDLER, tree["330106009"])
    docket = docket_create(actor=supervisor, name="杭州市民生问题清单", owner_unit=tree["3301"], source="public")
    due = datetime.date.today() + datetime.timedelta(days=30)
    waiting = item_dispatch(actor=operator, item=item_create(
        actor=operator, docket=docket, title="留下街道路灯不亮", lead_unit=tree["330106009"], deadline=due))
    other = item_dispatch(actor=operator, item=item_create(
        actor=operator, docket=docket, title="不属于街道的事项", lead_unit=tree["330106009"], deadline=due))

    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True).new_page()
    phone.set_default_timeout(30_000)
    log_in(phone, live_server, "lx_handler")
    phone.goto(f"{live_server.url}/dockets/")
    assert phone.get_by_role("link", name="我的待办").get_attribute("aria-current") == "page"
    phone.get_by_role("link", name="留下街道路灯不亮").click()
    assert not re.search(r"版本", phone.locator("dl.facts").inner_text())
    phone.get_by_role("button", name="签收").click()
    phone.wait_for_url(re.compile(rf"/dockets/items/{waiting.pk}/$"))
    assert phone.get_by_role("button", name="签收").count() == 0  # signed for: the step is gone
    assert no_sideways_scroll(phone)

    # The other one is returned; it leaves the street's queue and waits on the city's office.
    from qingdan.dockets.services import item_return

    item_return(actor="system", item=other, reason="不属于本街道职责")
    phone.goto(f"{live_server.url}/dockets/")
    assert phone.get_by_text("不属于街道的事项").count() == 0
    office = staff_page(browser, live_server, "hz_operator")
    office.goto(f"{live_server.url}/dockets/")
    assert office.get_by_role("link", name="不属于街道的事项").is_visible()

    # Evidence of the signed-for item: a real thumbnail of the scoped download.
    from qingdan.dockets.models import Item

    item = Item.objects.get(pk=waiting.pk)
    assert item.status == "accepted"
    item_request_closure(actor="system", item=item, reply="已修复", files=[("现场.png", png)])
    office.goto(f"{live_server.url}/dockets/items/{waiting.pk}/")
    width = loaded_width(office.locator("img.evidence-thumb"))
    assert width and width > 0
