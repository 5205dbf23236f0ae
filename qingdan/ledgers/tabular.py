"""Import and export the ledgers as XLSX (or CSV): visits, study sessions, liaison, research topics.

Units keep these ledgers in spreadsheets today. An import reads the file with
``core.tabular.read_table`` (Chinese or English headers, UTF-8 or GBK, XLSX), checks every row,
then creates the rows through the services inside one transaction: if any row is bad, or two
rows of the file are the same record, nothing is saved and every bad row is listed. Units and
people are looked up inside the actor's scope only, so a file cannot probe the tree. Exports
write the same headers (what the import reads back), with typed text made inert for Excel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.core.errors import ApplicationError, RowError, RowErrors
from qingdan.core.tabular import Row, Sheet, column_headers, read_table, unescape_cell, xlsx_bytes
from qingdan.dockets.importers import parse_date, parse_flag
from qingdan.ledgers import selectors, services
from qingdan.ledgers.choices import DURATION_UNIT_ALIASES, SESSION_KIND_ALIASES, Attendance, DurationUnit, SessionKind
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.selectors import staff_named
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user

VISIT_COLUMNS: dict[str, list[str]] = {
    "visited_on": ["走访日期", "日期", "date"],
    "visitor": ["走访人", "走访领导", "用户名"],
    "unit": ["走访地点", "地点", "单位", "村(社区)", "单位编码"],
    "enterprise": ["走访企业", "企业"],
    "households": ["走访户数", "入户数", "户数"],
    "enterprises": ["走访企业数", "企业数"],
    "heard": ["听取意见", "了解情况", "民情"],
    "solved_on_spot": ["现场解决问题数", "现场解决"],
    "problems": ["发现问题", "问题"],
}
SESSION_COLUMNS: dict[str, list[str]] = {
    "unit": ["单位", "单位编码"],
    "kind": ["形式", "类型", "学习形式"],
    "topic": ["主题", "学习主题", "专题"],
    "starts_on": ["开始日期", "日期", "学习日期"],
    "ends_on": ["结束日期"],
    "duration": ["时长", "学习时长"],
    "duration_unit": ["时长单位", "单位(天/小时)"],
    "place": ["地点", "学习地点"],
    "red_site": ["红色教育基地", "红色阵地"],
    "leadership": ["领导班子", "班子学习"],
    "materials": ["学习材料", "材料"],
    "present": ["参加人员", "出席人员"],
    "absent": ["缺席人员"],
    "made_up": ["补学人员"],
}
LIAISON_COLUMNS: dict[str, list[str]] = {
    "leader": ["包联领导", "领导", "用户名"],
    "unit": ["包联单位", "单位", "单位编码"],
    "starts_on": ["开始日期", "起始日期"],
    "ends_on": ["结束日期", "截止日期"],
    "note": ["备注"],
}
TOPIC_COLUMNS: dict[str, list[str]] = {
    "unit": ["单位", "单位编码"],
    "title": ["调研课题", "课题", "题目"],
    "owners": ["负责人", "课题负责人"],
    "started_on": ["开始日期", "立项日期"],
    "notes": ["调研手记数"],
    "reports": ["调研报告数"],
}
KIND_WORDS: dict[str, str] = {kind: word for word, kind in SESSION_KIND_ALIASES.items()}
SEPARATORS = ("、", ",", "，", ";", "；", "\n")


@dataclass
class ImportResult:
    """How many rows a file held and how many records it created."""

    name: str
    rows: int = 0
    created: int = 0

    def summary(self) -> str:
        """Return one line for the command's output."""
        return f"{self.name}: {self.rows} rows read, {self.created} records created"


def _split(value: str) -> list[str]:
    for separator in SEPARATORS[1:]:
        value = value.replace(separator, SEPARATORS[0])
    return [part.strip() for part in value.split(SEPARATORS[0]) if part.strip()]


