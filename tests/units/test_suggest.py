"""The unit pickers' suggestions: by name or code (dashed codes too), inside the reader's scope only."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def codes(client, query: str) -> list[str]:
    response = client.get("/units/suggest/", {"q": query})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [unit["code"] for unit in response.json()["units"]]


def test_a_dashed_code_a_code_start_and_a_name_part_resolve(client, xh_handler):
    client.force_login(xh_handler)
    assert codes(client, "330106-ga") == ["330106-GA"]
    assert codes(client, "330106009") == ["330106009", "330106009001", "330106009002"]
    assert codes(client, "公安") == ["330106-GA"]
    unit = client.get("/units/suggest/", {"q": "小和山"}).json()["units"][0]
    assert unit["path"].endswith("留下街道 / 小和山社区")


def test_units_outside_the_scope_are_never_suggested(client, xh_handler):
    client.force_login(xh_handler)
    assert codes(client, "330108") == [] and codes(client, "滨江") == [] and codes(client, "西兴") == []


def test_retired_units_and_empty_queries_give_nothing(client, xh_handler, tree):
    tree["330106-GA"].is_active = False
    tree["330106-GA"].save(update_fields=["is_active"])
    client.force_login(xh_handler)
    assert codes(client, "公安") == [] and codes(client, "  ") == []


def test_anonymous_readers_are_sent_to_log_in(client, tree):
    assert client.get("/units/suggest/", {"q": "西湖"}).status_code == 302


def test_the_item_form_carries_the_pickers(client, hz_supervisor, docket):
    client.force_login(hz_supervisor)
    page = client.get(f"/dockets/lists/{docket.pk}/").content.decode()
    assert 'data-unit-picker="/units/suggest/"' in page and "data-unit-many" in page


def test_the_search_finds_a_dashed_code_typed_in_lower_case(xh_handler):
    from qingdan.units.selectors import looks_like_code, unit_search_for_user

    assert [u.code for u in unit_search_for_user(xh_handler, query="330106-ga")] == ["330106-GA"]
    assert looks_like_code("330106") and looks_like_code("330106-GA") and not looks_like_code("西湖区")
    assert not looks_like_code("12345热线")
