"""What one item adds to the figures: the single definition shared by the receivers and the recount.

The running figures are the sum over items of ``item_counters(item as it is now)``, rolled up
to the lead unit and all its ancestors, plus the sum over ratings of ``rating_counters``, rolled
up from the unit that answered. A change adds ``counters(after) − counters(before)``;
``qingdan report verify`` sums the same function over every item from scratch. Because both
sides use this one function, "the figures equal a recount" is checkable row by row.

Names (flow counters fall on the local day of the item's own timestamp; stock counters on
``STOCK_DAY``):

- ``new`` (created), ``new:kind:K``, ``new:source:S``, ``new:cat:C``, ``resolved`` (listed that
  day and closed now) — by the day listed.
- ``dispatched``; ``responded`` (accepted within ``SUPERVISION_RESPONSE_HOURS`` of dispatch);
  ``returns`` (times returned, summed) — by the day of the (last) dispatch.
- ``closed``, ``closed:kind:K``, ``closed_on_time`` (closed on or before its due date, or no
  due date), ``closed_repeat`` (closed after having been reopened) — by the day closed.
- ``stage_results`` — by the day of the stage result.
- ratings (``rating_counters``, one per follow-up rating of any case, with or without an item,
  counted for the unit that answered, by the day rated): ``rated``, ``rated:satisfied``,
  ``rated:basic``, ``rated:unsatisfied``, and the answer to "solved?" ``rated:solved``,
  ``rated:unsolved`` (absent when it was not asked).
- stock: ``status:S`` for every status, ``open``, ``reopened_open`` (open after a reopening),
  ``grade:G`` for items whose deadline runs, and ``own:grade:G`` (the lead unit's own items,
  not rolled up: grading passes say which items changed but not from which grade).

Every name above counts **top-level items** only, the lists' own counting rule
(``dockets.selectors.TOP_LEVEL``): a sub-item is a part of one problem or project. A sub-item
adds only its own counters, ``sub:new``, ``sub:closed``, ``sub:stage_results`` (by the same days)
and ``sub:open`` (stock). Ratings count for every item: they count citizens' answers, not items.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.conf import settings
from django.utils import timezone

from qingdan.dockets.choices import GRADED_STATUSES, OPEN_STATUSES, ItemStatus
from qingdan.dockets.selectors import is_top_level
from qingdan.supervision.models import STOCK_DAY

OWN_PREFIX = "own:"
SUB_PREFIX = "sub:"
Key = tuple[datetime.date, str]


def response_limit() -> datetime.timedelta:
    """The time within which a dispatched item must be accepted to count as answered in time."""
    return datetime.timedelta(hours=getattr(settings, "SUPERVISION_RESPONSE_HOURS", 24))


def figures_depth() -> int:
    """The deepest tree level that keeps running figures (``QINGDAN_FIGURES_DEPTH``).

    Day figures kept for every village would outnumber the items several times over (a village
    sees a handful of items a year, each touching a dozen day counters); below this depth a
    subtree is small enough that counting its items on request is as quick as reading rows.
    """
    return int(getattr(settings, "QINGDAN_FIGURES_DEPTH", 4))


def keeps(path: str, name: str, lead_path: str, steplen: int = 4) -> bool:
    """Whether the running figures keep ``name`` on the unit at ``path`` for an item led at ``lead_path``.

    Tree names are kept on the lead unit's ancestors down to ``figures_depth()``; ``own:`` names
    only on the lead unit itself, whatever its depth (they are a few stock rows per unit).
    """
    if name.startswith(OWN_PREFIX):
        return path == lead_path
    return len(path) // steplen <= figures_depth()


def promised_due(due_on: datetime.date | None, original: datetime.date | None) -> datetime.date | None:
    """The date on-time is measured against: the deadline promised at dispatch, not an extended one.

    An approved extension moves ``due_on`` (grading follows it) but not ``original_deadline``;
    an earlier supervision deadline still counts. The SQL rebuild uses the same rule (LEAST).
    """
    dates = [d for d in (due_on, original) if d]
    return min(dates) if dates else None


def local_day(moment: datetime.datetime) -> datetime.date:
    """The day a moment counts on, in the deployment's time zone; a naive moment is taken as local already."""
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def item_counters(state: dict[str, Any], *, created_at: datetime.datetime, kind: str, source: str
                  ) -> Counter[Key]:
    """Return what one item in ``state`` (a dockets snapshot) adds to its units' figures."""
    counters: Counter[Key] = Counter()
    listed = local_day(created_at)
    if not is_top_level(state.get("parent_id")):
        return counters + _sub_item_counters(state, listed)
    counters[(listed, "new")] += 1
    counters[(listed, f"new:kind:{kind}")] += 1
    counters[(listed, f"new:source:{source}")] += 1
    counters[(listed, f"new:cat:{(state.get('category') or '-')[:60]}")] += 1
    status = state["status"]
    if status == ItemStatus.CLOSED:
        counters[(listed, "resolved")] += 1
    counters[(STOCK_DAY, f"status:{status}")] += 1
    if status in OPEN_STATUSES:
        counters[(STOCK_DAY, "open")] += 1
        if state.get("reopened"):
            counters[(STOCK_DAY, "reopened_open")] += 1
    if status in GRADED_STATUSES:
        counters[(STOCK_DAY, f"grade:{state['grade']}")] += 1
        counters[(STOCK_DAY, f"{OWN_PREFIX}grade:{state['grade']}")] += 1
    dispatched_at = state.get("dispatched_at")
    if dispatched_at:
        day = local_day(dispatched_at)
        counters[(day, "dispatched")] += 1
        accepted_at = state.get("accepted_at")
        if accepted_at and accepted_at - dispatched_at <= response_limit():
            counters[(day, "responded")] += 1
        if state.get("returns"):
            counters[(day, "returns")] += state["returns"]
    elif state.get("returns"):
        counters[(listed, "returns")] += state["returns"]
    closed_at = state.get("closed_at")
    if closed_at and status == ItemStatus.CLOSED:
        day = local_day(closed_at)
        counters[(day, "closed")] += 1
        counters[(day, f"closed:kind:{kind}")] += 1
        due_on = promised_due(state.get("due_on"), state.get("original_deadline"))
        if due_on is None or day <= due_on:
            counters[(day, "closed_on_time")] += 1
        if state.get("reopened"):
            counters[(day, "closed_repeat")] += 1
    if state.get("stage_result_at"):
        counters[(local_day(state["stage_result_at"]), "stage_results")] += 1
    return counters


