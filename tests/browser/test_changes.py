"""An extension request walked through in the browser: the handler asks, the issuer approves,
the item shows the new deadline beside the original one (on the staff page and the public one).
"""

from __future__ import annotations

import datetime
import re

import pytest

from qingdan.units.choices import Role
from tests.browser.conftest import staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_handler_asks_for_an_extension_and_the_issuer_approves(browser, live_server, tree, make_staff):
    from qingdan.dockets.models import Item, ItemChangeRequest
    from qingdan.dockets.services import docket_create, docket_publish, item_create, item_dispatch

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    make_staff("xh_handler", Role.HANDLER, tree["330106"])
    docket = docket_create(actor=supervisor, name="杭州市问题清单", owner_unit=tree["3301"])
    docket_publish(actor=supervisor, docket=docket, published=True)
    original = datetime.date.today() + datetime.timedelta(days=40)
    new = original + datetime.timedelta(days=30)
    item = item_create(actor=operator, docket=docket, title="留下街道污水管网改造", lead_unit=tree["330106"],
                       commitment="年底前完成管网改造", deadline=original, published=True)
    item = item_dispatch(actor=operator, item=item)

    handler = staff_page(browser, live_server, "xh_handler")
    handler.goto(f"{live_server.url}/dockets/items/{item.pk}/")
    handler.locator("#change-request summary").click()
    form = handler.locator("#change-request form")
    form.get_by_label("申请类型").select_option("extension")
    form.get_by_label("新的完成时限").fill(new.isoformat())
    form.get_by_label("理由").fill("雨季无法开挖施工")
    form.get_by_role("button", name="提交申请").click()
    handler.wait_for_url(re.compile(rf"/dockets/items/{item.pk}/$"))
    assert handler.get_by_text("等待交办单位审批。").is_visible()
    assert ItemChangeRequest.objects.get(item=item).status == "pending"
    assert Item.objects.get(pk=item.pk).deadline == original  # asking moves nothing

    issuer = staff_page(browser, live_server, "hz_supervisor")
    issuer.goto(f"{live_server.url}/dockets/")
    issuer.locator("#to-decide").click()
    issuer.wait_for_url(re.compile(r"/dockets/changes/$"))
    row = issuer.locator("#change-queue tbody tr")
    assert "雨季无法开挖施工" in row.inner_text()
    row.get_by_role("link", name="审批").click()
    issuer.wait_for_url(re.compile(rf"/dockets/items/{item.pk}/"))
    issuer.get_by_label("审批意见（驳回时必填）").fill("同意延期一个月")
    issuer.get_by_role("button", name="批准申请").click()
    issuer.wait_for_url(re.compile(rf"/dockets/items/{item.pk}/$"))
    facts = issuer.locator("dl.facts").first.inner_text()
    assert new.isoformat() in facts
    assert original.isoformat() in issuer.locator("#original-deadline").inner_text()

    item = Item.objects.get(pk=item.pk)
    assert item.deadline == new and item.original_deadline == original

    public = browser.new_context(locale="zh-CN").new_page()  # a citizen, not logged in
    public.goto(f"{live_server.url}/public/items/{item.pk}/")
    assert original.isoformat() in public.locator("#original-deadline").inner_text()
    changes = public.locator("#changes").inner_text()
    assert "雨季无法开挖施工" in changes and f"{original.isoformat()} → {new.isoformat()}" in changes
    assert "hz_supervisor" not in public.content() and "xh_handler" not in public.content()
