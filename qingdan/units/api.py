"""Units over HTTP: list, search, fetch, count, always inside the caller's scope."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from qingdan.units import selectors, services
from qingdan.units.models import Unit
from qingdan.units.schemas import UnitCountOut, UnitCreateIn, UnitOut, UnitPage, UnitUpdateIn

router = Router(tags=["units"])


def _out(unit: Unit, names: dict[int, str] | None = None, parent_code: str | None = None) -> UnitOut:
    return UnitOut(code=unit.code, name=unit.name, kind=unit.kind, level=unit.level, depth=unit.depth,
                   is_active=unit.is_active, children=unit.numchild, parent_code=parent_code,
                   path_names=(names or {}).get(unit.pk))


class UnitFilter(Schema):
    q: str | None = None
    parent: str | None = None
    limit: int = 50


@router.get("/", response=UnitPage, summary="List or search units in scope")
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> UnitPage:
    """Without filters: the tops of your scope. ``parent``: its children. ``q``: a name or code search."""
    limit = max(1, min(filters.limit, 500))
    if filters.q:
        within = selectors.unit_get_for_user(request.user, code=filters.parent) if filters.parent else None
        units = selectors.unit_search_for_user(request.user, query=filters.q, limit=limit, within=within)
    elif filters.parent:
        parent = selectors.unit_get_for_user(request.user, code=filters.parent)
        units = list(selectors.unit_children(parent)[:limit])
    else:
        units = selectors.unit_roots_for_user(request.user)[:limit]
    names = selectors.unit_path_names(units)
    return UnitPage(count=len(units), items=[_out(u, names) for u in units])


@router.get("/{code}", response=UnitOut, summary="One unit")
def unit_detail(request: HttpRequest, code: str) -> UnitOut:
    unit = selectors.unit_get_for_user(request.user, code=code)
    ancestors = selectors.unit_ancestors(unit)
    return _out(unit, selectors.unit_path_names([unit]), ancestors[-1].code if ancestors else None)


@router.get("/{code}/count", response=UnitCountOut, summary="Units in a subtree")
def unit_count(request: HttpRequest, code: str) -> UnitCountOut:
    unit = selectors.unit_get_for_user(request.user, code=code)
    return UnitCountOut(code=unit.code, subtree_units=selectors.unit_subtree_count(unit))


@router.post("/", response={201: UnitOut}, summary="Add a unit under a parent you manage")
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Status:
    parent = selectors.unit_get_for_user(request.user, code=payload.parent)
    unit = services.unit_create(actor=request.user, parent=parent, code=payload.code, name=payload.name,
                                kind=payload.kind, level=payload.level)
    return Status(201, _out(unit, selectors.unit_path_names([unit]), parent.code))


@router.patch("/{code}", response=UnitOut, summary="Rename a unit or change its kind")
def unit_update(request: HttpRequest, code: str, payload: UnitUpdateIn) -> UnitOut:
    unit = selectors.unit_get_for_user(request.user, code=code)
    unit = services.unit_update(actor=request.user, unit=unit, name=payload.name, kind=payload.kind)
    return _out(unit, selectors.unit_path_names([unit]))


@router.post("/{code}/retire", response=UnitOut, summary="Retire a unit (it keeps its history)")
def unit_retire(request: HttpRequest, code: str) -> UnitOut:
    unit = selectors.unit_get_for_user(request.user, code=code)
    return _out(services.unit_retire(actor=request.user, unit=unit), selectors.unit_path_names([unit]))
