"""A county handler logs in, browses and searches the tree, and cannot open a neighbouring county."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def test_county_handler_browses_searches_and_is_kept_out_of_the_neighbour(page, live_server, xh_handler, bj_handler):
    log_in(page, live_server, "xh_handler")
    assert page.get_by_role("heading", name="我的单位").is_visible()
    assert page.get_by_role("link", name="滨江区").count() == 0

    page.get_by_role("link", name="西湖区").click()
    page.wait_for_url(re.compile(r"/units/330106/$"))
    assert page.get_by_role("heading", name="西湖区").is_visible()
    page.get_by_role("link", name="留下街道").click()
    page.wait_for_url(re.compile(r"/units/330106009/$"))
    assert page.get_by_role("link", name="小和山社区").is_visible()

    # Live search (htmx) from the home page; then the same search without JavaScript's help.
    page.goto(f"{live_server.url}/")
    page.get_by_role("searchbox").fill("留下")
    page.locator("#results").get_by_role("link", name="留下街道").click()
    page.wait_for_url(re.compile(r"/units/330106009/$"))

    page.goto(f"{live_server.url}/units/search/?q=街道")
    results = page.locator("#results")
    assert results.get_by_role("link", name="留下街道").is_visible()
    assert results.get_by_role("link", name="西兴街道").count() == 0

    response = page.goto(f"{live_server.url}/units/330108/")
    assert response.status == 404
    assert "滨江区" not in page.content()


def test_english_interface_on_request(page, live_server, xh_handler):
    log_in(page, live_server, "xh_handler")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="My units").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()
