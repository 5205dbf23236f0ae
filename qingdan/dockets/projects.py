"""Livelihood projects (民生实事): milestones, investment and households on items of "project" dockets.

A project is an ordinary item of a docket of kind "project", so dispatch, grading, closure and
public disclosure are the loop's own. What this module adds is written through ``step()`` like
every other docket service: on a fresh, locked copy of the item, version-checked, with the
``item_changed`` signal and an audit entry in the same transaction. A leaf project's progress
follows its milestones (reached / planned); parents then roll up by weight (``rollup_progress``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from qingdan.dockets.choices import CLOSED_STATUSES, DocketKind, Grade, ItemStatus
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Item, Milestone
from qingdan.dockets.permissions import may_list, may_work
from qingdan.dockets.selectors import TOP_LEVEL, ItemCounts, docket_counts, item_queryset_for_user
from qingdan.dockets.services.common import event, step, today
from qingdan.dockets.services.items import rollup_progress
from qingdan.units.models import Unit
from qingdan.units.scopes import within

MAX_MILESTONES = 50
MAX_INVESTMENT = Decimal("999999999999")


def _is_project(item: Item) -> None:
    if item.docket.kind != DocketKind.PROJECT:
        raise ItemInvalid({"docket": _("Only livelihood projects have milestones and investment.")})


def _may_plan(actor: Any, item: Item) -> bool:
    """The list's owners plan a project; the lead unit's handlers and leaders keep it up to date."""
    return may_list(actor, item.docket) or may_work(actor, item)


def _milestone_progress(current: Item) -> None:
    """Set a leaf project's progress from its milestones (children roll up instead)."""
    if current.children.exists():
        return
    marks = list(current.milestones.values_list("done_on", flat=True))
    if marks:
        current.progress = round(100 * sum(1 for d in marks if d) / len(marks))


def milestone_add(*, actor: Any, item: Item, title: str, due_on: datetime.date,
                  version: int | None = None) -> Milestone:
    """Plan a milestone of a project (立项, 开工, 完工, 验收 …)."""
    _is_project(item)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ItemInvalid({"milestone": _("Give the milestone a title (at most 200 characters).")})
    if due_on is None:
        raise ItemInvalid({"due_on": _("Give the planned date.")})
    created: list[Milestone] = []

    def change(current: Item) -> dict:
        count = current.milestones.count()
        if count >= MAX_MILESTONES:
            raise ItemInvalid({"milestone": _("Too many milestones.")})
        created.append(Milestone.objects.create(item=current, title=title, due_on=due_on, position=count + 1))
        _milestone_progress(current)
        event(current, "edited", actor=actor, text=_("Milestone planned: %(t)s (%(d)s)") % {"t": title, "d": due_on},
              data={"milestone": created[0].pk})
        return {"milestone": title, "due_on": str(due_on), "progress": current.progress}

    updated = step(actor=actor, item=item, action="project_milestone_added", allowed=None, permitted=_may_plan,
                   version=version, change=change)
    if updated.parent_id:
        rollup_progress(updated.parent)
    return created[0]


def milestone_reach(*, actor: Any, milestone: Milestone, done_on: datetime.date,
                    version: int | None = None) -> Milestone:
    """Record that a milestone was reached on a date (not in the future); progress follows."""
    item = milestone.item
    _is_project(item)
    if done_on is None or done_on > today():
        raise ItemInvalid({"done_on": _("A milestone cannot be reached in the future.")})

    def change(current: Item) -> dict:
        row = Milestone.objects.select_for_update().get(pk=milestone.pk, item=current)
        if row.done_on is not None:
            raise ItemInvalid({"done_on": _("This milestone was already reached.")})
        row.done_on = done_on
        row.save(update_fields=["done_on"])
        milestone.done_on = done_on
        _milestone_progress(current)
        event(current, "progress", actor=actor, text=_("Milestone reached: %(t)s") % {"t": row.title},
              data={"milestone": row.pk, "progress": current.progress})
        return {"milestone": row.title, "done_on": str(done_on), "progress": current.progress}

    updated = step(actor=actor, item=item, action="project_milestone_reached", allowed=None, permitted=may_work,
                   version=version, change=change)
    if updated.parent_id:
        rollup_progress(updated.parent)
    return milestone


