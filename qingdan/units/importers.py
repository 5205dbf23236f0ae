"""Import units from a CSV or XLSX file: every bad row reported, all or nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record_many
from qingdan.core.errors import RowError, RowErrors
from qingdan.core.tabular import Row, read_table
from qingdan.units.choices import MANAGE_ROLES, UnitKind, UnitLevel
from qingdan.units.models import Unit
from qingdan.units.paths import PathAllocator, units_bulk_add
from qingdan.units.permissions import may_add_root, may_set_unit_kind
from qingdan.units.scopes import GLOBAL, is_system, scope_for_user
from qingdan.units.validators import unit_code_problem

COLUMNS = {
    "code": ["编码", "单位编码", "代码", "机构编码", "unit_code"],
    "name": ["名称", "单位名称", "单位", "unit_name"],
    "kind": ["类型", "单位类型", "type"],
    "parent": ["上级编码", "上级单位编码", "上级单位", "上级", "parent_code"],
    "level": ["层级", "级别"],
}
KIND_ALIASES = {
    "区域": UnitKind.REGION, "行政区": UnitKind.REGION, "地区": UnitKind.REGION, "行政区划": UnitKind.REGION,
    "部门": UnitKind.DEPARTMENT, "机关": UnitKind.DEPARTMENT, "单位": UnitKind.DEPARTMENT,
    "党组织": UnitKind.PARTY, "党委": UnitKind.PARTY, "党支部": UnitKind.PARTY,
    "纪检": UnitKind.DISCIPLINE, "纪委监委": UnitKind.DISCIPLINE, "纪检监察": UnitKind.DISCIPLINE,
    "其他": UnitKind.ORGANIZATION, "组织": UnitKind.ORGANIZATION, "企业": UnitKind.ORGANIZATION,
    "社会组织": UnitKind.ORGANIZATION,
}
LEVEL_ALIASES = {"省": 1, "省级": 1, "市": 2, "市级": 2, "县": 3, "县级": 3, "区县": 3,
                 "乡镇": 4, "乡镇街道": 4, "街道": 4, "村": 5, "社区": 5, "村社区": 5}


@dataclass
class UnitImportResult:
    """What a unit file changed."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass
class _Planned:
    row: Row
    code: str
    name: str
    kind: str  # "" when the file leaves it blank: department for a new unit, unchanged for an existing one
    level: int | None
    parent: str


