"""The whole loop in headless Chromium: a citizen submits; an operator lists it; a county handler
accepts, rectifies and asks for closure with a photo; a supervisor closes it; the citizen reads the
reply, rates it unsatisfied, and the item reopens.
"""

from __future__ import annotations

import datetime
import re

import pytest

from qingdan.units.choices import Role
from tests.browser.conftest import jpeg_file, staff_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def photo(tmp_path):
    return jpeg_file(tmp_path / "整改后.jpg", (320, 240), "green")


def test_the_whole_loop(browser, live_server, tree, make_staff, photo):
    from qingdan.dockets.models import Item
    from qingdan.dockets.services import docket_create
    from qingdan.intake.models import Submission

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    make_staff("xh_handler", Role.HANDLER, tree["330106"])
    docket = docket_create(actor=supervisor, name="杭州市群众急难愁盼问题清单", owner_unit=tree["3301"],
                           source="public")

    # A citizen submits from the public form.
    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    citizen.set_default_timeout(30_000)
    citizen.goto(f"{live_server.url}/submit/")
    citizen.get_by_label("投诉").check()
    citizen.get_by_label("标题").fill("小区污水外溢")
    citizen.get_by_label("请描述问题").fill("留下村村口的污水井一下雨就外溢，气味很大。")
    citizen.get_by_label("地点：搜索街道").fill("留下村")
    citizen.get_by_role("radio", name=re.compile("留下村")).check()
    citizen.get_by_label("匿名提交").check()
    citizen.locator("form.submission").get_by_role("button", name="提交").last.click()
    citizen.wait_for_url(re.compile(r"/submit/received/"))
    code = Submission.objects.get().tracking_code

    # The operator lists it on the city's list, for 西湖区, and dispatches it.
    operator = staff_page(browser, live_server, "hz_operator")
    operator.goto(f"{live_server.url}/desk/submissions/{code}/")
    operator.get_by_role("button", name="列入清单 / 查看事项").click()
    operator.get_by_role("link", name="杭州市群众急难愁盼问题清单").click()
    assert operator.get_by_label("问题", exact=True).input_value() == "小区污水外溢"
    operator.get_by_label("牵头单位（代码或名称）").fill("西湖区")
    deadline = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    operator.get_by_label("完成时限", exact=True).fill(deadline)
    operator.get_by_label("公开承诺").fill("一个月内完成污水井改造")
    operator.get_by_role("button", name="列入清单").click()
    operator.wait_for_url(re.compile(r"/dockets/items/\d+/$"))
    operator.get_by_role("button", name="交办").click()
    assert operator.get_by_text("已交办。").is_visible()
    item = Item.objects.get(docket=docket)
    assert item.status == "dispatched" and item.lead_unit.code == "330106"
    assert Submission.objects.get().status == "dispatched"

    # The county handler finds it in the unit's queue, accepts, rectifies and asks for closure.
    handler = staff_page(browser, live_server, "xh_handler")
    handler.goto(f"{live_server.url}/dockets/?view=unit")
    handler.get_by_role("link", name="小区污水外溢").click()
    handler.get_by_role("button", name="签收").click()
    assert handler.get_by_text("已签收。").is_visible()
    assert not handler.get_by_role("button", name="核验销号").count()  # never offered to the handler
    handler.get_by_text("申请销号", exact=True).first.click()  # opens the <details>
    handler.get_by_label("对外答复").fill("已更换污水井并疏通管网，雨天不再外溢。")
    handler.get_by_label("佐证材料（照片或文件）").set_input_files(str(photo))
    handler.get_by_role("button", name="申请销号").click()
    assert handler.get_by_text("已申请销号。").is_visible()
    assert Item.objects.get(pk=item.pk).evidence.count() == 1

    # The city supervisor verifies and closes it.
    checker = staff_page(browser, live_server, "hz_supervisor")
    checker.goto(f"{live_server.url}/dockets/")
    checker.get_by_role("link", name="小区污水外溢").click()
    checker.get_by_label("核验意见").fill("现场核验，整改到位")
    checker.get_by_role("button", name="核验销号").click()
    assert checker.get_by_text("已销号。").is_visible()
    assert Item.objects.get(pk=item.pk).status == "closed"

    # The citizen reads the reply and is not satisfied: the item reopens.
    citizen.goto(f"{live_server.url}/track/{code}/")
    assert citizen.locator("article.reply").get_by_text("已更换污水井并疏通管网，雨天不再外溢。").is_visible()
    citizen.get_by_label("不满意").check()
    citizen.get_by_label("未解决").check()
    citizen.get_by_label("还有什么问题？（选填，将随评价转给承办单位）").fill("下雨天还是外溢")
    citizen.get_by_role("button", name="评价").click()
    reopened = Item.objects.get(pk=item.pk)
    assert reopened.status == "rectifying" and reopened.reopened == 1
    assert Submission.objects.get().status == "dispatched"
    assert "下雨天还是外溢" in reopened.events.get(kind="reopened").text
    checker.reload()
    assert checker.get_by_text("重新打开", exact=True).first.is_visible()  # on the timeline
    assert checker.get_by_text("整改中").first.is_visible()
