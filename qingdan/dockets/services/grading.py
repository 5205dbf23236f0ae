"""Grade open items green / yellow / red by their deadlines, and urge the late ones.

Grading runs over every open item (a million at province scale), so it is a few indexed
bulk UPDATEs per distinct "due soon" setting, not a loop over items. Only items whose grade
changes are touched, get a timeline event and are urged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.bulk import write_rows
from qingdan.dockets import notices
from qingdan.dockets.choices import GRADED_STATUSES, EventKind, Grade
from qingdan.dockets.models import Docket, Item, ItemEvent
from qingdan.dockets.services.common import soon_until, today
from qingdan.dockets.signals import items_regraded

_EVENT_BATCH = 5000


@dataclass
class GradeRun:
    """What a grading pass changed: item ids per new grade."""

    changed: dict[str, list[int]] = field(default_factory=lambda: {g: [] for g in Grade.values})
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Grade.values, 0))

    @property
    def total(self) -> int:
        return sum(len(ids) for ids in self.changed.values()) + sum(self.counts.values())


def items_grade(*, on: datetime.date | None = None, urge: bool = True) -> GradeRun:
    """Regrade every open item for the day ``on`` (default today)."""
    on = on or today()
    run = GradeRun()
    open_items = Item.objects.filter(status__in=GRADED_STATUSES)
    soon_settings = sorted(set(Docket.objects.filter(items__status__in=GRADED_STATUSES).values_list(
        "due_soon_days", flat=True).distinct()))
    with transaction.atomic(durable=True):
        for days in soon_settings:
            soon = soon_until(on, days)
            # With one setting in use (the usual case) no join to the dockets is needed.
            scoped = open_items if len(soon_settings) == 1 else open_items.filter(docket__due_soon_days=days)
            wanted = {
                Grade.RED: Q(due_on__lt=on),
                Grade.YELLOW: Q(due_on__gte=on, due_on__lte=soon),
                Grade.GREEN: Q(due_on__isnull=True) | Q(due_on__gt=soon),
            }
            for grade, condition in wanted.items():
                changing = scoped.filter(condition).exclude(grade=grade)
                if urge:
                    ids = list(changing.values_list("pk", flat=True))
                    _update_ids(ids, grade)
                    run.changed[grade].extend(ids)
                else:
                    run.counts[grade] += changing.update(grade=grade)
        if urge:
            _record(run)
        items_regraded.send(sender=Item, changed=run.changed if urge else None, on=on)
        audit_record(actor="system", action="dockets.items_graded", object_type="dockets.item",
                     unit_path="", after={"on": on.isoformat(),
                                          **{g: len(run.changed[g]) + run.counts[g] for g in Grade.values}})
    return run


def _update_ids(ids: list[int], grade: str) -> int:
    done = 0
    for start in range(0, len(ids), _EVENT_BATCH):
        done += Item.objects.filter(pk__in=ids[start:start + _EVENT_BATCH]).update(grade=grade)
    return done


def _record(run: GradeRun) -> None:
    """Add a timeline event to each item that turned yellow or red, and urge its people once."""
    now = timezone.now()
    late = run.changed[Grade.YELLOW] + run.changed[Grade.RED]
    for start in range(0, len(late), _EVENT_BATCH):
        chunk = Item.objects.filter(pk__in=late[start:start + _EVENT_BATCH]).values_list(
            "pk", "grade", "lead_unit_id")
        # COPY (PostgreSQL) / executemany (SQLite): bulk_create's per-value preparation was a
        # quarter of a run that turned half a million items (bench loop).
        write_rows(ItemEvent, [
            ItemEvent(item_id=pk, kind=EventKind.GRADED, actor_label="system", data={"grade": grade},
                      unit_id=unit_id, at=now) for pk, grade, unit_id in chunk])
    notices.items_late(run.changed[Grade.YELLOW], run.changed[Grade.RED])
