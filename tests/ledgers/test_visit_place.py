"""The visit form's place: the leader's liaison unit by default, typed by name or code, within what they may visit."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from qingdan.ledgers.models import Visit
from qingdan.ledgers.services import liaison_assign
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def lx_leader(tree, make_staff):
    return make_staff("lx_leader", Role.LEADER, tree["330106009"])


def _visit(client, unit: str):
    return client.post("/ledgers/visits/new/", {
        "unit": unit, "visited_on": timezone.localdate().isoformat(), "households": 1, "enterprises": 0,
        "solved_on_spot": 0, "route": "submission"})


def _value(page: str) -> str:
    return re.search(r'<input[^>]*name="unit"[^>]*>', page).group(0)


def test_the_place_defaults_to_the_liaison_unit_and_lists_it_first(client, tree, lx_leader, zj_organizer):
    """A leader of 留下街道 who answers for 西兴街道 in another county: that is where they go."""
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330108001"],
                   starts_on=timezone.localdate().replace(day=1))
    client.force_login(lx_leader)
    page = client.get("/ledgers/visits/new/").content.decode()
    field = _value(page)
    assert 'value="西兴街道"' in field and 'list="id_unit-units"' in field and "data-unit-picker" in field
    options = re.findall(r'<option value="([^"]+)" label', re.search(r'<datalist id="id_unit-units">(.*?)</datalist>',
                                                                      page, re.S).group(1))
    assert options[0] == "330108001" and "330106009001" in options
    assert 'id="liaison-units"' in page


def test_without_a_liaison_nothing_is_preselected(client, tree, lx_leader):
    client.force_login(lx_leader)
    page = client.get("/ledgers/visits/new/").content.decode()
    assert "value=" not in _value(page)
    assert 'id="liaison-units"' not in page


@pytest.mark.parametrize("typed", ["留下村", "330106009001", " 330106009001 "])
def test_a_place_typed_by_name_or_code_is_found(client, tree, lx_leader, typed):
    client.force_login(lx_leader)
    response = _visit(client, typed)
    assert response.status_code == 302 and Visit.objects.get().unit == tree["330106009001"]


@pytest.mark.parametrize("typed", ["西兴街道", "330108001", "西湖区公安局", "330106-GA", "不存在村", ""])
def test_a_place_outside_or_not_visitable_is_refused(client, tree, lx_leader, typed):
    """Another county's street, a department, a made-up name, nothing: all refused on the field, nothing saved."""
    client.force_login(lx_leader)
    response = _visit(client, typed)
    assert response.status_code == 200 and not Visit.objects.exists()
    assert re.search(r'<small class="error" role="alert">', response.content.decode())


def test_a_liaison_unit_outside_the_scope_is_accepted_by_name(client, tree, lx_leader, zj_organizer):
    liaison_assign(actor=zj_organizer, leader=lx_leader, unit=tree["330108001"],
                   starts_on=timezone.localdate().replace(day=1))
    client.force_login(lx_leader)
    assert _visit(client, "西兴街道").status_code == 302
    assert Visit.objects.get().unit == tree["330108001"]


def test_a_name_two_places_share_is_refused_not_guessed(client, tree, lx_leader):
    from qingdan.units.models import Unit

    Unit.objects.add_child(tree["330106009"], {"code": "330106009003", "name": "留下村", "kind": "region",
                                                "level": tree["330106009001"].level})
    client.force_login(lx_leader)
    response = _visit(client, "留下村")
    assert response.status_code == 200 and not Visit.objects.exists()
    assert re.search("同名|Several places", response.content.decode())
    assert _visit(client, "330106009003").status_code == 302
