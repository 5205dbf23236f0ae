"""Import the items of a docket from a CSV or XLSX file: every bad row reported, all or nothing.

A list such as "the 44 problems of the provincial list" arrives as a spreadsheet typed by an
office: Chinese headers, unit names rather than codes, dates written three ways. Each row is
turned into the arguments of ``services.item_create`` and created through it, inside one
transaction for the whole file, so an imported item passes exactly the checks of one typed
into the form (units inside the list, handlers of the lead unit, no deadline in the past …).
The rows that fail are collected; if there is any, the transaction is rolled back and the
file is rejected with one line per problem.

Units are looked up inside the actor's scope only: a unit the actor cannot see is an
"unknown unit", whether or not it exists, so a file cannot be used to probe the tree.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.core.errors import ImportRejected, PermissionDenied, RowError, RowErrors
from qingdan.core.tabular import Row, column_headers, read_table
from qingdan.core.tabular import unescape_cell as unescape_cell  # re-exported: the ledger importers use it
from qingdan.dockets.choices import PRIORITY_ALIASES, Priority
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Docket, Item
from qingdan.dockets.permissions import may_list
from qingdan.dockets.services import item_create
from qingdan.units.models import Unit
from qingdan.units.scopes import GLOBAL, Scope, is_system, scope_for_user, within

# Canonical column → headers accepted. The first Chinese header of each is what the export writes.
COLUMNS: dict[str, list[str]] = {
    "number": ["序号", "编号", "no", "no."],
    "title": ["问题", "事项", "问题清单", "问题名称", "事项名称", "标题", "主要问题"],
    "description": ["具体表现", "问题描述", "具体问题", "描述"],
    "lead_unit": ["牵头单位", "责任单位", "牵头单位编码"],
    "co_units": ["配合单位", "协办单位"],
    "leader": ["责任领导", "牵头领导"],
    "handler": ["承办人", "经办人"],
    "measures": ["整改措施", "措施"],
    "commitment": ["承诺", "整改承诺", "公开承诺", "整改目标"],
    "deadline": ["完成时限", "整改时限", "截止日期", "期限"],
    "working_days": ["工作日", "办理时限(工作日)"],
    "priority": ["优先级", "紧急程度"],
    "category": ["类别", "分类", "问题类别"],
    "parent": ["上级事项", "上级序号", "parent_number"],
    "published": ["公开", "是否公开"],
}
# Item fields named in ItemInvalid → the file's column that holds them.
FIELD_COLUMNS = {"deadline_working_days": "working_days"}
CO_UNIT_SEPARATORS = re.compile(r"[、,，;；\n]+")
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORKING_DAYS = re.compile(r"^(\d{1,4})\s*(?:个)?(?:工作日|天|日)?$")
# Excel stores a date as days since 1899-12-30; a bare number in this range in a date column is one.
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_EXCEL_SERIALS = range(20_000, 80_000)  # 1954 … 2119
TRUE_WORDS = frozenset({"是", "公开", "y", "yes", "true", "1", "√"})
FALSE_WORDS = frozenset({"否", "不公开", "n", "no", "false", "0", ""})


@dataclass
class ImportResult:
    """What a file created: the new items' numbers in the docket, in file order."""

    name: str
    encoding: str
    rows: int = 0
    created: list[int] = field(default_factory=list)

    def summary(self) -> str:
        """Return one line for the command's output."""
        return f"{self.name}: {self.rows} rows read ({self.encoding}), {len(self.created)} items created"


@dataclass
class _Planned:
    row: Row
    number: str  # the file's 序号, used only to point at parents inside the file
    parent_ref: str
    fields: dict[str, Any]
    reported: set[str]  # columns with a problem already listed


def parse_date(value: str) -> datetime.date:
    """Read a date as offices type it: 2026-12-31, 2026/12/31, 2026年12月31日, 20261231, or an Excel serial."""
    text = value.strip()
    if text.isdigit() and int(text) in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(text))
    if text.isdigit() and len(text) == 8:  # 20261231
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _DATE.match(text)
    if not match:
        raise ValueError(_("unreadable date %(value)r (write 2026-12-31 or 2026年12月31日)") % {"value": text[:40]})
    year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(_("no such date %(value)r") % {"value": text[:40]}) from None


def parse_working_days(value: str) -> int:
    """Read a number of working days: 15, 15个工作日, 15天."""
    match = _WORKING_DAYS.match(value.strip())
    if not match:
        raise ValueError(_("not a number of working days: %(value)r") % {"value": value[:20]})
    return int(match.group(1))


def parse_flag(value: str) -> bool:
    """Read 是/否 (yes/no, 1/0)."""
    text = value.strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError(_("write 是 or 否, not %(value)r") % {"value": value[:20]})


