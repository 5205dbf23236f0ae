"""Each demo account's navigation leads only to pages that open, and no zh-hans page speaks English (issue 17).

The demo is what a new user meets first, so it is walked as each account would: log in with the
demo password through the real form, open every link of the header, then the pages those link
to (one step further, a bounded number). A page's text (tags, scripts and code stripped;
titles, placeholders and labels kept) may hold Latin words only from a short allowlist of names
and codes; any other run of ASCII words is an untranslated string.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from qingdan.demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_load

pytestmark = pytest.mark.django_db

# Proper names, file formats, keys and standards that stay Latin in Chinese text.
ALLOWED = frozenset({
    "English", "XLSX", "CSV", "PDF", "JPEG", "PNG", "WebP", "GIF", "MB", "KB", "API", "OpenAPI", "JSON", "XML",
    "Open311", "GeoReport", "QR", "Ctrl", "Cmd", "Enter", "Tab", "Esc", "Shift", "Excel", "WPS", "UTF", "GBK",
    "ID", "SVM", "Cookie", "PM", "AM", "HTML",
})
WORDS = re.compile(r"(?<![\w.@/:#-])[A-Za-z][A-Za-z'’]+(?:[ ][A-Za-z][A-Za-z'’]+)*(?![\w@/-])")
SKIP_LINKS = ("/static/", "/i18n/", "/media/", "/api/", "/open311/")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
PAGES_PER_ROLE = 20


class _Text(HTMLParser):
    """Visible text and the attributes a person reads (title, placeholder, aria-label, alt)."""

    HIDDEN = ("script", "style", "code", "kbd", "pre", "template")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.hidden += 1
        self.parts.extend(v for k, v in attrs if k in ("title", "placeholder", "aria-label", "alt") and v)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def english_in(html: str, *, names: frozenset[str] = frozenset()) -> list[str]:
    """Return the runs of Latin words outside the allowlist (and ``names``) in a page's readable text."""
    parser = _Text()
    parser.feed(html)
    runs = WORDS.findall(" ".join(parser.parts))
    return [run for run in runs if any(word not in ALLOWED and word not in names for word in run.split())]


def test_the_check_catches_english_and_lets_names_and_codes_pass():
    page = ("<p title='Open the list'>清单 330106-GA · XLSX · 7KQM-2XHV · xh_handler</p>"
            "<script>var notShown = 1;</script><button>Save changes</button>")
    assert english_in(page) == ["Open the list", "Save changes"]


def header_links(html: str) -> list[str]:
    header = re.search(r"<header.*?</header>", html, re.S)
    return re.findall(r'href="(/[^"#]*)"', header.group(0)) if header else []


def page_links(html: str) -> list[str]:
    main = re.search(r"<main.*?</main>", html, re.S)
    links = re.findall(r'href="(/[^"#]*)"', main.group(0) if main else "")
    return [link.replace("&amp;", "&") for link in links
            if not link.startswith(SKIP_LINKS) and not re.search(r"\.(xlsx|csv|pdf|png|jpe?g)$|/export|format=", link)]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Load the demo once for the module, inside a transaction rolled back at its end.

    Each test's own transaction (the ``db`` fixture) nests inside it, so the tests share the
    demo without leaving it behind for the rest of the suite.
    """
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        # Marked as Django's TestCase marks its class-wide blocks, so that the durable services the
        # demo loader calls behave as in a test's own transaction (they refuse any other nesting).
        outer._from_testcase = True
        outer.__enter__()
        try:
            demo_load()
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def log_in(username: str) -> Client:
    client = Client(**ZH)
    response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, username
    return client


@pytest.mark.parametrize("username", [account.username for account in DEMO_ACCOUNTS])
def test_every_nav_link_opens_and_no_page_speaks_english(demo, db, username):
    client = log_in(username)
    home = client.get("/")
    assert home.status_code == 200
    nav = header_links(home.content.decode())
    assert "/dockets/" in nav
    english: dict[str, list[str]] = {}
    queue: list[str] = []
    for link in nav:
        response = client.get(link, follow=True)
        assert response.status_code == 200, (username, link, response.status_code)
        if "text/html" in response["Content-Type"]:
            html = response.content.decode()
            english[link] = english_in(html, names=frozenset({username}))
            queue.extend(page_links(html))
    seen = set(nav)
    for link in queue:
        if len(seen) >= PAGES_PER_ROLE + len(nav):
            break
        if link in seen:
            continue
        seen.add(link)
        response = client.get(link)
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            english[link] = english_in(response.content.decode(), names=frozenset({username}))
    assert not {link: runs for link, runs in english.items() if runs}, username


def test_the_public_pages_speak_no_english(demo, db):
    client = Client(**ZH)
    for url in ("/submit/", "/track/", "/public/", "/accounts/login/"):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert english_in(response.content.decode()) == [], url
