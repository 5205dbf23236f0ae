"""Public reads for the portal: places anyone may choose, and where an unplaced submission goes.

These are the only unit reads without a user: the public form must let an anonymous citizen
pick a place. They show active units' names and codes only, which are public anyway (the
national division list), and never anything attached to a unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Case, IntegerField, QuerySet, Value, When

from qingdan.units.models import Unit
from qingdan.units.selectors import unit_path_names

PLACE_LIMIT = 20
QUERY_MAX = 50


def _active() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True)


def place_search(*, query: str, limit: int = PLACE_LIMIT) -> list[Unit]:
    """Find active units by name (or code prefix): exact names first, then shallow before deep."""
    query = query.strip()[:QUERY_MAX]
    if not query:
        return []
    units = _active().filter(code__startswith=query) if query.isdigit() else _active().filter(name__contains=query)
    units = units.annotate(
        exact=Case(When(name=query, then=Value(0)), default=Value(1), output_field=IntegerField())
    ).order_by("exact", "depth", "path")
    return list(units[:limit])


def place_get(*, code: str) -> Unit | None:
    """Return the active unit with this code, or None (a retired or unknown place is not offered)."""
    code = code.strip()
    if not code or len(code) > 64:
        return None
    return _active().filter(code=code).first()


def place_resolve(*, query: str) -> Unit | None:
    """Return the place meant by a typed search: the only exact name or code, else the only match at all."""
    query = query.strip()[:QUERY_MAX]
    if not query:
        return None
    matches = list(_active().filter(name=query)[:2]) or list(_active().filter(code=query)[:2])
    if not matches:
        matches = place_search(query=query, limit=2)
    return matches[0] if len(matches) == 1 else None


def place_labels(units: list[Unit]) -> dict[int, str]:
    """Return 'province / city / … / name' for each place, so two 城关镇 can be told apart."""
    return unit_path_names(units)


def portal_default_unit() -> Unit | None:
    """Return the unit that holds submissions sent without a place (QINGDAN_PORTAL_UNIT, else the first root)."""
    code = getattr(settings, "QINGDAN_PORTAL_UNIT", "") or ""
    if code:
        return place_get(code=code)
    return _active().filter(depth=1).order_by("path").first()
