"""The tops of a user's scope: the tree's roots for the global scope, their own units otherwise."""

import warnings

import pytest
from treebeard.deprecation import RemovedInTreebeard8Warning

from qingdan.people.models import User
from qingdan.units.choices import Role
from qingdan.units.selectors import unit_roots_for_user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="root", password="correct-horse-battery-9")


def test_global_scope_starts_at_the_roots_without_treebeard_deprecations(tree, superuser):
    # mypy found Unit.get_root_nodes(): treebeard 7 deprecated it on the model (gone in 8).
    with warnings.catch_warnings():
        warnings.simplefilter("error", RemovedInTreebeard8Warning)
        roots = unit_roots_for_user(superuser)
    assert [u.code for u in roots] == ["33"]


def test_a_scoped_user_starts_at_their_own_units(tree, make_staff):
    handler = make_staff("xh-h", Role.HANDLER, tree["330106"])
    assert [u.code for u in unit_roots_for_user(handler)] == ["330106"]
