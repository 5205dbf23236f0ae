"""Ledgers over HTTP: figures and coverage of a unit in scope, visits listed and recorded. Thin shells."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from qingdan.core.errors import NotFound
from qingdan.ledgers import selectors, services
from qingdan.ledgers.models import Visit
from qingdan.ledgers.schemas import (
    CoverageOut,
    FiguresFilter,
    FiguresOut,
    LeaderOut,
    PageFilter,
    PeriodFilter,
    TeamDaysOut,
    VillageOut,
    VisitIn,
    VisitOut,
    VisitPageOut,
)
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_get_for_user, unit_roots_for_user

router = Router(tags=["ledgers"])


def _unit(request: HttpRequest, code: str) -> Unit:
    if code:
        return unit_get_for_user(request.user, code=code)
    roots = unit_roots_for_user(request.user)
    if not roots:
        raise NotFound("Nothing in your scope.")
    return roots[0]


def _period(filters: PeriodFilter) -> tuple:
    today = timezone.localdate()
    return filters.start or today.replace(month=1, day=1), filters.end or today


def _study_out(study: selectors.StudyFigures) -> dict:
    return {**study.__dict__, "teams_below": [TeamDaysOut(code=row.unit.code, name=row.unit.name, days=row.days)
                                              for row in study.teams_below]}


@router.get("/figures", response=FiguresOut, summary="Study, visit and research figures of a unit's subtree")
def figures(request: HttpRequest, filters: Query[FiguresFilter]) -> FiguresOut:
    unit = _unit(request, filters.unit)
    start, end = _period(filters)
    board = selectors.dashboard(unit=unit, start=start, end=end, teams=filters.teams, required_days=filters.required)
    cover = selectors.coverage(unit=unit, start=start, end=end)
    return FiguresOut(unit=unit.code, start=start, end=end,
                      study=_study_out(board.study),  # type: ignore[arg-type]  # pydantic validates the dicts
                      visits=board.visits.__dict__, research=board.research.__dict__,  # type: ignore[arg-type]
                      villages_assigned=cover.assigned, villages_visited=cover.visited)


@router.get("/coverage", response=CoverageOut, summary="Assigned villages visited and not, per village and leader")
def coverage(request: HttpRequest, filters: Query[PeriodFilter]) -> CoverageOut:
    unit = _unit(request, filters.unit)
    start, end = _period(filters)
    cover = selectors.coverage(unit=unit, start=start, end=end)
    return CoverageOut(
        start=start, end=end, assigned=cover.assigned, visited=cover.visited, rate=cover.rate,
        villages=[VillageOut(code=r.unit.code, name=r.unit.name, leaders=[str(x) for x in r.leaders], visits=r.visits,
                             visited=r.visited, last_visited=r.last_visited) for r in cover.villages],
        leaders=[LeaderOut(username=r.leader.username, units=[u.code for u in r.units], assigned=r.assigned,
                           visited=r.visited, not_visited=[u.code for u in r.not_visited]) for r in cover.leaders])


def _visit_out(visit: Visit) -> VisitOut:
    return VisitOut(id=visit.pk, visitor=visit.visitor.username, unit=visit.unit.code, unit_name=visit.unit.name,
                    enterprise=visit.enterprise, visited_on=visit.visited_on, households=visit.households,
                    enterprises=visit.enterprises, heard=visit.heard, solved_on_spot=visit.solved_on_spot,
                    submissions=[p.submission.tracking_code for p in visit.problems.all() if p.submission])


@router.get("/visits", response=VisitPageOut, summary="Visits in your scope, newest first")
def visit_list(request: HttpRequest, filters: Query[PageFilter]) -> VisitPageOut:
    queryset = selectors.visit_list_for_user(request.user, start=filters.start, end=filters.end).prefetch_related(
        "problems__submission")
    rows = list(queryset[filters.offset:filters.offset + filters.limit + 1])
    more = len(rows) > filters.limit
    return VisitPageOut(items=[_visit_out(v) for v in rows[:filters.limit]], limit=filters.limit,
                        offset=filters.offset, next_offset=filters.offset + filters.limit if more else None)


@router.post("/visits", response={201: VisitOut}, summary="Record a visit; each problem goes to the intake queue")
def visit_create(request: HttpRequest, data: VisitIn) -> Status:
    unit = unit_get_for_user(request.user, code=data.unit)
    visit = services.visit_record(
        actor=request.user, unit=unit, visited_on=data.visited_on, enterprise=data.enterprise,
        households=data.households, enterprises=data.enterprises, heard=data.heard,
        solved_on_spot=data.solved_on_spot,
        problems=[services.ProblemFound(text=p.text, phone=p.phone) for p in data.problems])
    return Status(201, _visit_out(selectors.visit_get_for_user(request.user, visit_id=visit.pk)))
