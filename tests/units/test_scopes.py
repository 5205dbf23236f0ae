"""The scope rule itself: subtrees by path range, on every database."""

from __future__ import annotations

from qingdan.units.choices import Role
from qingdan.units.models import Unit
from qingdan.units.scopes import Scope, scope_for_user


def test_county_handler_scope_is_its_subtree(xh_handler, tree):
    scope = scope_for_user(xh_handler)
    visible = set(scope.filter(Unit.objects.all()).values_list("code", flat=True))
    assert visible == {"330106", "330106009", "330106009001", "330106009002", "330106-GA"}
    assert not scope.contains(tree["330108"])
    assert not scope.contains(tree["3301"])  # the parent city is outside


def test_scope_is_union_of_subtrees_and_drops_nested(tree, make_staff):
    user = make_staff("two_hats", Role.HANDLER, tree["330106009"])
    from qingdan.people.services import role_grant

    role_grant(actor="test", user=user, role=Role.SUPERVISOR, unit=tree["330108"])
    role_grant(actor="test", user=user, role=Role.LEADER, unit=tree["330106009001"])  # inside the first
    scope = scope_for_user(user)
    assert scope.paths == tuple(sorted([tree["330106009"].path, tree["330108"].path]))
    assert scope_for_user(user, roles=[Role.SUPERVISOR]).paths == (tree["330108"].path,)


def test_sibling_with_shared_prefix_is_not_inside(tree):
    # Paths of siblings differ only in their last step; a range on one must not catch the other.
    scope = Scope.of_paths([tree["330106"].path])
    assert not scope.contains(tree["330108"])
    assert not Scope.of_paths([tree["330106"].path]).filter(Unit.objects.filter(code="330108-GA")).exists()


def test_anonymous_and_inactive_see_nothing(tree, xh_handler):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for_user(AnonymousUser()).is_empty
    xh_handler.is_active = False
    assert scope_for_user(xh_handler).filter(Unit.objects.all()).count() == 0


def test_foreign_key_filter_uses_unit_path(tree, xh_handler, bj_handler):
    from qingdan.people.models import RoleAssignment

    scope = scope_for_user(xh_handler)
    rows = scope.filter(RoleAssignment.objects.all(), "unit")
    assert [r.user.username for r in rows] == ["xh_handler"]


def test_role_filtered_scope_ignores_other_peoples_roles(tree, make_staff):
    """Regression: a handler must not inherit the organizer role someone else holds on the same unit."""
    from qingdan.units.choices import MANAGE_ROLES

    make_staff("organizer", Role.ORGANIZER, tree["330106"])
    handler = make_staff("handler", Role.HANDLER, tree["330106"])
    assert scope_for_user(handler, roles=MANAGE_ROLES).is_empty
    assert not scope_for_user(handler, roles=MANAGE_ROLES).contains(tree["330106009"])