def parse_priority(value: str) -> str:
    """Map 一般/重要/紧急 (or normal/high/urgent) to a priority; unknown words are refused."""
    text = value.strip()
    if not text:
        return Priority.NORMAL
    if text.lower() in Priority.values:
        return text.lower()
    if text in PRIORITY_ALIASES:
        return PRIORITY_ALIASES[text]
    raise ValueError(_("unknown priority %(value)r (一般, 重要 or 紧急)") % {"value": text[:20]})


class _UnitResolver:
    """Find units by code or by name, among the units the actor can see inside the docket's owner."""

    def __init__(self, actor: Actor, docket: Docket, references: set[str]) -> None:
        self.scope: Scope = GLOBAL if is_system(actor) else scope_for_user(actor)
        visible = self.scope.filter(Unit.objects.all())
        # Codes anywhere in the actor's scope: a unit outside the list but visible gets
        # item_create's own "outside this list" message; one outside the scope is unknown.
        self.by_code = {u.code: u for u in visible.filter(code__in=references)}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in within(visible.filter(name__in=references), docket.owner_unit).order_by("path"):
            self.by_name.setdefault(unit.name, []).append(unit)

    def resolve(self, reference: str) -> Unit:
        unit = self.by_code.get(reference)
        if unit is not None:
            return unit
        candidates = self.by_name.get(reference, [])
        active = [u for u in candidates if u.is_active] or candidates
        if len(active) == 1:
            return active[0]
        if not active:
            raise ValueError(_("unknown unit %(ref)s") % {"ref": reference[:60]})
        listed = "、".join(f"{u.code}" for u in active[:10])
        raise ValueError(_("%(ref)s names %(n)d units (%(codes)s): write the unit code")
                         % {"ref": reference[:60], "n": len(active), "codes": listed})


def split_units(value: str) -> list[str]:
    """The unit references in a co-operating units cell or field (、 , ， ; ； or new lines between)."""
    return [part.strip() for part in CO_UNIT_SEPARATORS.split(value) if part.strip()]


def items_import(*, actor: Actor, docket: Docket, name: str, data: bytes) -> ImportResult:
    """Create a docket's items from a file, all or nothing; a bad row rejects the file with every problem."""
    if not may_list(actor, docket):
        raise PermissionDenied(_("You may not add items to this list."))
    table = read_table(data, COLUMNS, required=["title", "lead_unit"])
    rows = [Row(number=r.number, values={k: unescape_cell(v) for k, v in r.values.items()}) for r in table.rows]
    if not rows:
        raise ImportRejected(errors=[RowError(2, "", _("the file has no items"))],
                             summary=_("No items; nothing imported."))

    references: set[str] = set()
    usernames: set[str] = set()
    for row in rows:
        references.add(row.get("lead_unit"))
        references.update(split_units(row.get("co_units")))
        usernames.update(filter(None, (row.get("leader"), row.get("handler"))))
    units = _UnitResolver(actor, docket, references)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames, is_active=True)}

    errors = RowErrors()
    planned: list[_Planned] = []
    first_row: dict[str, int] = {}
    for row in rows:
        before = len(errors)
        fields = _row_fields(row, units, users, errors)
        number = row.get("number")
        if number in first_row:
            errors.append(RowError(row.number, "number", _("duplicate number %(n)s (first on row %(row)d)")
                                   % {"n": number[:20], "row": first_row[number]}))
        elif number:
            first_row[number] = row.number
        planned.append(_Planned(row, number, row.get("parent"), fields,
                                reported={e.column for e in errors[before:]}))

    by_number = {p.number: p for p in planned if p.number and first_row.get(p.number) == p.row.number}
    existing = _existing_parents(docket, {p.parent_ref for p in planned if p.parent_ref} - set(by_number))
    order = _creation_order(planned, by_number, existing, errors)
    for plan in planned:
        plan.reported |= {e.column for e in errors if e.row == plan.row.number}

    result = ImportResult(name=name, encoding=table.encoding, rows=len(rows))
    with transaction.atomic():
        created: dict[int, Item] = {}
        for plan in order:
            parent = None
            if plan.parent_ref in by_number:
                parent = created.get(by_number[plan.parent_ref].row.number)
            elif plan.parent_ref:
                parent = existing.get(plan.parent_ref)
            # Rows with unreadable cells are still checked by the service, so every problem of the
            # file is listed at once; what the reader already reported is not reported twice.
            try:
                item = item_create(actor=actor, docket=docket, parent=parent, **plan.fields)
            except ItemInvalid as exc:
                for field_name, message in exc.fields.items():
                    column = FIELD_COLUMNS.get(field_name, field_name)
                    if column not in plan.reported:
                        errors.append(RowError(plan.row.number, column, message))
                continue
            if not plan.reported:
                created[plan.row.number] = item
        if errors:
            transaction.set_rollback(True)
        else:
            result.created = [created[row.number].number for row in rows]
            audit_record(actor=actor, action="dockets.items_imported", obj=docket,
                         unit_path=docket.owner_unit.path,
                         after={"file": name[:200], "rows": len(rows), "numbers": result.created})
    errors.reject_if_any(headers=column_headers(COLUMNS))
    return result


