"""Coverage and the list pages cost a fixed number of queries, whatever the number of rows."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qingdan.ledgers.selectors import coverage
from qingdan.ledgers.services import liaison_assign, visit_record
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def _visits(tree, leader, n):
    for i in range(n):
        visit_record(actor=leader, unit=tree["330106009001" if i % 2 else "330106009002"],
                     visited_on=timezone.localdate())


def test_coverage_is_three_queries(tree, make_staff, zj_organizer, django_assert_num_queries):
    today = timezone.localdate()
    leaders = [make_staff(f"leader{i}", Role.LEADER, tree["330106009"]) for i in range(4)]
    for leader in leaders:
        liaison_assign(actor=zj_organizer, leader=leader, unit=tree["330106009"], starts_on=today.replace(day=1))
        _visits(tree, leader, 3)
    with django_assert_num_queries(3):
        cover = coverage(unit=tree["330106"], start=today.replace(day=1), end=today)
    assert cover.visited == 2 and len(cover.leaders) == 4


@pytest.mark.parametrize("n", [2, 12])
def test_visit_list_page_queries_do_not_grow(client, tree, make_staff, n, django_assert_max_num_queries):
    leader = make_staff("lx_leader", Role.LEADER, tree["330106009"])
    _visits(tree, leader, n)
    client.force_login(leader)
    client.get("/ledgers/visits/")  # warm the session and the user's scope
    with django_assert_max_num_queries(8):
        assert client.get("/ledgers/visits/").status_code == 200
