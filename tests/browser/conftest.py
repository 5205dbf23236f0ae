"""Headless Chromium (Debian's package) driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures are
# still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Chromium is not installed: `apt-get install chromium` (the CI script does this).")
    return path


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone_page(browser):
    """A phone-sized, touch, zh-CN page."""
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def no_sideways_scroll(page) -> bool:
    """Tell whether the page fits the viewport's width (nothing pushes it sideways on a phone)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, live_server, username: str) -> None:
    """Log in through the real form (every demo and test account shares tests.conftest.PASSWORD)."""
    from tests.conftest import PASSWORD

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def staff_page(browser, live_server, username: str, *, timeout: int = 30_000):
    """A desktop page of its own, logged in as ``username`` (several people act in one test)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(timeout)
    log_in(page, live_server, username)
    return page


def jpeg_file(path, size: tuple[int, int], color: str):
    """Write a real JPEG photo to ``path`` (uploads are checked by content) and return the path."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def loaded_width(image) -> int:
    """The natural width of an <img> once it has arrived (0 if it failed): a picture is its own request.

    Reading ``naturalWidth`` the instant the page is there races that request; this waits for the
    image's load or error event instead.
    """
    return image.evaluate("""img => img.complete ? img.naturalWidth : new Promise(done => {
        img.addEventListener("load", () => done(img.naturalWidth));
        img.addEventListener("error", () => done(0)); })""")
