"""within, within_q, is_inside and may: the words every module uses for "in this subtree" and "may act here".

Real rows on SQLite and PostgreSQL: the path range must agree with the prefix test in Python on
both databases' collations, and a sibling whose path begins like the root's must stay outside.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from qingdan.units.choices import MANAGE_ROLES, Role, UnitKind, UnitLevel
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, may, within, within_q

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_root(tree):
    """A second province beside 浙江省: its path ("0002") sorts right after 浙江省's whole subtree."""
    root = Unit.objects.add_root({"code": "32", "name": "江苏省", "kind": UnitKind.REGION,
                                  "level": UnitLevel.PROVINCE})
    child = Unit.objects.add_child(root, {"code": "3201", "name": "南京市", "kind": UnitKind.REGION,
                                          "level": UnitLevel.CITY})
    return Unit.objects.get(pk=root.pk), Unit.objects.get(pk=child.pk)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_the_paths_are_what_the_sibling_tests_assume(tree, second_root):
    assert (tree["33"].path, tree["3301"].path, second_root[0].path) == ("0001", "00010001", "0002")


def test_is_inside_by_path_strings_and_units(tree, second_root):
    assert is_inside("00010001", "0001")
    assert is_inside("0001", "0001")
    assert not is_inside("0002", "0001")
    assert not is_inside("0001", "00010001")  # an ancestor is not inside its descendant
    assert not is_inside("0001", "0001", strict=True)
    assert is_inside("00010001", "0001", strict=True)
    assert is_inside(tree["330106009001"], tree["330106"])
    assert not is_inside(tree["330108-GA"], tree["330106"])  # 滨江区's bureau, beside 西湖区
    assert not is_inside(second_root[1], tree["33"])
    assert is_inside(tree["330106009"].path, tree["3301"])  # a path and a unit mix


def test_within_is_the_subtree_and_never_a_sibling(tree, second_root):
    everything = Unit.objects.all()
    assert codes(within(everything, tree["33"])) == set(tree)  # 浙江省 and all below it, not 江苏省
    assert codes(within(everything, "0002")) == {"32", "3201"}
    assert codes(within(everything, tree["330106"])) == {"330106", "330106009", "330106009001", "330106009002",
                                                         "330106-GA"}
    assert codes(within(everything, tree["330106"], strict=True)) == {"330106009", "330106009001",
                                                                      "330106009002", "330106-GA"}
    assert codes(within(everything, tree["330106009001"])) == {"330106009001"}  # a leaf: itself only


def test_within_agrees_with_is_inside_for_every_pair(tree, second_root):
    units = list(Unit.objects.all())
    for root in units:
        expected = {u.code for u in units if is_inside(u, root)}
        assert codes(within(Unit.objects.all(), root)) == expected, root.code


def test_a_step_of_the_highest_letters_is_still_inside(tree):
    # Steps use 0-9A-Z: a child whose step is "ZZZZ" sorts last and must still fall in the range.
    xh = tree["330106"]
    high = Unit.objects.create(code="330106-ZZ", name="最后", kind=UnitKind.DEPARTMENT, level=UnitLevel.COUNTY,
                               path=xh.path + "ZZZZ", depth=xh.depth + 1)
    assert is_inside(high, xh)
    assert "330106-ZZ" in codes(within(Unit.objects.all(), xh))
    assert "330106-ZZ" not in codes(within(Unit.objects.all(), tree["330108"]))


def test_within_follows_a_foreign_key_and_counts_retired_units(tree, xh_handler, make_staff):
    from qingdan.people.models import RoleAssignment, User

    bj = make_staff("bj_someone", Role.HANDLER, tree["330108"])
    village = tree["330106009002"]
    village.is_active = False  # retired: still where it was in the tree
    village.save(update_fields=["is_active"])
    stranded = make_staff("in_retired", Role.HANDLER, village)
    assert set(within(User.objects.all(), tree["330106"], "home_unit")) == {xh_handler, stranded}
    assert set(within(User.objects.all(), tree["3301"], "home_unit")) == {xh_handler, stranded, bj}
    held = RoleAssignment.objects.filter(within_q(tree["330106009"], "unit"))
    assert set(held.values_list("user__username", flat=True)) == {"in_retired"}
    outside = RoleAssignment.objects.exclude(within_q(tree["330106"], "unit"))
    assert set(outside.values_list("user__username", flat=True)) == {"bj_someone"}
    assert is_inside(village, tree["330106009"])  # is_inside asks the tree, not the status


def test_within_on_a_copied_path_column(tree):
    from qingdan.audit.models import AuditEntry
    from qingdan.audit.services import audit_record

    for code in ("330106009", "330108", "33"):
        audit_record(actor="test", action="test.touched", object_type="units.unit", object_id=code,
                     unit_path=tree[code].path)
    entries = within(AuditEntry.objects.filter(action="test.touched"), tree["330106"], path_field="unit_path")
    assert list(entries.values_list("object_id", flat=True)) == ["330106009"]


def test_may_for_people_by_role_and_place(tree, xh_handler, xh_organizer):
    assert may(xh_handler, tree["330106009001"])
    assert may(xh_handler, tree["330106"], {Role.HANDLER})
    assert not may(xh_handler, tree["330106"], MANAGE_ROLES)  # the unit is in reach, the role is not
    assert not may(xh_handler, tree["330108"])  # the sibling county
    assert not may(xh_handler, tree["3301"])  # the city above
    assert may(xh_organizer, tree["330106-GA"], MANAGE_ROLES)
    assert not may(xh_organizer, tree["330108-GA"], MANAGE_ROLES)


def test_may_does_not_ask_whether_the_unit_is_active(tree, xh_organizer):
    # Rules that also want an active unit say so at their call site (item_dispatch, verifier_allowed).
    village = tree["330106009001"]
    village.is_active = False
    village.save(update_fields=["is_active"])
    assert may(xh_organizer, village, MANAGE_ROLES)


def test_may_for_the_system_superusers_anonymous_and_inactive(tree, xh_organizer, db):
    from qingdan.people.models import User

    for system in ("system", "import-cli", None):
        assert may(system, tree["330108"], MANAGE_ROLES)
    root = User.objects.create_superuser(username="root", password="x-very-long-9-pass", email="")
    assert may(root, tree["330108"], MANAGE_ROLES)
    root.is_active = False
    root.save(update_fields=["is_active"])
    assert not may(User.objects.get(pk=root.pk), tree["330108"])  # an inactive superuser is nobody
    assert not may(AnonymousUser(), tree["330106"])
    xh_organizer.is_active = False
    xh_organizer.save(update_fields=["is_active"])
    assert not may(User.objects.get(pk=xh_organizer.pk), tree["330106"], MANAGE_ROLES)
