"""The person pickers' suggestions: by user name or display name, inside the reader's scope only.

Written from the side of someone fishing for who exists: a name outside the scope is never
suggested, exactly like a name that does not exist, and inactive accounts are left out.
"""

from __future__ import annotations

import pytest

from qingdan.people.models import User

pytestmark = pytest.mark.django_db


def names(client, query: str) -> list[str]:
    response = client.get("/accounts/people/suggest/", {"q": query})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return [person["username"] for person in response.json()["people"]]


@pytest.fixture
def people(tree):
    made = {}
    for username, display, unit in (("zhang_lx", "张伟", "330106009"), ("zhang_bj", "张伟", "330108"),
                                     ("li_xh", "李娜", "330106")):
        made[username] = User.objects.create(username=username, display_name=display, home_unit=tree[unit])
    return made


def test_a_user_name_start_and_a_display_name_part_resolve_in_scope(client, xh_handler, people):
    client.force_login(xh_handler)
    assert names(client, "zhang") == ["zhang_lx"]  # 滨江's 张伟 is a neighbour's
    assert names(client, "张") == ["zhang_lx"]
    first = client.get("/accounts/people/suggest/", {"q": "李"}).json()["people"][0]
    assert first == {"username": "li_xh", "name": "李娜", "unit": "西湖区"}


def test_people_outside_the_scope_look_exactly_like_no_one(client, xh_handler, bj_handler, people):
    client.force_login(xh_handler)
    assert names(client, "zhang_bj") == names(client, "zhang_nobody") == []
    assert names(client, "bj_handler") == []
    client.force_login(bj_handler)
    assert names(client, "zhang") == ["zhang_bj"]


def test_inactive_people_and_empty_queries_give_nothing(client, xh_handler, people):
    people["li_xh"].is_active = False
    people["li_xh"].save(update_fields=["is_active"])
    client.force_login(xh_handler)
    assert names(client, "li") == [] and names(client, "   ") == []


def test_anonymous_readers_are_sent_to_log_in_and_writes_are_refused(client, xh_handler, people):
    assert client.get("/accounts/people/suggest/", {"q": "zhang"}).status_code == 302
    client.force_login(xh_handler)
    assert client.post("/accounts/people/suggest/", {"q": "zhang"}).status_code == 405


def test_the_liaison_and_topic_forms_offer_the_pickers(client, tree, make_staff):
    from qingdan.units.choices import Role

    organizer = make_staff("xh_org_p", Role.ORGANIZER, tree["330106"])
    client.force_login(organizer)
    page = client.get("/ledgers/liaisons/").content.decode()
    assert 'data-person-picker="/accounts/people/suggest/"' in page
    assert 'data-unit-picker="/units/suggest/"' in page
