"""Who sees what: the one place where a user's scope is computed and applied.

A scope is a set of subtrees of the unit tree. Pages, the API, exports, the admin and
background jobs all filter through ``Scope.filter`` so that no surface can forget it.
Subtree membership is a range on the materialised path, which every database answers
from the path's B-tree index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from qingdan.units.models import Unit

_PATH_MAX = 255
# Path steps use 0-9A-Z, so "Z" repeated is greater than any descendant path in every collation.
_HIGH = "Z"


def subtree_bounds(path: str) -> tuple[str, str]:
    """Return the inclusive path range covering a node and all of its descendants."""
    return path, path + _HIGH * (_PATH_MAX - len(path))


def _minimal(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return tuple(result)


@dataclass(frozen=True)
class Scope:
    """A union of subtrees (by root path), or everything for the global scope."""

    paths: tuple[str, ...] = ()
    is_global: bool = False

    @classmethod
    def of_paths(cls, paths: Iterable[str]) -> Scope:
        """Build a scope from subtree root paths."""
        return cls(paths=_minimal(paths))

    def q(self, field: str = "") -> Q:
        """Return a filter on a unit (``field=""``) or on a model's unit foreign key (``"unit"``)."""
        prefix = f"{field}__" if field else ""
        if self.is_global:
            return Q()
        if not self.paths:
            return Q(**{f"{prefix}pk__in": []})
        condition = Q()
        for path in self.paths:
            low, high = subtree_bounds(path)
            condition |= Q(**{f"{prefix}path__gte": low, f"{prefix}path__lte": high})
        return condition

    def filter(self, queryset: QuerySet, field: str = "") -> QuerySet:
        """Restrict a queryset to rows whose unit lies inside the scope."""
        if self.is_global:
            return queryset
        return queryset.filter(self.q(field))

    def contains_path(self, path: str) -> bool:
        """Tell whether the unit with this path lies inside the scope."""
        return self.is_global or any(path.startswith(root) for root in self.paths)

    def contains(self, unit: Unit) -> bool:
        """Tell whether the unit lies inside the scope."""
        return self.contains_path(unit.path)

    @property
    def is_empty(self) -> bool:
        """Tell whether the scope covers nothing."""
        return not self.is_global and not self.paths


EMPTY = Scope()
GLOBAL = Scope(is_global=True)


def scope_for_user(user: object, *, roles: Iterable[str] | None = None) -> Scope:
    """Return the subtrees the user may see, optionally only those held with one of ``roles``.

    Superusers see everything. Inactive and anonymous users see nothing. The result for all
    roles is cached on the user object for the length of the request.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return EMPTY
    if getattr(user, "is_superuser", False):
        return GLOBAL
    role_set = frozenset(roles) if roles is not None else None
    cache: dict = user.__dict__.setdefault("_qingdan_scopes", {})
    if role_set in cache:
        return cache[role_set]
    # One filter() call: chained filters on a multi-valued relation would join twice and match
    # a unit where this user holds any role while *someone else* holds the asked-for one.
    conditions = {"role_assignments__user_id": user.pk}  # type: ignore[attr-defined]
    if role_set is not None:
        conditions["role_assignments__role__in"] = role_set
    scope = Scope.of_paths(Unit.objects.filter(**conditions).values_list("path", flat=True))
    cache[role_set] = scope
    return scope


def forget_scope(user: object) -> None:
    """Drop the cached scope after the user's roles change."""
    user.__dict__.pop("_qingdan_scopes", None)


def is_system(actor: object) -> bool:
    """Tell whether an action is taken by the system itself (a server command), not a person."""
    return actor is None or isinstance(actor, str)
