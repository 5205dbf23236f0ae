"""Read people, through the reader's scope."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from qingdan.core.actors import Actor
from qingdan.core.errors import NotFound
from qingdan.people.models import ApiToken
from qingdan.units.models import Unit
from qingdan.units.permissions import may_manage_user
from qingdan.units.scopes import is_system, scope_for_user


def people_in_scope(actor: Actor) -> QuerySet:
    """The active accounts an actor may name: themself and everyone whose home unit lies in their scope.

    The system and superusers name anyone. Everyone else is left out exactly like a name that does
    not exist, so no form, file or picker tells who exists elsewhere.
    """
    people = get_user_model().objects.filter(is_active=True).select_related("home_unit")
    if is_system(actor):
        return people
    scope = scope_for_user(actor)
    return people if scope.is_global else people.filter(scope.q("home_unit") | Q(pk=getattr(actor, "pk", None)))


def people_suggest_for_user(user: Any, *, query: str, limit: int = 15) -> list[Any]:
    """Active people for a picker: a user name's start or part of a display name, in the reader's scope.

    The same people as ``people_in_scope``, which the forms apply too: the picker offers only names
    the form would accept, and never tells who exists elsewhere.
    """
    query = query.strip()[:50]
    if not query or not getattr(user, "is_authenticated", False):
        return []
    people = people_in_scope(user).filter(Q(username__startswith=query) | Q(display_name__contains=query))
    return list(people.order_by("username")[:limit])


def users_holding(*, unit: Unit, roles: frozenset[str] | set[str]) -> QuerySet:
    """Return the active users holding one of ``roles`` on ``unit`` itself (who gets a unit's notices).

    Not scoped to a reader: the system uses it to address notices, never to show a list.
    """
    return get_user_model().objects.filter(
        is_active=True, role_assignments__unit=unit, role_assignments__role__in=roles,
    ).distinct().order_by("username")


def user_saved(*, pk: int) -> Any:
    """The account as stored, before a form's changes: who may change it is asked of who it was."""
    return get_user_model().objects.get(pk=pk)


def user_saved_fields(*, pk: int, fields: list[str]) -> dict[str, Any]:
    """The stored values of some fields of an account (the "before" of its audit entry)."""
    return get_user_model().objects.filter(pk=pk).values(*fields).first() or {}


def roles_of(user: Any) -> QuerySet:
    """The roles a user holds, with their units, top of the tree first (who am I)."""
    return user.role_assignments.select_related("unit").order_by("unit__path")


def token_list(*, actor: Actor, user: Any = None) -> QuerySet[ApiToken]:
    """Return the API tokens of the accounts the actor may manage (everyone's for the system), newest first."""
    tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
    if user is not None:
        tokens = tokens.filter(user=user)
    if is_system(actor):
        return tokens
    allowed = [t.pk for t in tokens if may_manage_user(actor, t.user)]  # the rule is per account, in Python
    return tokens.filter(pk__in=allowed)


def token_find(*, actor: Actor, ref: str) -> ApiToken:
    """Return the one token whose id, prefix or name is ``ref`` among those the actor manages, or NotFound.

    A name shared by several live tokens (two users' "etl") is refused: the message lists their ids.
    """
    ref = (ref or "").strip()
    if not ref:
        raise NotFound(_("Name a token by its id, its prefix or its name."))
    tokens = token_list(actor=actor)
    if ref.isdigit() and len(ref) < 19:
        matches = list(tokens.filter(pk=int(ref)))
    elif ref.startswith("qd_"):
        matches = list(tokens.filter(prefix__startswith=ref[:10])) if len(ref) >= 6 else []
    else:
        matches = list(tokens.filter(name=ref, revoked_at__isnull=True)) or list(tokens.filter(name=ref))
    if not matches:
        raise NotFound(_("No token with the id, prefix or name %(ref)s.") % {"ref": ref})
    if len(matches) > 1:
        raise NotFound(_("%(ref)s names several tokens (ids %(ids)s); give the id.") % {
            "ref": ref, "ids": ", ".join(str(t.pk) for t in matches)})
    return matches[0]