def _parse_kind(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return ""
    if value.lower() in UnitKind.values:
        return value.lower()
    return KIND_ALIASES.get(value)


def _parse_level(raw: str) -> int | str | None:
    value = raw.strip()
    if not value:
        return None
    if value.isdigit() and int(value) in UnitLevel.values:
        return int(value)
    return LEVEL_ALIASES.get(value, "bad")


def units_import(*, actor: Any, source: str | Path | bytes) -> UnitImportResult:
    """Validate the whole file, then create and update units in one transaction.

    A row names its parent by code; the parent may be an existing unit or another row of the
    file (in any order). Moving an existing unit to another parent is refused: moves change
    the scope of everything below, so they are done one at a time in the admin.
    """
    table = read_table(source, COLUMNS, required=["code", "name", "parent"])
    errors = RowErrors()
    planned: dict[str, _Planned] = {}
    first_row: dict[str, int] = {}
    for row in table.rows:
        code, name = row.get("code"), row.get("name")
        kind = _parse_kind(row.get("kind"))
        level = _parse_level(row.get("level"))
        bad = False
        if problem := unit_code_problem(code or ""):  # the services' rule, the same for one unit or a file
            errors.append(RowError(row.number, "code", problem))
            bad = True
        if not name:
            errors.append(RowError(row.number, "name", "empty name"))
            bad = True
        elif len(name) > 120:
            errors.append(RowError(row.number, "name", "name longer than 120 characters"))
            bad = True
        if kind is None:
            errors.append(RowError(row.number, "kind", f"unknown kind {row.get('kind')!r}"))
            bad = True
        if level == "bad":
            errors.append(RowError(row.number, "level", f"unknown level {row.get('level')!r}"))
            bad = True
        if code and code in first_row:
            errors.append(RowError(row.number, "code", f"duplicate code {code} (first on row {first_row[code]})"))
            bad = True
        elif code:
            first_row[code] = row.number
        if code and row.get("parent") == code:
            errors.append(RowError(row.number, "parent", "a unit cannot be its own parent"))
            bad = True
        if not bad:
            planned[code] = _Planned(row, code, name, str(kind), level if isinstance(level, int) else None,
                                     row.get("parent"))

    referenced = {p.parent for p in planned.values() if p.parent} | set(planned)
    known = {u.code: u for u in Unit.objects.filter(code__in=referenced)}
    manage_scope = GLOBAL if is_system(actor) else scope_for_user(actor, roles=MANAGE_ROLES)
    for plan in planned.values():
        existing = known.get(plan.code)
        if not plan.parent:
            if existing is None and not may_add_root(actor):
                errors.append(RowError(plan.row.number, "parent", "only a system administrator may add a root unit"))
        elif plan.parent not in known and plan.parent not in planned and plan.parent not in first_row:
            errors.append(RowError(plan.row.number, "parent", f"unknown parent {plan.parent}"))
        elif existing is None and plan.parent in known and not manage_scope.contains(known[plan.parent]):
            # Only new units need a managed parent: an organizer may re-list its own top unit.
            errors.append(RowError(plan.row.number, "parent", f"parent {plan.parent} is outside the units you manage"))
        elif existing is None and plan.parent in known and not known[plan.parent].is_active:
            errors.append(RowError(plan.row.number, "parent", f"parent {plan.parent} is retired"))
        old_kind = existing.kind if existing is not None else None
        new_kind = plan.kind or (old_kind or UnitKind.DEPARTMENT)
        if not may_set_unit_kind(actor, old_kind, new_kind):
            errors.append(RowError(plan.row.number, "kind", "only a superuser may create or relabel a discipline body"))
        if existing is not None:
            if not manage_scope.contains(existing):
                errors.append(RowError(plan.row.number, "code", f"unit {plan.code} is outside the units you manage"))
            elif (Unit.objects.get_parent(existing).code if existing.depth > 1 else "") != plan.parent:
                errors.append(RowError(plan.row.number, "parent",
                                       f"unit {plan.code} already exists under another parent; move it in the admin"))

    # Cycles: follow each new row's parent chain through the file until it reaches the database.
    for plan in planned.values():
        if plan.code in known:
            continue
        chain, cursor = [plan.code], plan.parent
        while cursor in planned and cursor not in known:
            if cursor in chain:
                rows = ", ".join(str(planned[c].row.number) for c in chain[chain.index(cursor):])
                errors.append(RowError(plan.row.number, "parent", f"parent chain loops back (rows {rows})"))
                break
            chain.append(cursor)
            cursor = planned[cursor].parent
    errors.reject_if_any()
    return _apply(actor, planned, known)


def _apply(actor: Any, planned: dict[str, _Planned], known: dict[str, Unit]) -> UnitImportResult:
    result = UnitImportResult()
    now = timezone.now()
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        allocator = PathAllocator(list(Unit.objects.values_list("path", flat=True).iterator(chunk_size=20000)))
        path_of = {code: unit.path for code, unit in known.items()}
        level_of = {code: unit.level for code, unit in known.items()}
        created: list[Unit] = []
        gained: Counter[str] = Counter()
        pending = [p for p in planned.values() if p.code not in known]
        while pending:  # parents before children, whatever the file's order
            ready = [p for p in pending if not p.parent or p.parent in path_of]
            for plan in ready:
                parent_path = path_of[plan.parent] if plan.parent else ""
                path = allocator.next_child(parent_path)
                path_of[plan.code] = path
                level = plan.level or (level_of[plan.parent] if plan.parent else UnitLevel.PROVINCE)
                level_of[plan.code] = level
                gained[parent_path] += 1
                created.append(Unit(code=plan.code, name=plan.name, kind=plan.kind or UnitKind.DEPARTMENT,
                                    level=level, path=path,
                                    depth=len(path) // Unit.steplen, numchild=0, created_at=now, updated_at=now))
            if not ready:  # validation rules out cycles and unknown parents; never loop forever
                raise RuntimeError("units_import: rows left whose parent cannot be placed")
            placed = {p.code for p in ready}  # by code: comparing the dataclasses is quadratic
            pending = [p for p in pending if p.code not in placed]
        units_bulk_add(created, gained, batch=2000)
        for unit in created:
            result.created.append(unit.code)
            changes.append({"object_type": "units.unit", "object_id": unit.code, "unit_path": unit.path,
                            "after": {"code": unit.code, "name": unit.name, "kind": unit.kind, "level": unit.level}})
        for code, plan in planned.items():
            unit = known.get(code)
            if unit is None:
                continue
            kind = plan.kind or unit.kind
            if unit.name == plan.name and unit.kind == kind:
                result.unchanged += 1
                continue
            before = {"name": unit.name, "kind": unit.kind}
            Unit.objects.filter(pk=unit.pk).update(name=plan.name, kind=kind, updated_at=now)
            result.updated.append(code)
            changes.append({"object_type": "units.unit", "object_id": code, "unit_path": unit.path,
                            "before": before, "after": {"name": plan.name, "kind": kind}})
        audit_record_many(actor=actor, action="units.unit_imported", changes=changes)
        _notify_discipline_changes(actor, created, planned, known)
    return result


def _notify_discipline_changes(actor: Any, created: list[Unit], planned: dict[str, _Planned],
                               known: dict[str, Unit]) -> None:
    """Tell the discipline body above of every discipline unit the file made or relabelled."""
    from qingdan.units.services import discipline_change_notify

    touched = [u.code for u in created if u.kind == UnitKind.DISCIPLINE]
    touched += [code for code, unit in known.items() if code in planned
                and UnitKind.DISCIPLINE in (unit.kind, planned[code].kind or unit.kind)
                and unit.kind != (planned[code].kind or unit.kind)]
    for unit in Unit.objects.filter(code__in=touched):
        discipline_change_notify(actor=actor, unit=unit, kind="unit.discipline_changed",
                                 title=_("An import created or relabelled a discipline body: %(name)s")
                                 % {"name": unit.name},
                                 body=f"{unit.code} · {actor}")
