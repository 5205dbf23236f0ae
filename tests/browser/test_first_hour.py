"""What a new user meets in the first hour (issue 17): kept photos, phones, error pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import jpeg_file, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_photo_survives_a_form_sent_back_with_an_error(phone_page, live_server, tree, tmp_path):
    from qingdan.intake.models import Submission

    page = phone_page
    page.set_default_timeout(30_000)  # the submission's triage runs in the request (immediate tasks)
    photo = jpeg_file(tmp_path / "井盖.jpg", (640, 480), "green")
    page.goto(f"{live_server.url}/submit/")
    page.get_by_label("标题").fill("井盖松动")
    page.get_by_label("照片或 PDF").set_input_files(str(photo))
    page.get_by_label("匿名提交").check()
    page.locator("form.submission").get_by_role("button", name="提交").last.click()  # the description is missing

    alert = page.get_by_role("alert")
    assert "请修改" in alert.inner_text()
    kept = page.locator("ul.kept-files li")
    assert kept.count() == 1 and "井盖.jpg" in kept.inner_text()
    # The thumbnail is its own request: wait for it to arrive (a broken or refused one never does).
    page.wait_for_function("() => { const img = document.querySelector('ul.kept-files img');"
                           " return img && img.complete && img.naturalWidth > 0; }")
    assert page.get_by_label("标题").input_value() == "井盖松动"
    assert no_sideways_scroll(page)

    page.get_by_label("请描述问题").fill("人行道上的井盖松动，踩上去会翻。")
    page.locator("form.submission").get_by_role("button", name="提交").last.click()
    page.wait_for_url(re.compile(r"/submit/received/"))
    submission = Submission.objects.get()
    assert list(submission.attachments.values_list("original_name", flat=True)) == ["井盖.jpg"]


HEADER_ROWS = """() => {
  const tops = new Set();
  for (const li of document.querySelectorAll('.site-header nav li')) {
    const box = li.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) tops.add(Math.round(box.top / 8));
  }
  return tops.size;
}"""


def _fits(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= 390")


def test_list_pages_fit_a_phone_as_cards_and_the_header_folds(browser, live_server, tree, make_staff):
    """A citizen and a supervisor open the lists on a 390 px phone: no sideways scroll, cards, a short header."""
    import datetime

    from qingdan.dockets.services import docket_create, docket_publish, item_create, item_dispatch
    from qingdan.units.choices import Role
    from tests.browser.conftest import log_in

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    operator = make_staff("hz_operator", Role.OPERATOR, tree["3301"])
    docket = docket_create(actor=supervisor, name="杭州市群众急难愁盼问题清单", owner_unit=tree["3301"],
                           source="public")
    docket_publish(actor=supervisor, docket=docket, published=True)
    for n in range(3):
        item = item_create(actor=operator, docket=docket, title=f"留下街道小和山社区门口污水管网改造第{n}段",
                           lead_unit=tree["330106009"], commitment="三十个工作日内办结并答复群众",
                           deadline=datetime.date.today() + datetime.timedelta(days=60), published=True)
        item_dispatch(actor=operator, item=item)

    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/public/lists/{docket.pk}/")
    assert _fits(page)
    row = page.locator("table.cards tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"  # a card, not a table row
    assert page.evaluate(HEADER_ROWS) <= 2

    log_in(page, live_server, "hz_supervisor")
    for url in ("/", "/dockets/?view=all", "/dockets/lists/", f"/dockets/lists/{docket.pk}/", "/desk/submissions/"):
        page.goto(f"{live_server.url}{url}")
        assert _fits(page), url
        assert page.evaluate(HEADER_ROWS) <= 2, url
    # The queue on a phone: the rarer filters fold away, so the first item shows on the first screen.
    page.goto(f"{live_server.url}/dockets/?view=all")
    assert page.locator("#more-filters").evaluate("d => d.open") is False
    assert page.locator("table.items tbody tr").first.bounding_box()["y"] < 844
    page.goto(f"{live_server.url}/dockets/?view=all&grade=green")  # a folded filter in use stays in sight
    assert page.locator("#more-filters").evaluate("d => d.open") is True
    page.goto(f"{live_server.url}/")  # the full staff navigation
    menu = page.get_by_role("button", name="菜单")
    assert not page.locator(".site-header").get_by_role("link", name="问卷").is_visible()
    menu.click()  # the folded navigation opens under the button
    assert menu.get_attribute("aria-expanded") == "true"
    page.locator(".site-header").get_by_role("link", name="问卷").click()
    page.wait_for_url(f"{live_server.url}/surveys/")
    assert _fits(page)
    context.close()


def test_the_desktop_header_shows_the_whole_navigation(page, live_server, tree, make_staff):
    from qingdan.units.choices import Role
    from tests.browser.conftest import log_in

    make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    log_in(page, live_server, "hz_supervisor")
    header = page.locator(".site-header")
    assert header.get_by_role("link", name="数据看板").is_visible()
    assert not header.get_by_role("button", name="菜单").is_visible()
    assert page.evaluate(HEADER_ROWS) == 1


def test_unit_pickers_suggest_by_name_and_dashed_code(page, live_server, tree, make_staff):
    """Listing an item: type part of a name or a dashed code, pick the unit from the suggestions."""
    from qingdan.dockets.models import Item
    from qingdan.dockets.services import docket_create
    from qingdan.units.choices import Role
    from tests.browser.conftest import log_in

    supervisor = make_staff("hz_supervisor", Role.SUPERVISOR, tree["3301"])
    docket = docket_create(actor=supervisor, name="杭州市问题清单", owner_unit=tree["3301"])
    log_in(page, live_server, "hz_supervisor")
    page.goto(f"{live_server.url}/dockets/lists/{docket.pk}/")
    page.locator("details#add > summary").click()
    lead = page.get_by_label("牵头单位（代码或名称）")
    lead.press_sequentially("330106-g")
    page.wait_for_selector('datalist option[value="330106-GA"]', state="attached")
    assert "西湖区 / 西湖区公安局" in page.locator('datalist option[value="330106-GA"]').get_attribute("label")
    co = page.get_by_label("配合单位（代码或名称，用“、”或“,”分隔）")
    co.fill("330106009、")
    co.press_sequentially("小和山")  # suggestions for the last unit keep the ones typed before
    page.wait_for_selector('datalist option[value="330106009、330106009002"]', state="attached")
    assert page.locator('datalist option[value*="330108"]').count() == 0  # 滨江区 is outside the scope
    co.fill("330106009、330106009002")  # as the suggestion would fill it
    lead.fill("330106-GA")
    page.get_by_label("问题", exact=True).fill("派出所门口违停")
    page.locator("form").filter(has=lead).get_by_role("button").last.click()
    page.wait_for_url(f"{live_server.url}/dockets/items/**")
    item = Item.objects.get(docket=docket)
    assert item.lead_unit.code == "330106-GA"
    assert sorted(item.co_units.values_list("code", flat=True)) == ["330106009", "330106009002"]


def test_the_liaison_form_picks_a_leader_and_a_unit_by_name(page, live_server, tree, make_staff):
    """包联: type part of a leader's name and of a unit's, take the suggestions, save the assignment."""
    from qingdan.ledgers.models import Liaison
    from qingdan.people.models import User
    from qingdan.units.choices import Role
    from tests.browser.conftest import log_in

    make_staff("xh_organizer", Role.ORGANIZER, tree["330106"])
    User.objects.create(username="wang_leader", display_name="王建国", home_unit=tree["330106"])
    User.objects.create(username="wang_bj", display_name="王建华", home_unit=tree["330108"])  # a neighbour's
    log_in(page, live_server, "xh_organizer")
    page.goto(f"{live_server.url}/ledgers/liaisons/")
    leader = page.get_by_label("包联领导（用户名）")
    leader.press_sequentially("王建")
    page.wait_for_selector('datalist option[value="wang_leader"]', state="attached")
    assert page.locator('datalist option[value="wang_bj"]').count() == 0
    assert "王建国" in page.locator('datalist option[value="wang_leader"]').get_attribute("label")
    leader.fill("wang_leader")  # as choosing the suggestion fills it
    unit = page.get_by_label("单位代码")
    unit.press_sequentially("留下")
    page.wait_for_selector('datalist option[value="330106009"]', state="attached")
    unit.fill("330106009")
    page.locator("input[name=starts_on]").fill("2026-12-01")
    page.locator("form").filter(has=leader).get_by_role("button").last.click()
    page.wait_for_url(f"{live_server.url}/ledgers/liaisons/")
    liaison = Liaison.objects.get()
    assert (liaison.leader.username, liaison.unit.code) == ("wang_leader", "330106009")