class _Lookup:
    """Units and people inside the actor's scope, by code or name, cached for the file."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor
        self.scope = scope_for_user(actor) if not isinstance(actor, str) else None
        self.units: dict[str, Unit] = {}
        self.users: dict[str, Any] = {}

    def unit(self, reference: str) -> Unit:
        reference = unescape_cell(reference).strip()
        if reference not in self.units:
            found = Unit.objects.filter(code=reference, is_active=True)
            if self.scope is not None:
                found = self.scope.filter(found)
            unit = found.first()
            if unit is None:
                named = Unit.objects.filter(name=reference, is_active=True)
                if self.scope is not None:
                    named = self.scope.filter(named)
                matches = list(named[:2])
                if len(matches) > 1:
                    raise ValueError(_("%(name)s names several units: use the code") % {"name": reference})
                unit = matches[0] if matches else None
            if unit is None:
                raise ValueError(_("unknown unit %(name)r") % {"name": reference[:40]})
            self.units[reference] = unit
        return self.units[reference]

    def user(self, username: str) -> Any:
        username = unescape_cell(username).strip()
        if username not in self.users:
            user = staff_named(self.actor, [username]).get(username)
            if user is None:
                raise ValueError(_("unknown person %(name)r") % {"name": username[:40]})
            self.users[username] = user
        return self.users[username]


def _count(value: str) -> int:
    if not value.strip():
        return 0
    if not value.strip().isdigit():
        raise ValueError(_("give a whole number"))
    return int(value.strip())


def _import(*, actor: Actor, name: str, data: bytes, columns: dict[str, list[str]], required: list[str],
            key: Callable[[Row], tuple], create: Callable[[Row, _Lookup], Any], action: str) -> ImportResult:
    """Read, check duplicates, create every row through its service in one transaction, or reject it all."""
    table = read_table(data, columns, required=required)
    result = ImportResult(name=name, rows=len(table.rows))
    errors = RowErrors()
    seen: dict[tuple, int] = {}
    for row in table.rows:
        identity = key(row)
        if identity in seen:
            errors.append(RowError(row.number, "", _("the same record as row %(n)d") % {"n": seen[identity]}))
        else:
            seen[identity] = row.number
    lookup = _Lookup(actor)
    with transaction.atomic():
        for row in table.rows:
            try:
                with transaction.atomic():
                    create(row, lookup)
                result.created += 1
            except LedgerInvalid as exc:
                errors.extend(RowError(row.number, column, reason) for column, reason in exc.fields.items())
            except ApplicationError as exc:
                errors.append(RowError(row.number, "", exc.message))
            except ValueError as exc:
                errors.append(RowError(row.number, getattr(exc, "column", ""), str(exc)))
        if errors:
            transaction.set_rollback(True)
        else:
            audit_record(actor=actor, action=action, object_type="file", object_id=name[:64], unit_path="",
                         after={"rows": result.rows, "created": result.created})
    errors.reject_if_any(headers=column_headers(columns))
    return result


def _field(row: Row, column: str, reader: Callable[[str], Any]) -> Any:
    try:
        return reader(row.get(column))
    except ValueError as exc:
        exc.column = column  # type: ignore[attr-defined]  # reported under its column
        raise


def visits_import(*, actor: Actor, name: str, data: bytes) -> ImportResult:
    """Import a visit ledger; each problem in the 发现问题 cell (one per line) goes to the intake queue."""
    def create(row: Row, lookup: _Lookup) -> Any:
        problems = [services.ProblemFound(text=p) for p in row.get("problems").splitlines() if p.strip()]
        return services._visit_record(
            actor=actor, visitor=_field(row, "visitor", lookup.user) if row.get("visitor") else None,
            unit=_field(row, "unit", lookup.unit), visited_on=_field(row, "visited_on", parse_date),
            enterprise=unescape_cell(row.get("enterprise")), households=_field(row, "households", _count),
            enterprises=_field(row, "enterprises", _count), heard=unescape_cell(row.get("heard")),
            solved_on_spot=_field(row, "solved_on_spot", _count), problems=problems)

    return _import(actor=actor, name=name, data=data, columns=VISIT_COLUMNS, required=["visited_on", "unit"],
                   key=lambda r: (r.get("visitor"), r.get("unit"), r.get("visited_on"), r.get("enterprise"),
                                  r.get("heard")),
                   create=create, action="ledgers.visits_imported")


def _kind(value: str) -> str:
    value = value.strip()
    kind = SESSION_KIND_ALIASES.get(value) or (value if value in SessionKind.values else None)
    if kind is None:
        raise ValueError(_("unknown kind %(v)r (集中学习, 读书班, 专题研讨, 宣讲, 党课, 现场教学)") % {"v": value[:20]})
    return kind


def _duration_unit(value: str) -> str:
    value = value.strip()
    if not value:
        return DurationUnit.DAYS
    unit = DURATION_UNIT_ALIASES.get(value) or (value if value in DurationUnit.values else None)
    if unit is None:
        raise ValueError(_("天 or 小时"))
    return unit


def sessions_import(*, actor: Actor, name: str, data: bytes) -> ImportResult:
    """Import a study ledger: one row per session, attendees by user name in three columns."""
    def create(row: Row, lookup: _Lookup) -> Any:
        attendees = []
        for column, status in (("present", Attendance.PRESENT), ("absent", Attendance.ABSENT),
                               ("made_up", Attendance.MADE_UP)):
            for username in _split(row.get(column)):
                attendees.append(services.Attendee(
                    person=_field(row, column, lambda v, u=username: lookup.user(u)),  # type: ignore[misc]  # u binds
                    status=status))
        ends = row.get("ends_on")
        return services._session_record(
            actor=actor, unit=_field(row, "unit", lookup.unit), kind=_field(row, "kind", _kind),
            topic=unescape_cell(row.get("topic")), starts_on=_field(row, "starts_on", parse_date),
            ends_on=_field(row, "ends_on", parse_date) if ends else None, duration=row.get("duration") or "1",
            duration_unit=_field(row, "duration_unit", _duration_unit), place=unescape_cell(row.get("place")),
            red_site=_field(row, "red_site", parse_flag), materials=unescape_cell(row.get("materials")),
            leadership=_field(row, "leadership", parse_flag) if row.get("leadership") else True,
            attendees=attendees)

    return _import(actor=actor, name=name, data=data, columns=SESSION_COLUMNS,
                   required=["unit", "kind", "topic", "starts_on"],
                   key=lambda r: (r.get("unit"), r.get("kind"), r.get("topic"), r.get("starts_on")),
                   create=create, action="ledgers.sessions_imported")


def liaisons_import(*, actor: Actor, name: str, data: bytes) -> ImportResult:
    """Import liaison assignments (包联): leader, unit, period."""
    def create(row: Row, lookup: _Lookup) -> Any:
        ends = row.get("ends_on")
        return services._liaison_assign(
            actor=actor, leader=_field(row, "leader", lookup.user), unit=_field(row, "unit", lookup.unit),
            starts_on=_field(row, "starts_on", parse_date),
            ends_on=_field(row, "ends_on", parse_date) if ends else None, note=unescape_cell(row.get("note")))

    return _import(actor=actor, name=name, data=data, columns=LIAISON_COLUMNS,
                   required=["leader", "unit", "starts_on"],
                   key=lambda r: (r.get("leader"), r.get("unit"), r.get("starts_on")),
                   create=create, action="ledgers.liaisons_imported")


def topics_import(*, actor: Actor, name: str, data: bytes) -> ImportResult:
    """Import research topics (调研课题): unit, title, owners (user names), start date."""
    def create(row: Row, lookup: _Lookup) -> Any:
        owners = [_field(row, "owners", lambda v, u=username: lookup.user(u))  # type: ignore[misc]  # u binds the name
                  for username in _split(row.get("owners"))]
        return services._topic_create(actor=actor, unit=_field(row, "unit", lookup.unit),
                                     title=unescape_cell(row.get("title")), owners=owners,
                                     started_on=_field(row, "started_on", parse_date))

    return _import(actor=actor, name=name, data=data, columns=TOPIC_COLUMNS,
                   required=["unit", "title", "owners", "started_on"],
                   key=lambda r: (r.get("unit"), r.get("title")),
                   create=create, action="ledgers.topics_imported")


# --- exports ---------------------------------------------------------------------------------

def _workbook(title: str, columns: dict[str, list[str]], rows: list[list[Any]]) -> bytes:
    return xlsx_bytes(Sheet(title, [[aliases[0] for aliases in columns.values()], *rows]))


def ledger_export(*, user: Any, ledger: str, start: Any = None, end: Any = None, actor: Actor = None) -> bytes:
    """Export a ledger the user may see (visits, sessions, liaisons, topics) with the import's headers; audited."""
    rows: list[list[Any]] = []
    if ledger == "visits":
        columns, title = VISIT_COLUMNS, "走访台账"
        for v in selectors.visit_list_for_user(user, start=start, end=end).prefetch_related("problems"):
            rows.append([v.visited_on, v.visitor.username, v.unit.code, v.enterprise, v.households, v.enterprises,
                         v.heard, v.solved_on_spot, "\n".join(p.text for p in v.problems.all())])
    elif ledger == "sessions":
        columns, title = SESSION_COLUMNS, "学习台账"
        for s in selectors.session_list_for_user(user, start=start, end=end).prefetch_related("attendances__person"):
            names: dict[str, list[str]] = {a: [] for a in Attendance.values}
            for attendance in s.attendances.all():
                names[attendance.status].append(attendance.person.username)
            rows.append([s.unit.code, KIND_WORDS.get(s.kind, s.kind), s.topic, s.starts_on, s.ends_on, s.duration,
                         "天" if s.duration_unit == DurationUnit.DAYS else "小时", s.place,
                         "是" if s.red_site else "否", "是" if s.leadership else "否", s.materials,
                         "、".join(names["present"]), "、".join(names["absent"]), "、".join(names["made_up"])])
    elif ledger == "liaisons":
        columns, title = LIAISON_COLUMNS, "包联台账"
        for li in selectors.liaison_list_for_user(user):
            rows.append([li.leader.username, li.unit.code, li.starts_on, li.ends_on, li.note])
    elif ledger == "topics":
        columns, title = TOPIC_COLUMNS, "调研课题"
        for t in selectors.topic_list_for_user(user).prefetch_related("owners"):
            rows.append([t.unit.code, t.title, "、".join(o.username for o in t.owners.all()), t.started_on,
                         t.notes, t.reports])  # type: ignore[attr-defined]  # counts topic_list_for_user annotates
    else:
        raise ValueError(f"unknown ledger {ledger!r}")
    data = _workbook(title, columns, rows)
    audit_record(actor=actor or user, action="ledgers.exported", object_type="ledger", object_id=ledger, unit_path="",
                 after={"rows": len(rows)})
    return data
