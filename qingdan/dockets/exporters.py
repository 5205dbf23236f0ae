"""Export items to an XLSX workbook that re-imports into another list, plus their status.

The first columns carry the import's own Chinese headers (``importers.COLUMNS``), so a list
exported from one docket is a valid import file for another; status, grade, progress and the
loop's dates follow. Nothing about the citizens behind an item is written: no submission,
no name, no phone. The workbook is written by ``core.tabular.xlsx_bytes``, which escapes every
text cell against formula injection, since a spreadsheet would otherwise run it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.tabular import Sheet, xlsx_bytes
from qingdan.core.tabular import escape_cell as escape_cell  # re-exported: callers imported it from here
from qingdan.dockets.choices import Grade, ItemStatus, Priority
from qingdan.dockets.importers import COLUMNS
from qingdan.dockets.models import Item
from qingdan.dockets.selectors import item_queryset_for_user
from qingdan.units.models import Unit
from qingdan.units.scopes import is_system

IMPORT_COLUMNS = ["number", "title", "description", "lead_unit", "co_units", "leader", "handler", "measures",
                  "commitment", "deadline", "working_days", "priority", "category", "parent", "published"]
# The columns only an export has (the import ignores them).
STATUS_HEADERS = ["清单", "牵头单位名称", "状态", "等级", "进度(%)", "挂牌督办", "督办时限", "退单次数",
                  "重新打开次数", "交办时间", "签收时间", "申请销号时间", "销号时间", "创建时间"]
HEADERS = [COLUMNS[name][0] for name in IMPORT_COLUMNS] + STATUS_HEADERS
PRIORITY_WORDS: dict[str, str] = {Priority.NORMAL: "一般", Priority.HIGH: "重要", Priority.URGENT: "紧急"}
STATUS_WORDS: dict[str, str] = {
    ItemStatus.LISTED: "已列单", ItemStatus.DISPATCHED: "已交办", ItemStatus.RETURNED: "已退单",
    ItemStatus.ACCEPTED: "已签收", ItemStatus.RECTIFYING: "整改中", ItemStatus.STAGE_RESULT: "阶段性成果",
    ItemStatus.LEADER_REVIEW: "单位领导审核中", ItemStatus.CLOSURE_REQUESTED: "申请销号",
    ItemStatus.CLOSED: "已销号"}
GRADE_WORDS: dict[str, str] = {Grade.GREEN: "绿", Grade.YELLOW: "黄", Grade.RED: "红"}
_CHUNK = 2000


def _row(item: Item) -> list[Any]:
    co_units = "、".join(unit.code for unit in item.co_units.all())
    deadline, working_days = item.deadline, item.deadline_working_days
    if deadline is not None:
        working_days = None  # dispatched: the days became a date; the import takes one or the other
    values: list[Any] = [
        item.number, item.title, item.description, item.lead_unit.code, co_units,
        item.leader.username if item.leader else "", item.handler.username if item.handler else "",
        item.measures, item.commitment, deadline, working_days,
        PRIORITY_WORDS.get(item.priority, item.priority), item.category,
        item.parent.number if item.parent else None, "是" if item.published else "否",
        item.docket.name, item.lead_unit.name, STATUS_WORDS.get(item.status, item.status),
        GRADE_WORDS.get(item.grade, item.grade), item.progress, "是" if item.supervised else "否",
        item.supervise_deadline, item.returns, item.reopened, item.dispatched_at, item.accepted_at,
        item.closure_requested_at, item.closed_at, item.created_at,
    ]
    return values  # xlsx_bytes escapes every text cell: names, codes and usernames were typed too


def _items(user: Any, queryset: QuerySet[Item]) -> Iterator[Item]:
    if not is_system(user):
        queryset = queryset.filter(pk__in=item_queryset_for_user(user).values("pk"))
    queryset = (queryset.select_related("docket", "lead_unit", "leader", "handler", "parent")
                .prefetch_related(Prefetch("co_units", queryset=Unit.objects.only("pk", "code")))
                .order_by("docket_id", "number"))
    return queryset.iterator(chunk_size=_CHUNK)


def items_export_xlsx(*, user: Any, queryset: QuerySet[Item]) -> bytes:
    """Return one sheet of the items the user may see among ``queryset``; the export is audited.

    The caller passes a scoped queryset; it is narrowed again by ``item_queryset_for_user``
    so a caller's mistake cannot widen what leaves the system.
    """
    count = 0

    def rows() -> Iterator[list[Any]]:
        nonlocal count
        yield HEADERS
        for item in _items(user, queryset):
            yield _row(item)
            count += 1

    data = xlsx_bytes(Sheet("事项清单", rows()))
    audit_record(actor=user, action="dockets.items_exported", object_type="dockets.item", unit_path="",
                 after={"rows": count})
    return data


# The import template's sample row, to be overwritten: every column filled the way the import reads it.
_SAMPLE_DAYS = 90


def import_template_xlsx(docket: Any) -> bytes:
    """An empty import file for ``docket``: the import's columns and one sample row (下载模板).

    The headers are the ones ``importers.COLUMNS`` reads first, in the export's order, so the
    template, an export and an office's own sheet are the same file. The sample row names the
    list's owner unit and a deadline ahead, so the file as downloaded imports as it stands: an
    office sees the shape of a good row, and a template that stops importing fails its test.
    """
    sample = {
        "number": 1, "title": "示例：老旧小区路灯损坏，夜间出行不便",
        "description": "示例：群众反映3个小区路灯长期不亮",
        "lead_unit": docket.owner_unit.code, "co_units": "", "leader": "", "handler": "",
        "measures": "示例：排查并修复损坏路灯，建立巡查机制", "commitment": "示例：三个月内修复全部损坏路灯",
        "deadline": timezone.localdate() + datetime.timedelta(days=_SAMPLE_DAYS), "working_days": None,
        "priority": PRIORITY_WORDS[Priority.NORMAL], "category": "城市管理", "parent": None, "published": "否",
    }
    headers = [COLUMNS[name][0] for name in IMPORT_COLUMNS]
    widths = {"B": 36, "C": 30, "D": 14, "H": 30, "I": 30, "J": 12}
    return xlsx_bytes(Sheet("导入模板", [headers, [sample[name] for name in IMPORT_COLUMNS]], widths=widths))
