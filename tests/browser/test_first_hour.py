"""What a new user meets in the first hour (issue 17): kept photos, phones, error pages."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import jpeg_file, no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_photo_survives_a_form_sent_back_with_an_error(phone_page, live_server, tree, tmp_path):
    from qingdan.intake.models import Submission

    page = phone_page
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
    assert page.locator("ul.kept-files img").evaluate("img => img.complete && img.naturalWidth > 0")
    assert page.get_by_label("标题").input_value() == "井盖松动"
    assert no_sideways_scroll(page)

    page.get_by_label("请描述问题").fill("人行道上的井盖松动，踩上去会翻。")
    page.locator("form.submission").get_by_role("button", name="提交").last.click()
    page.wait_for_url(re.compile(r"/submit/received/"))
    submission = Submission.objects.get()
    assert list(submission.attachments.values_list("original_name", flat=True)) == ["井盖.jpg"]
