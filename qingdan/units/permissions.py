"""Who may manage whom: the named rules every surface asks before touching accounts or rights.

An organizer manages the subtree it was given, never the people who gave it: a superuser, or
anyone holding a role outside or above the organizer's own, is out of reach on every surface
(admin pages, the password form, services, the API, importers). Rights are handed down, never
sideways or up: a role that manages is granted only from strictly above, and roles over a
discipline body (纪委监委, who may read the supervision reports) only by a superuser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qingdan.core.actors import Actor, user_of
from qingdan.units.choices import MANAGE_ROLES, Role, UnitKind
from qingdan.units.scopes import is_inside, is_system, scope_for_user

if TYPE_CHECKING:
    from qingdan.core.actors import User

# Higher manages lower. Working roles are all below organizer.
ROLE_RANK: dict[str, int] = {Role.OPERATOR: 1, Role.HANDLER: 1, Role.LEADER: 1, Role.SUPERVISOR: 1,
             Role.ORGANIZER: 2, Role.ADMIN: 3}


def _is_root(actor: Actor) -> bool:
    """The system (server commands) and active superusers may manage anyone."""
    if is_system(actor):
        return True
    return bool(getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False))


def may_add_root(actor: Actor) -> bool:
    """Tell whether ``actor`` may add a root unit (a province): the system or an active superuser.

    A deactivated superuser keeps its flag; like every inactive account it may do nothing.
    """
    return _is_root(actor)


def _acting_user(actor: Actor) -> User | None:
    """The actor's account if it may act (signed in and active), else None."""
    user = user_of(actor)
    return user if user is not None and user.is_active else None


def may_grant_role(actor: Actor, unit: Any, role: str) -> bool:
    """Tell whether ``actor`` may grant (or revoke) ``role`` over ``unit``.

    A working role needs a managing role covering the unit. A managing role needs one of at
    least the same rank held strictly above the unit (or a higher rank at the unit itself),
    so no one makes a peer or a superior. Discipline bodies are for superusers only: a role
    there opens the supervision reports.
    """
    if _is_root(actor):
        return True
    user = _acting_user(actor)
    if user is None or role not in ROLE_RANK:
        return False
    if getattr(unit, "kind", None) == UnitKind.DISCIPLINE:
        return False
    if role not in MANAGE_ROLES:
        return scope_for_user(actor, roles=MANAGE_ROLES).contains(unit)
    wanted = ROLE_RANK[role]
    for held in user.role_assignments.filter(role__in=MANAGE_ROLES).select_related("unit"):
        rank = ROLE_RANK[held.role]
        if not is_inside(unit, held.unit):
            continue
        if (rank >= wanted and held.unit.path != unit.path) or rank > wanted:
            return True
    return False


def may_manage_user(actor: Actor, target: Any) -> bool:
    """Tell whether ``actor`` may change, deactivate, rename, reset or issue tokens for ``target``.

    Superusers may manage anyone. Otherwise the target must not be a superuser, must live in a
    unit the actor manages, and every role the target holds must be one the actor could have
    granted (so no one reaches a peer, a superior, or someone with rights elsewhere). People
    may edit their own account (the forms expose no privilege flags).
    """
    if _is_root(actor):
        return True
    user = _acting_user(actor)
    if user is None or target is None:
        return False
    if getattr(target, "is_superuser", False):
        return False
    if target.pk is not None and target.pk == user.pk:
        return True
    home = target.home_unit
    if home is None or not scope_for_user(actor, roles=MANAGE_ROLES).contains(home):
        return False
    if target.pk is None:
        return True
    return all(may_grant_role(actor, held.unit, held.role)
               for held in target.role_assignments.select_related("unit"))


def may_set_unit_kind(actor: Actor, old_kind: str | None, new_kind: str) -> bool:
    """Tell whether ``actor`` may give a unit ``new_kind`` (``old_kind`` None for a new unit).

    Making a discipline body, or turning one into something else, is for superusers only:
    its staff read every supervision report below it.
    """
    if old_kind == new_kind:
        return True
    if UnitKind.DISCIPLINE not in (old_kind, new_kind):
        return True
    return _is_root(actor)
