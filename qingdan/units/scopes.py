"""Who sees what: the one place where a user's scope is computed and applied.

A scope is a set of subtrees of the unit tree. Pages, the API, exports, the admin and
background jobs all filter through ``Scope.filter`` so that no surface can forget it.
Subtree membership is a range on the materialised path, which every database answers
from the path's B-tree index.

The vocabulary every other module uses (``tests/test_scope_vocabulary.py`` refuses a subtree
range or a path prefix comparison written anywhere else):

- ``within(queryset, root, field)`` / ``within_q(root, field)``: rows whose unit lies in root's
  subtree, as a queryset or a ``Q``;
- ``is_inside(unit, root)``: the same test for objects already loaded;
- ``may(actor, unit, roles)``: the system, or a person holding one of ``roles`` over the unit.
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


def _path(node: Unit | str) -> str:
    return node if isinstance(node, str) else node.path


def _path_lookup(field: str, path_field: str) -> str:
    return f"{field}__{path_field}" if field else path_field


def within_q(root: Unit | str, field: str = "", *, strict: bool = False, path_field: str = "path") -> Q:
    """Return the filter "the unit lies in root's subtree" (root given as a Unit or its path).

    ``field`` is "" for the Unit itself or a foreign key path to it ("unit", "docket__owner_unit").
    ``strict`` leaves root itself out (only the units below it). ``path_field`` names the path
    column when a model keeps a copied path instead of a foreign key (the audit trail's
    ``unit_path``). A range, not ``path__startswith``: PostgreSQL cannot answer a LIKE from the
    path's B-tree index under a non-C collation, and the range is one index scan everywhere.
    """
    low, high = subtree_bounds(_path(root))
    lookup = _path_lookup(field, path_field)
    return Q(**{f"{lookup}__gt" if strict else f"{lookup}__gte": low, f"{lookup}__lte": high})


def within(queryset: QuerySet, root: Unit | str, field: str = "", *, strict: bool = False,
           path_field: str = "path") -> QuerySet:
    """Restrict a queryset to rows whose unit lies in root's subtree (see ``within_q``)."""
    return queryset.filter(within_q(root, field, strict=strict, path_field=path_field))


def is_inside(unit: Unit | str, root: Unit | str, *, strict: bool = False) -> bool:
    """Tell whether a loaded unit (or path) lies in root's subtree: root itself counts unless ``strict``.

    Paths are made of fixed-length steps, so a prefix of whole steps is an ancestor: "00010001" is
    inside "0001", "0002" is not, and no sibling's path begins with another sibling's.
    """
    path, root_path = _path(unit), _path(root)
    return path.startswith(root_path) and not (strict and path == root_path)


def _minimal(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the set."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(is_inside(path, kept) for kept in result):
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

    def q(self, field: str = "", *, path_field: str = "path") -> Q:
        """Return a filter on a unit (``field=""``) or on a model's unit foreign key (``"unit"``)."""
        if self.is_global:
            return Q()
        if not self.paths:
            return Q(**{_path_lookup(field, "pk__in"): []})
        condition = Q()
        for path in self.paths:
            condition |= within_q(path, field, path_field=path_field)
        return condition

    def filter(self, queryset: QuerySet, field: str = "", *, path_field: str = "path") -> QuerySet:
        """Restrict a queryset to rows whose unit lies inside the scope (``path_field`` as in ``within_q``)."""
        if self.is_global:
            return queryset
        return queryset.filter(self.q(field, path_field=path_field))

    def contains_path(self, path: str) -> bool:
        """Tell whether the unit with this path lies inside the scope."""
        return self.is_global or any(is_inside(path, root) for root in self.paths)

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


def may(actor: object, unit: Unit, roles: Iterable[str] | None = None) -> bool:
    """Tell whether the actor is the system or a person holding one of ``roles`` (any role if None) over the unit.

    The one "system or in scope" check. It asks only where the unit sits in the tree: a rule that
    also wants the unit active, or asks about a docket's owner unit rather than its items' lead
    unit, says so at its call site.
    """
    return is_system(actor) or scope_for_user(actor, roles=roles).contains(unit)
