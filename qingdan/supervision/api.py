"""Figures over HTTP: a unit's rates for a period with its children's, and leaderboards; scope applies."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from qingdan.core.periods import Period, period_containing, period_parse
from qingdan.supervision import selectors, services
from qingdan.supervision.rates import Rates
from qingdan.units.selectors import unit_children

router = Router(tags=["supervision"])


class FiguresOut(Schema):
    new: int
    dispatched: int
    responded: int
    closed: int
    closed_on_time: int
    closed_repeat: int
    resolved: int
    stage_results: int
    returns: int
    rated: int
    satisfied: int
    basic: int
    unsatisfied: int
    solved: int
    unsolved: int
    open: int
    reopened_open: int
    overdue: int
    response_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    closure_rate: float | None
    on_time_rate: float | None
    repeat_rate: float | None
    sub_new: int = Field(0, description="sub-items listed (every other count is of top-level items)")
    sub_closed: int = 0
    sub_stage_results: int = 0
    sub_open: int = 0


class UnitFiguresOut(Schema):
    code: str
    name: str
    figures: FiguresOut


class FiguresPage(Schema):
    period: str
    starts_on: str
    ends_on: str
    unit: UnitFiguresOut
    by_status: dict[str, int]
    by_source: dict[str, int]
    by_kind: dict[str, int]
    by_category: dict[str, int]
    children: list[UnitFiguresOut]


class BoardRowOut(Schema):
    rank: int | None
    code: str
    name: str
    index: float | None
    grade: str
    movement: int | None = Field(description="places gained since last period's published (recorded) ranking; "
                                             "null without one, or when unranked on it or now")
    previous_rank: int | None = Field(description="the place on last period's published ranking")
    new: bool = Field(description="ranked now, absent or unranked on last period's published ranking")
    figures: FiguresOut


class ComparedOut(Schema):
    id: int
    period: str
    recorded_at: datetime.datetime
    weights_version: int


class BoardOut(Schema):
    parent: str
    period: str
    weights_version: int
    weights: dict[str, float]
    green_at: float
    yellow_at: float
    compared_with: ComparedOut | None = Field(description="last period's published ranking that movement is "
                                                          "measured against; null if none was recorded")
    rows: list[BoardRowOut]


def _period(text: str | None, kind: str) -> Period:
    return period_parse(text) if text else period_containing(kind, timezone.localdate())


def _unit_out(unit, rates: Rates) -> UnitFiguresOut:
    return UnitFiguresOut(code=unit.code, name=unit.name, figures=FiguresOut(**rates.as_dict()))


@router.get("/units/{code}/figures", response=FiguresPage, summary="A unit's figures for a period")
def unit_figures(request: HttpRequest, code: str, period: str | None = None) -> FiguresPage:
    """Rates and counts of the unit's subtree for ``period`` (2026-11, 2026-Q4, 2026, 2026-W47), and its children's."""
    unit = selectors.unit_get_for_figures(user=request.user, code=code)
    span = _period(period, "month")
    rates = selectors.unit_rates(unit=unit, start=span.start, end=span.end)
    children = list(unit_children(unit, include_retired=False))
    child_rates = selectors.units_rates(units=children, start=span.start, end=span.end)
    return FiguresPage(period=span.key, starts_on=span.start.isoformat(), ends_on=span.end.isoformat(),
                       unit=_unit_out(unit, rates), by_status=rates.breakdown("status:"),
                       by_source=rates.breakdown("new:source:"), by_kind=rates.breakdown("new:kind:"),
                       by_category=rates.breakdown("new:cat:"),
                       children=[_unit_out(c, child_rates[c.pk]) for c in children])


@router.get("/units/{code}/leaderboard", response=BoardOut, summary="Leaderboard of the units under a unit")
def unit_leaderboard(request: HttpRequest, code: str, period: str | None = None) -> BoardOut:
    """The units one level down ranked on the composite index (ties share a place), with movement."""
    unit = selectors.unit_get_for_figures(user=request.user, code=code)
    span = _period(period, "quarter")
    scheme = services.scheme_for(unit=unit)
    rows = services.board_compute(parent=unit, period=span, scheme=scheme)
    snapshot = rows[0].compared_with if rows else None
    compared = None if snapshot is None else ComparedOut(
        id=snapshot.pk, period=span.previous().key, recorded_at=snapshot.created_at,
        weights_version=snapshot.scheme.version)
    return BoardOut(parent=unit.code, period=span.key, weights_version=scheme.version, weights=scheme.weights,
                    green_at=float(scheme.green_at), yellow_at=float(scheme.yellow_at), compared_with=compared,
                    rows=[BoardRowOut(rank=r.rank, code=r.unit.code, name=r.unit.name,
                                      index=None if r.index is None else float(r.index), grade=r.grade,
                                      movement=r.movement, previous_rank=r.previous_rank, new=r.is_new,
                                      figures=FiguresOut(**r.rates.as_dict())) for r in rows])