def _row_fields(row: Row, units: _UnitResolver, users: dict[str, Any], errors: list[RowError]) -> dict[str, Any]:
    """Turn one row into item_create's arguments; append a RowError per unreadable cell."""
    fields: dict[str, Any] = {
        "title": row.get("title"), "description": row.get("description"), "measures": row.get("measures"),
        "commitment": row.get("commitment"), "category": row.get("category"),
    }

    def parse(column: str, reader: Any) -> Any:
        raw = row.get(column)
        if not raw:
            return None
        try:
            return reader(raw)
        except ValueError as exc:
            errors.append(RowError(row.number, column, str(exc)))
            return None

    fields["lead_unit"] = parse("lead_unit", units.resolve)
    co_units = []
    for reference in split_units(row.get("co_units")):
        try:
            co_units.append(units.resolve(reference))
        except ValueError as exc:
            errors.append(RowError(row.number, "co_units", str(exc)))
    fields["co_units"] = co_units
    for person in ("leader", "handler"):
        username = row.get(person)
        if username and username not in users:
            # item_create's words for a person who cannot take the item: whether the account exists is not told.
            errors.append(RowError(row.number, person, _("%(name)s is not a handler or leader of the lead unit.")
                                   % {"name": username[:60]}))
        fields[person] = users.get(username) if username else None
    fields["deadline"] = parse("deadline", parse_date)
    fields["deadline_working_days"] = parse("working_days", parse_working_days)
    fields["priority"] = parse("priority", parse_priority) or Priority.NORMAL
    fields["published"] = bool(parse("published", parse_flag))
    parent = row.get("parent")
    if parent and not parent.isdigit():
        errors.append(RowError(row.number, "parent", _("the parent is the number of another item, not %(v)r")
                               % {"v": parent[:20]}))
    return fields


def _existing_parents(docket: Docket, numbers: set[str]) -> dict[str, Item]:
    wanted = [int(n) for n in numbers if n.isdigit() and len(n) < 10]
    return {str(i.number): i for i in Item.objects.filter(docket=docket, number__in=wanted)}


def _creation_order(planned: list[_Planned], by_number: dict[str, _Planned], existing: dict[str, Item],
                    errors: list[RowError]) -> list[_Planned]:
    """Order the rows so a parent is created before its children, keeping the file's order otherwise.

    A parent reference that is neither a row of the file nor an item of the docket, and any
    chain of parents among the rows that loops back, are row errors; those rows are still
    checked by the service without a parent, so their other problems are reported too.
    """
    looping: set[int] = set()
    for plan in planned:
        if not plan.parent_ref:
            continue
        if plan.parent_ref not in by_number and plan.parent_ref not in existing:
            if plan.parent_ref.isdigit():
                errors.append(RowError(plan.row.number, "parent", _("no item number %(n)s in this file or in the list")
                                       % {"n": plan.parent_ref}))
            plan.parent_ref = ""
            continue
        chain: list[_Planned] = [plan]
        cursor: _Planned | None = by_number.get(plan.parent_ref)
        while cursor is not None:
            if cursor is plan:
                rows = ", ".join(str(p.row.number) for p in chain)
                errors.append(RowError(plan.row.number, "parent", _("an item cannot be placed under itself or "
                                                                    "one of its own sub-items (rows %(rows)s)")
                                       % {"rows": rows}))
                looping.add(plan.row.number)
                break
            if cursor in chain or len(chain) > len(planned):
                break  # a loop further up, reported on its own rows
            chain.append(cursor)
            cursor = by_number.get(cursor.parent_ref) if cursor.parent_ref else None
    for plan in planned:
        if plan.row.number in looping:
            plan.parent_ref = ""
    order: list[_Planned] = []
    placed: set[int] = set()
    for plan in planned:
        # Place the row's unplaced ancestors first (loops were cut above), then the row.
        chain = []
        cursor = plan
        while cursor is not None and cursor.row.number not in placed and cursor not in chain:
            chain.append(cursor)
            cursor = by_number.get(cursor.parent_ref) if cursor.parent_ref else None
        for node in reversed(chain):
            placed.add(node.row.number)
            order.append(node)
    return order

