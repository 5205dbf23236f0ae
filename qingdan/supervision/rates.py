"""The rates and the composite index, computed from a unit's summed counters (see docs/supervision.md).

Every rate is a fraction of two counters of the same period; a rate whose denominator is zero
is ``None`` (nothing to measure), never 0 or 100 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Rate name → (numerator counter, denominator counter, label): the one definition of each rate,
# used by the dashboards, exports, the API, leaderboards and the weekly report alike.
# ``non_repeat_rate`` is 1 − repeat rate, so that for every index component higher is better.
#
# 解决率 and 满意率 are over the citizens' follow-up ratings, as 12345 centres publish them:
# every rating of every case in the unit's subtree counts (re-ratings after a reopening too).
# The official closure of listed items is 办结率, a different figure.
RATES: dict[str, tuple[str, str, Any]] = {
    "response_rate": ("responded", "dispatched", _("Response rate")),
    "resolution_rate": ("rated:solved", "solved_answers", _("Resolution rate")),
    "satisfaction_rate": ("satisfied_or_basic", "rated", _("Satisfaction rate")),
    "closure_rate": ("resolved", "new", _("Closure rate")),
    "on_time_rate": ("closed_on_time", "closed", _("On-time closure rate")),
    "repeat_rate": ("closed_repeat", "closed", _("Repeat rate")),
}
INDEX_COMPONENTS = ("response_rate", "resolution_rate", "satisfaction_rate", "closure_rate", "on_time_rate",
                    "non_repeat_rate")
# The 三率 and on-time closure. Schemes stored before 解决率 meant the citizen's answer weighted
# the closure rate under that name: migration supervision 0002 renamed their key to closure_rate.
DEFAULT_WEIGHTS = {"response_rate": 20, "resolution_rate": 30, "satisfaction_rate": 30, "on_time_rate": 20}
DEFAULT_GREEN_AT = Decimal("85")
DEFAULT_YELLOW_AT = Decimal("70")
FORMULA_LABELS = {
    "response_rate": _("accepted within the time limit / dispatched"),
    "resolution_rate": _("answered “solved” / answers to “was it solved?”"),
    "satisfaction_rate": _("(satisfied + basically satisfied) / all ratings"),
    "closure_rate": _("listed in the period and closed / listed in the period"),
    "on_time_rate": _("closed by the due date / closed"),
    "repeat_rate": _("closed after a reopening / closed"),
    "non_repeat_rate": _("1 − repeat rate"),
}
TWO = Decimal("0.01")


def _fraction(numerator: int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return Decimal(numerator) / Decimal(denominator)


@dataclass
class Rates:
    """A unit's counters for a period and the rates made from them."""

    counters: dict[str, int] = field(default_factory=dict)

    def get(self, name: str) -> int:
        """Return one counter (0 when the unit never had it)."""
        if name == "satisfied_or_basic":
            return self.get("rated:satisfied") + self.get("rated:basic")
        if name == "solved_answers":
            return self.get("rated:solved") + self.get("rated:unsolved")
        return int(self.counters.get(name, 0))

    def rate(self, name: str) -> Decimal | None:
        """Return a rate as a fraction in [0, 1], or None when its denominator is zero."""
        if name == "non_repeat_rate":
            repeat = self.rate("repeat_rate")
            return None if repeat is None else 1 - repeat
        numerator, denominator, _label = RATES[name]
        return _fraction(self.get(numerator), self.get(denominator))

    def percent(self, name: str) -> Decimal | None:
        """Return a rate in per cent rounded to two places (what pages and exports show)."""
        value = self.rate(name)
        return None if value is None else (value * 100).quantize(TWO, rounding=ROUND_HALF_UP)

    @property
    def overdue(self) -> int:
        """Open items graded red now (a stock figure: not tied to the period)."""
        return self.get("grade:red")

    def as_dict(self) -> dict[str, Any]:
        """The figures pages, exports and the API show, with rates in per cent."""
        data: dict[str, Any] = {name: self.get(name) for name in (
            "new", "dispatched", "responded", "closed", "closed_on_time", "closed_repeat", "resolved",
            "stage_results", "returns", "rated", "open", "reopened_open")}
        # Sub-items counted apart (every count above is of top-level items: figures.SUB_PREFIX).
        for name in ("new", "closed", "stage_results", "open"):
            data[f"sub_{name}"] = self.get(f"sub:{name}")
        data["satisfied"] = self.get("rated:satisfied")
        data["basic"] = self.get("rated:basic")
        data["unsatisfied"] = self.get("rated:unsatisfied")
        data["solved"] = self.get("rated:solved")
        data["unsolved"] = self.get("rated:unsolved")
        data["overdue"] = self.overdue
        for name in RATES:
            value = self.percent(name)
            data[name] = None if value is None else float(value)
        return data

    def breakdown(self, prefix: str) -> dict[str, int]:
        """Counters under one dimension, e.g. ``breakdown("status:")`` → {status: count}."""
        return {name[len(prefix):]: int(value) for name, value in sorted(self.counters.items())
                if name.startswith(prefix) and value}


def composite_index(rates: Rates, weights: dict[str, Any]) -> Decimal | None:
    """Return Σ wᵢ·rateᵢ·100 / Σ wᵢ over the rates that can be measured, to two places.

    A rate with nothing to measure is left out and the other weights carry the index (a
    township with no ratings yet is not marked down to zero for it). None when nothing counts.
    """
    total = Decimal(0)
    weight_sum = Decimal(0)
    for name, weight in weights.items():
        weight = Decimal(str(weight))
        if name not in INDEX_COMPONENTS or weight <= 0:
            continue
        value = rates.rate(name)
        if value is None:
            continue
        total += weight * value * 100
        weight_sum += weight
    if not weight_sum:
        return None
    return (total / weight_sum).quantize(TWO, rounding=ROUND_HALF_UP)


def grade_for_index(index: Decimal | None, *, green_at: Decimal, yellow_at: Decimal) -> str:
    """Green from ``green_at``, yellow from ``yellow_at``, red below; blank with no index."""
    if index is None:
        return ""
    if index >= green_at:
        return "green"
    return "yellow" if index >= yellow_at else "red"


def competition_ranks(values: list[Decimal | None]) -> list[int | None]:
    """Rank descending with ties sharing a place and the next place skipped (1, 2, 2, 4)."""
    ordered = sorted((v for v in values if v is not None), reverse=True)
    first_place: dict[Decimal, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    return [None if v is None else first_place[v] for v in values]


def sentence(rates: Rates) -> str:
    """The sentence the campaign bulletins print, filled from the figures (本期共解决民生问题 N 件…)."""
    text = gettext("This period %(problems)d livelihood problems were solved and %(projects)d practical projects "
             "completed; %(closed)d items closed in all, %(on_time)d of them on time.") % {
        "problems": rates.get("closed:kind:problem"), "projects": rates.get("closed:kind:project"),
        "closed": rates.get("closed"), "on_time": rates.get("closed_on_time")}
    value = rates.percent("satisfaction_rate")
    if value is not None:
        text += " " + gettext("Satisfaction with the answers: %(rate)s%%.") % {"rate": value}
    value = rates.percent("resolution_rate")
    if value is not None:
        text += " " + gettext("Solved in the citizens' own words: %(rate)s%%.") % {"rate": value}
    return text
