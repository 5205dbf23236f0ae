"""Read units, always through the reader's scope."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from qingdan.core.errors import NotFound
from qingdan.units.models import Unit
from qingdan.units.scopes import Scope, scope_for_user, within, within_q


def unit_queryset_for_user(user: Any) -> QuerySet[Unit]:
    """Return every unit the user may see."""
    return scope_for_user(user).filter(Unit.objects.all())


def unit_get_for_user(user: Any, *, code: str) -> Unit:
    """Return one unit by code, or NotFound when it is missing or outside the user's scope."""
    unit = unit_queryset_for_user(user).filter(code=code).first()
    if unit is None:
        raise NotFound(f"No unit {code} in your scope.")
    return unit


def unit_roots_for_user(user: Any) -> list[Unit]:
    """Return the tops of the user's scope (for the global scope, the tree's roots)."""
    scope = scope_for_user(user)
    if scope.is_global:
        return list(Unit.objects.get_root_nodes())
    return list(Unit.objects.filter(path__in=scope.paths).order_by("path"))


def unit_children(unit: Unit, *, include_retired: bool = True) -> QuerySet[Unit]:
    """Return the direct children of a unit the caller has already fetched through its scope."""
    children = within(Unit.objects.filter(depth=unit.depth + 1), unit).order_by("path")
    return children if include_retired else children.filter(is_active=True)


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """Return the unit and all units below it."""
    return within(Unit.objects.all(), unit)


def unit_subtree_count(unit: Unit) -> int:
    """Count the unit and everything below it with one index range scan."""
    return unit_subtree(unit).count()


def unit_ancestors(unit: Unit) -> list[Unit]:
    """Return the unit's ancestors from the root down (one query on the path prefixes)."""
    prefixes = [unit.path[:i] for i in range(unit.steplen, len(unit.path), unit.steplen)]
    return list(Unit.objects.filter(path__in=prefixes).order_by("depth")) if prefixes else []


def unit_breadcrumbs_for_user(user: Any, unit: Unit) -> list[tuple[Unit, bool]]:
    """Return (ancestor, may_open) pairs: names are shown, links only inside the scope."""
    scope = scope_for_user(user)
    return [(a, scope.contains(a)) for a in unit_ancestors(unit)]


_CODE = re.compile(r"\d[\dA-Za-z]*(?:-[\dA-Za-z]*)*")


def looks_like_code(text: str) -> bool:
    """Tell a code (330106, 330106-GA, 330106-ga) from a name: a code starts with a digit and has no CJK."""
    return bool(_CODE.fullmatch(text))


def unit_search_for_user(user: Any, *, query: str, limit: int = 50, within: Unit | None = None) -> list[Unit]:
    """Find units by name or code inside the user's scope, exact names first, shallow before deep."""
    query = query.strip()
    if not query:
        return []
    units = unit_queryset_for_user(user)
    if within is not None:
        units = units.filter(within_q(within))
    if looks_like_code(query):
        units = units.filter(code__startswith=query.upper())
    else:
        units = units.filter(name__contains=query)
    units = units.annotate(
        exact=Case(When(name=query, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("exact", "depth", "path")
    return list(units[:limit])


def unit_suggest_for_user(user: Any, *, query: str, limit: int = 15) -> list[Unit]:
    """Units for a picker: a code's start (dashed ones such as 330106-GA too) or part of a name, in scope.

    Active units only (a retired one takes no new work); exact matches first, shallow before deep.
    """
    query = query.strip()[:50]
    if not query:
        return []
    units = unit_queryset_for_user(user).filter(is_active=True)
    code = query.upper()
    # A code's prefix uses the code index; a name is searched by its part.
    units = units.filter(code__startswith=code) if looks_like_code(query) else units.filter(name__contains=query)
    units = units.annotate(exact=Case(When(Q(name=query) | Q(code=code), then=Value(0)), default=Value(1),
                                      output_field=IntegerField())).order_by("exact", "depth", "path")
    return list(units[:limit])


def unit_path_names(units: list[Unit]) -> dict[int, str]:
    """Return 'province / city / county …' for each unit, with one query for all ancestors."""
    prefixes: set[str] = set()
    for unit in units:
        prefixes.update(unit.path[:i] for i in range(unit.steplen, len(unit.path), unit.steplen))
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    result = {}
    for unit in units:
        parts = [names.get(unit.path[:i], "") for i in range(unit.steplen, len(unit.path), unit.steplen)]
        result[unit.pk] = " / ".join([p for p in parts if p] + [unit.name])
    return result


def role_assignments_for_unit(user: Any, *, unit: Unit) -> QuerySet:
    """Return who holds roles over ``unit`` itself, if the reader may see that unit."""
    assignments = unit.role_assignments.select_related("user").order_by("role", "user__username")
    return scope_for_user(user).filter(assignments, "unit")


def unit_stored(pk: int) -> Unit:
    """The stored state of a unit (the admin hands it, not the posted object, to ``unit_update``)."""
    return Unit.objects.get(pk=pk)


def unit_top_of(scope: Scope) -> Unit | None:
    """The highest active unit among a scope's roots (the desk's default unit)."""
    return Unit.objects.filter(path__in=scope.paths, is_active=True).order_by("path").first()


def unit_active_by_code(code: str) -> Unit | None:
    """The active unit with this code, not yet checked against any scope."""
    code = code.strip()[:64]
    return Unit.objects.filter(code=code, is_active=True).first() if code else None
