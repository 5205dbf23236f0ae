"""A citizen submits from a phone and tracks the case; an operator types in a hotline call with the keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from qingdan.units.choices import Role
from tests.browser.conftest import PHONE, jpeg_file, no_sideways_scroll
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def photo(tmp_path):
    return jpeg_file(tmp_path / "路灯.jpg", (640, 480), "orange")


def test_citizen_submits_with_a_photo_and_tracks_the_case(phone_page, live_server, tree, photo):
    from qingdan.intake.models import Submission

    page = phone_page
    page.goto(f"{live_server.url}/submit/")
    assert page.get_by_role("heading", name="我要反映问题").is_visible()
    assert no_sideways_scroll(page)
    page.get_by_label("投诉").check()
    page.get_by_label("标题").fill("路灯不亮")
    page.get_by_label("请描述问题").fill("小和山社区门口的路灯坏了一个月，晚上很黑。")
    page.get_by_label("地点：搜索街道").fill("小和山")
    page.get_by_role("radio", name=re.compile("小和山社区")).check()  # live suggestion (htmx)
    page.get_by_label("照片或 PDF").set_input_files(str(photo))
    page.get_by_label("匿名提交").check()
    assert not page.get_by_label("手机或电话").is_visible()  # contact fields fold away when anonymous
    page.locator("form.submission").get_by_role("button", name="提交").last.click()

    page.wait_for_url(re.compile(r"/submit/received/"))
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}", code)
    box = page.locator("#tracking-code").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # readable on the phone, not cut off
    assert no_sideways_scroll(page)
    submission = Submission.objects.get()
    assert submission.attachments.count() == 1 and submission.place_unit.name == "小和山社区"

    page.get_by_role("link", name="查询进度").first.click()
    page.wait_for_url(re.compile(r"/track/$"))
    page.get_by_label("查询码").fill(code.lower())
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(rf"/track/{submission.tracking_code}/$"))
    assert page.locator("#status").inner_text() == "已受理"
    assert page.get_by_text("小和山社区", exact=True).is_visible()
    assert no_sideways_scroll(page)


def test_a_mistyped_code_says_so(page, live_server, tree):
    page.goto(f"{live_server.url}/track/")
    page.get_by_label("查询码").fill("7KQM-2XHV-9RT4-8X")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_role("alert").inner_text().startswith("查询码输入有误")


def test_operator_types_a_hotline_call_with_the_keyboard_only(page, live_server, tree, make_staff):
    from qingdan.intake.models import Submission
    from qingdan.intake.services import submission_create

    make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    submission_create(actor=None, channel="web", kind="complaint", subject="上次反映的噪音", text="夜里施工很吵。",
                      unit=tree["330106009"], name="王先生", phone="13812345678")
    page.goto(f"{live_server.url}/accounts/login/")
    # Chromium applies autofocus at its next rendering step, which may come after
    # the load event: wait for it rather than typing into the void.
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type("hz_operator")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/desk/")

    expect(page.locator("#id_phone")).to_be_focused()
    page.keyboard.type("138 1234 5678")
    page.keyboard.press("Tab")  # leaving it looks up the caller's history
    page.locator("#caller").get_by_text("上次反映的噪音").wait_for()
    page.keyboard.type("王先生")
    page.keyboard.press("Tab")  # kind
    page.keyboard.press("Tab")  # channel
    page.keyboard.press("Tab")
    page.keyboard.type("楼上漏水")
    page.keyboard.press("Tab")
    page.keyboard.type("楼上住户漏水三天了，物业不管。")
    page.keyboard.press("Tab")
    page.keyboard.type("留下街道")
    page.locator("#unit-choices").get_by_text("留下街道").first.wait_for()
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/desk/\?channel=hotline&saved="))
    submission = Submission.objects.order_by("-id").first()
    assert submission.subject == "楼上漏水" and submission.channel == "hotline"
    assert submission.unit.name == "留下街道" and submission.submitter_name == "王先生"
    assert page.locator("#saved-code").inner_text().replace("-", "") == submission.tracking_code
    # Ready for the next call: empty form, the cursor in the phone field.
    expect(page.locator("#id_phone")).to_be_focused()
    assert page.locator("#id_subject").input_value() == ""


def test_the_form_works_without_javascript(browser, live_server, tree):
    from qingdan.intake.models import Submission

    context = browser.new_context(locale="zh-CN", viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server.url}/submit/")
        page.get_by_label("请描述问题").fill("西兴街道的垃圾桶满了没人清。")
        page.get_by_label("地点：搜索街道").fill("西兴")
        page.get_by_role("button", name="查找").click()  # the server answers with the choices
        page.get_by_role("radio", name=re.compile("西兴街道")).check()
        assert page.get_by_label("请描述问题").input_value() == "西兴街道的垃圾桶满了没人清。"
        page.get_by_label("手机或电话").fill("13700001234")
        page.locator("form.submission").get_by_role("button", name="提交").last.click()
        page.wait_for_url(re.compile(r"/submit/received/"))
        submission = Submission.objects.get()
        assert submission.place_unit.code == "330108001" and submission.submitter_phone == "13700001234"
        page.get_by_role("button", name="查看办理进度").click()
        assert page.locator("#status").inner_text() == "已受理"
    finally:
        context.close()
