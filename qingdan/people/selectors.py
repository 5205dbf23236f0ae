"""Read people, through the reader's scope."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qingdan.units.models import Unit


def users_holding(*, unit: Unit, roles: frozenset[str] | set[str]) -> QuerySet:
    """Return the active users holding one of ``roles`` on ``unit`` itself (who gets a unit's notices).

    Not scoped to a reader: the system uses it to address notices, never to show a list.
    """
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, role_assignments__unit=unit, role_assignments__role__in=roles,
    ).distinct().order_by("username")


def roles_of(user: Any) -> QuerySet:
    """The roles a user holds, with their units, top of the tree first (who am I)."""
    return user.role_assignments.select_related("unit").order_by("unit__path")
