"""The weekly report (一周一报): what a unit's subtree (or one docket) did this week, against last week.

Figures of a whole unit come from the running figures (a few rows); a docket's figures and the
lists (overdue items with their leading units, per-docket lines, hot issues) are read from
the items of the unit's subtree, which a weekly job can afford.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.periods import Period, period_containing
from qingdan.dockets.choices import GRADED_STATUSES, OPEN_STATUSES
from qingdan.dockets.models import Item
from qingdan.dockets.selectors import TOP_LEVEL
from qingdan.supervision.figures import response_limit
from qingdan.supervision.rates import Rates, sentence
from qingdan.supervision.selectors import unit_rates
from qingdan.units.models import Unit
from qingdan.units.scopes import within

WEEK_FIGURES = ("new", "dispatched", "closed", "stage_results", "closed_on_time", "responded", "returns")
# A whole unit's report also counts the follow-up ratings (of every case, with or without an
# item); a docket's counts come from its items, which ratings do not belong to.
UNIT_WEEK_FIGURES = (*WEEK_FIGURES, "rated")
OVERDUE_LIMIT = 100
HOT_LIMIT = 10


@dataclass
class FigureLine:
    """One line of the report's figures: this week beside last week, and the change between them."""

    name: str
    label: str
    this_week: int
    last_week: int

    @property
    def delta(self) -> int:
        return self.this_week - self.last_week


@dataclass
class WeeklyReport:
    """Everything one weekly report shows; the renderers only lay it out."""

    unit: Unit
    week: Period
    docket: Any = None
    lines: list[FigureLine] = field(default_factory=list)
    open_now: int = 0
    overdue_now: int = 0
    satisfaction: str = "—"
    resolution: str = "—"
    overdue: list[dict] = field(default_factory=list)
    by_docket: list[dict] = field(default_factory=list)
    hot_issues: list[dict] | None = None  # None: the hot-issue source is not available
    sentence: str = ""
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        name = self.unit.name if self.docket is None else f"{self.unit.name} · {self.docket.name}"
        return _("%(name)s weekly report %(week)s") % {"name": name, "week": self.week.key}


def figure_labels() -> dict[str, str]:
    """The figures' names as readers see them, translated on each call so the active language applies."""
    return {"new": _("New items"), "dispatched": _("Dispatched"), "closed": _("Closed"),
            "stage_results": _("Stage results"), "closed_on_time": _("Closed on time"),
            "responded": _("Answered in time"), "returns": _("Returns"), "rated": _("Ratings")}


def _items_in(unit: Unit, docket: Any = None):
    items = within(Item.objects.all(), unit, "lead_unit")
    return items.filter(docket=docket) if docket is not None else items


def _docket_counts(unit: Unit, docket: Any, week: Period) -> dict[str, int]:
    """A docket's counts for one week, straight from its top-level items (dockets have no running figures)."""
    start = datetime.datetime.combine(week.start, datetime.time.min, tzinfo=timezone.get_current_timezone())
    end = start + datetime.timedelta(days=7)
    items = _items_in(unit, docket).filter(TOP_LEVEL).annotate(closed_day=TruncDate("closed_at"))
    counts = items.aggregate(
        new=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        dispatched=Count("pk", filter=Q(dispatched_at__gte=start, dispatched_at__lt=end)),
        closed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end, status="closed")),
        stage_results=Count("pk", filter=Q(stage_result_at__gte=start, stage_result_at__lt=end)),
        closed_on_time=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end, status="closed")
                             & (Q(due_on__isnull=True) | Q(due_on__gte=F("closed_day")))),
        responded=Count("pk", filter=Q(dispatched_at__gte=start, dispatched_at__lt=end,
                                       accepted_at__lte=F("dispatched_at") + response_limit())),
        returns=Sum("returns", filter=Q(dispatched_at__gte=start, dispatched_at__lt=end)),
    )
    return {name: int(value or 0) for name, value in counts.items()}


def weekly_build(*, unit: Unit, week: Period, docket: Any = None) -> WeeklyReport:
    """Gather one weekly report for ``unit`` (its whole subtree) or for one docket within it."""
    if week.kind != "week":
        week = period_containing("week", week.start)
    report = WeeklyReport(unit=unit, week=week, docket=docket)
    labels = figure_labels()
    previous = week.previous()
    if docket is None:
        now, before = (unit_rates(unit=unit, start=p.start, end=p.end) for p in (week, previous))
        for name in UNIT_WEEK_FIGURES:
            report.lines.append(FigureLine(name, labels[name], now.get(name), before.get(name)))
        report.open_now, report.overdue_now = now.get("open"), now.overdue
        report.satisfaction = _percent(now, "satisfaction_rate")
        report.resolution = _percent(now, "resolution_rate")
        report.sentence = sentence(now)
    else:
        now_c, before_c = _docket_counts(unit, docket, week), _docket_counts(unit, docket, previous)
        for name in WEEK_FIGURES:
            report.lines.append(FigureLine(name, labels[name], now_c[name], before_c[name]))
        items = _items_in(unit, docket).filter(TOP_LEVEL)
        report.open_now = items.filter(status__in=OPEN_STATUSES).count()
        report.overdue_now = items.filter(status__in=GRADED_STATUSES, grade="red").count()
    overdue = (_items_in(unit, docket).filter(status__in=GRADED_STATUSES, grade="red")
               .select_related("lead_unit", "docket").order_by("due_on", "pk")[:OVERDUE_LIMIT])
    today = timezone.localdate()
    report.overdue = [{"docket": i.docket.name, "number": i.number, "title": i.title, "lead_unit": i.lead_unit.name,
                       "due_on": i.due_on, "days_late": (today - i.due_on).days if i.due_on else None}
                      for i in overdue]
    if docket is None:
        report.by_docket = _by_docket(unit, week)
    report.hot_issues = _hot_issues(unit, week)
    return report


def _percent(rates: Rates, name: str) -> str:
    value = rates.percent(name)
    return "—" if value is None else f"{value}%"


def _by_docket(unit: Unit, week: Period) -> list[dict]:
    start = datetime.datetime.combine(week.start, datetime.time.min, tzinfo=timezone.get_current_timezone())
    end = start + datetime.timedelta(days=7)
    rows = (_items_in(unit).filter(TOP_LEVEL).values("docket_id", "docket__name").annotate(
        new=Count("pk", filter=Q(created_at__gte=start, created_at__lt=end)),
        closed=Count("pk", filter=Q(closed_at__gte=start, closed_at__lt=end, status="closed")),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=GRADED_STATUSES, grade="red")),
    ).order_by("-overdue", "-open", "docket_id")[:50])
    return [{"docket": r["docket__name"], "new": r["new"], "closed": r["closed"], "open": r["open"],
             "overdue": r["overdue"]} for r in rows]


def _hot_issues(unit: Unit, week: Period) -> list[dict] | None:
    """Top hot issues placed in the unit's subtree and active this week (triage's HotIssue), if installed."""
    if not apps.is_installed("qingdan.triage"):
        return None
    try:
        model = apps.get_model("triage", "HotIssue")
    except LookupError:
        return None
    start = datetime.datetime.combine(week.start, datetime.time.min, tzinfo=timezone.get_current_timezone())
    issues = (within(model.objects.all(), unit, "unit")
              .filter(last_at__gte=start, last_at__lt=start + datetime.timedelta(days=7))
              .select_related("unit").order_by("-heat")[:HOT_LIMIT])
    return [{"title": i.title, "place": i.place_name or (i.unit.name if i.unit else ""), "size": i.size,
             "submitters": i.submitters, "category": i.category} for i in issues]