def rating_counters(*, satisfaction: str, solved: bool | None, at: datetime.datetime) -> Counter[Key]:
    """Return what one follow-up rating adds to the figures of the unit that answered (and its ancestors).

    Every rating counts, re-ratings after a reopening included, whether or not the case had an
    item: the satisfaction and resolution rates are over ratings, as 12345 centres publish them.
    """
    day = local_day(at)
    counters: Counter[Key] = Counter({(day, "rated"): 1, (day, f"rated:{satisfaction}"): 1})
    if solved is not None:
        counters[(day, "rated:solved" if solved else "rated:unsolved")] += 1
    return counters


def _sub_item_counters(state: dict[str, Any], listed: datetime.date) -> Counter[Key]:
    """What a sub-item adds: its own counts, apart from the list's (top-level) counters."""
    counters: Counter[Key] = Counter({(listed, f"{SUB_PREFIX}new"): 1})
    if state["status"] == ItemStatus.CLOSED and state.get("closed_at"):
        counters[(local_day(state["closed_at"]), f"{SUB_PREFIX}closed")] += 1
    if state.get("stage_result_at"):
        counters[(local_day(state["stage_result_at"]), f"{SUB_PREFIX}stage_results")] += 1
    if state["status"] in OPEN_STATUSES:
        counters[(STOCK_DAY, f"{SUB_PREFIX}open")] += 1
    return counters


def ancestor_paths(path: str, steplen: int = 4) -> list[str]:
    """Return the paths of a unit and every ancestor, root first."""
    return [path[:end] for end in range(steplen, len(path) + 1, steplen)]
