"""The admin shows ledgers and surveys read-only, inside the organizer's scope."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qingdan.ledgers.services import visit_record
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


def test_admin_lists_only_the_managed_scope(client, tree, make_staff, xh_organizer):
    bj_organizer = make_staff("bj_organizer", Role.ORGANIZER, tree["330108"])
    visit = visit_record(actor=xh_organizer, unit=tree["330106009001"], visited_on=timezone.localdate())
    client.force_login(xh_organizer)
    assert client.get("/admin/ledgers/visit/").status_code == 200
    assert client.get(f"/admin/ledgers/visit/{visit.pk}/change/").status_code == 200
    assert client.get("/admin/ledgers/visit/add/").status_code == 403
    assert client.get("/admin/surveys/survey/").status_code == 200
    client.force_login(bj_organizer)
    assert client.get(f"/admin/ledgers/visit/{visit.pk}/change/").status_code in (302, 404)