def _amount(value: Any, field: str, errors: dict[str, str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors[field] = _("Give an amount in 10k yuan.")
        return None
    if amount < 0 or amount > MAX_INVESTMENT:
        errors[field] = _("Give an amount in 10k yuan.")
        return None
    return amount


def project_figures_update(*, actor: Any, item: Item, planned_investment: Any = None, actual_investment: Any = None,
                           beneficiaries: int | None = None, version: int | None = None) -> Item:
    """Update a project's planned and actual investment (10k yuan) and households benefiting."""
    _is_project(item)
    errors: dict[str, str] = {}
    planned = _amount(planned_investment, "planned_investment", errors)
    actual = _amount(actual_investment, "actual_investment", errors)
    if beneficiaries is not None and (not isinstance(beneficiaries, int) or beneficiaries < 0):
        errors["beneficiaries"] = _("Give a number of households.")
    if errors:
        raise ItemInvalid(errors)

    def change(current: Item) -> dict:
        before = {"planned": str(current.planned_investment), "actual": str(current.actual_investment),
                  "households": current.beneficiaries}
        if planned is not None:
            current.planned_investment = planned
        if actual is not None:
            current.actual_investment = actual
        if beneficiaries is not None:
            current.beneficiaries = beneficiaries
        event(current, "edited", actor=actor, text=_("Investment and households updated."),
              data={"before": before})
        return {"planned": str(current.planned_investment), "actual": str(current.actual_investment),
                "households": current.beneficiaries}

    return step(actor=actor, item=item, action="project_figures_updated", allowed=None, permitted=_may_plan,
                version=version, change=change)


def project_on_schedule(item: Item, *, on: datetime.date | None = None) -> bool:
    """Tell whether an open project keeps its schedule: no milestone past due unreached, not overdue."""
    on = on or today()
    if item.status == ItemStatus.CLOSED:
        return True
    if item.grade == Grade.RED or (item.due_on is not None and item.due_on < on):
        return False
    return not item.milestones.filter(due_on__lt=on, done_on__isnull=True).exists()


@dataclass
class ProjectCounts:
    determined: int
    completed: int
    on_schedule: int
    behind: int
    planned_investment: Decimal
    actual_investment: Decimal
    households: int
    sub_items: ItemCounts = field(default_factory=ItemCounts)


def project_counts(*, user: Any, unit: Unit | None = None, on: datetime.date | None = None) -> ProjectCounts:
    """Count the livelihood projects the user may see: determined (listed), completed, on schedule.

    Determined and completed are the lists' own counters (``selectors.docket_counts``: top-level
    items; a sub-item is a part of one project and is counted apart in ``sub_items``), so the
    ledger figures say what the list pages say. "On schedule" counts open projects with no
    unreached milestone past its date and no passed deadline, plus completed ones. Investment and
    households are the top-level projects' own figures.
    """
    on = on or today()
    every = item_queryset_for_user(user).filter(docket__kind=DocketKind.PROJECT)
    if unit is not None:
        every = within(every, unit, "lead_unit")
    counts = docket_counts(every)
    projects = every.filter(TOP_LEVEL)
    late_milestone = Milestone.objects.filter(item=OuterRef("pk"), due_on__lt=on, done_on__isnull=True)
    open_projects = projects.exclude(status__in=CLOSED_STATUSES)
    behind = open_projects.filter(Q(Exists(late_milestone)) | Q(due_on__lt=on) | Q(grade=Grade.RED)).count()
    totals = projects.aggregate(p=Sum("planned_investment"), a=Sum("actual_investment"), h=Sum("beneficiaries"))
    return ProjectCounts(determined=counts.listed, completed=counts.closed, on_schedule=counts.listed - behind,
                         behind=behind, planned_investment=totals["p"] or Decimal(0),
                         actual_investment=totals["a"] or Decimal(0), households=totals["h"] or 0,
                         sub_items=counts.sub_items)
