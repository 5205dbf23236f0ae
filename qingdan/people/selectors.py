"""Read people, through the reader's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qingdan.people.models import RoleAssignment
from qingdan.people.scopes import scope_for_user
from qingdan.units.models import Unit


def role_assignments_for_unit(user: Any, *, unit: Unit) -> QuerySet[RoleAssignment]:
    """Return who holds roles over ``unit`` itself, if the reader may see that unit."""
    assignments = RoleAssignment.objects.filter(unit=unit).select_related("user").order_by("role", "user__username")
    return scope_for_user(user).filter(assignments, "unit")


def users_holding(*, unit: Unit, roles: frozenset[str] | set[str]) -> QuerySet:
    """Return the active users holding one of ``roles`` on ``unit`` itself (who gets a unit's notices).

    Not scoped to a reader: the system uses it to address notices, never to show a list.
    """
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, role_assignments__unit=unit, role_assignments__role__in=roles,
    ).distinct().order_by("username")
