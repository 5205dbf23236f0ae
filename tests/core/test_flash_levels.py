"""Messages after an action: a success and a refusal must not look or sound the same."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db

FLASH = re.compile(r'<p class="flash ([a-z ]+)" role="(status|alert)">'
                   r'<span class="flash-icon" aria-hidden="true">(.)</span>')


def _flashes(response) -> list[tuple[str, str, str]]:
    return FLASH.findall(response.content.decode())


def test_a_success_is_green_with_a_tick_and_a_refusal_red_with_a_cross(client, tree, xh_organizer, xh_handler):
    client.force_login(xh_organizer)
    saved = client.post("/ledgers/liaisons/", {"unit": "330106009", "leader": "xh_handler",
                                               "starts_on": timezone.localdate().isoformat()}, follow=True)
    assert _flashes(saved) == [("success", "status", "✓")]
    assert re.search("包联安排已保存|Assignment saved", saved.content.decode())

    refused = client.post("/ledgers/import/", {"ledger": "visits"})  # no file: refused on the same page
    assert refused.status_code == 200
    assert _flashes(refused) == [("error", "alert", "✗")]


def test_warning_and_info_have_their_own_look(rf, tree, xh_handler):
    from django.contrib import messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = xh_handler
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.warning(request, "careful")
    messages.info(request, "note")
    page = render_to_string("base.html", {"messages": messages.get_messages(request)}, request=request)
    found = FLASH.findall(page)
    assert found == [("warning", "alert", "!"), ("info", "status", "i")]


def test_the_levels_have_distinct_colours_in_the_stylesheet():
    from pathlib import Path

    import qingdan

    css = (Path(qingdan.__file__).parent / "core/static/qingdan/site.css").read_text()
    colours = {}
    for level in ("success", "error", "warning", "info"):
        rule = re.search(r"\.flash\." + level + r"[^{]*\{([^}]*)\}", css)
        assert rule, level
        colours[level] = re.search(r"border-left-color:\s*(#[0-9a-f]+)", rule.group(1)).group(1)
    assert len(set(colours.values())) == 4
