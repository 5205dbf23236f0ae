"""Reads of the ledgers, always through the reader's scope, and the figures counted from them.

The figures are plain aggregate queries over one subtree (a path range) and one period, so the
same numbers come out of the dashboard, the API and the export, and tests can compare them with
a hand computation over a generated data set.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.core.actors import Actor
from qingdan.core.errors import NotFound
from qingdan.ledgers.choices import HOURS_PER_DAY, STUDIED, DurationUnit, ProblemRoute, SessionKind, TeamFilter
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.models import (
    Liaison,
    ResearchTopic,
    ResearchWriting,
    SessionAttendance,
    StudySession,
    Visit,
    VisitProblem,
)
from qingdan.people.models import User
from qingdan.people.selectors import people_in_scope
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, scope_for_user, within, within_q
from qingdan.units.selectors import looks_like_code


def _within(unit: Unit, field: str = "unit") -> Q:
    return within_q(unit, field)


def _period(start: datetime.date | None, end: datetime.date | None, field: str) -> Q:
    condition = Q()
    if start:
        condition &= Q(**{f"{field}__gte": start})
    if end:
        condition &= Q(**{f"{field}__lte": end})
    return condition


def visit_list_for_user(user: Any, *, unit: Unit | None = None, start: datetime.date | None = None,
                        end: datetime.date | None = None) -> QuerySet[Visit]:
    """Visits in the user's scope, plus the user's own (a liaison leader visits outside their roles)."""
    scope = scope_for_user(user)
    queryset = Visit.objects.select_related("unit", "visitor")
    if not scope.is_global:
        queryset = queryset.filter(scope.q("unit") | Q(visitor_id=getattr(user, "pk", None)))
    if unit is not None:
        queryset = queryset.filter(_within(unit))
    return queryset.filter(_period(start, end, "visited_on"))


def visit_get_for_user(user: Any, *, visit_id: int) -> Visit:
    """Return one visit the user may see, or NotFound."""
    visit = (visit_list_for_user(user).prefetch_related("photos", "problems__submission", "problems__item")
             .filter(pk=visit_id).first())
    if visit is None:
        raise NotFound("No such visit in your scope.")
    return visit


def visit_photo_get_for_user(user: Any, *, visit_id: int, photo_id: int) -> Any:
    """Return a visit's photo when the user may see the visit."""
    visit = visit_get_for_user(user, visit_id=visit_id)
    photo = visit.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def liaison_list_for_user(user: Any, *, unit: Unit | None = None) -> QuerySet[Liaison]:
    """Liaison assignments over units in the user's scope."""
    queryset = scope_for_user(user).filter(Liaison.objects.select_related("leader", "unit"), "unit")
    return queryset.filter(_within(unit)) if unit is not None else queryset


def session_list_for_user(user: Any, *, unit: Unit | None = None, start: datetime.date | None = None,
                          end: datetime.date | None = None) -> QuerySet[StudySession]:
    """Study sessions of units in the user's scope."""
    queryset = scope_for_user(user).filter(StudySession.objects.select_related("unit"), "unit")
    if unit is not None:
        queryset = queryset.filter(_within(unit))
    return queryset.filter(_period(start, end, "starts_on")).annotate(
        roll=Count("attendances"), studied=Count("attendances", filter=Q(attendances__status__in=STUDIED)))


def session_get_for_user(user: Any, *, session_id: int) -> StudySession:
    """Return one study session the user may see, with its roll (people in name order) and photos, or NotFound."""
    session = (scope_for_user(user).filter(StudySession.objects.select_related("unit", "created_by"), "unit")
               .filter(pk=session_id).prefetch_related("photos").first())
    if session is None:
        raise NotFound("No such study session in your scope.")
    return session


def session_attendances(session: StudySession) -> list[SessionAttendance]:
    """The session's roll as recorded, each with its person, in user-name order."""
    return list(session.attendances.select_related("person").order_by("person__username"))


def session_photo_get_for_user(user: Any, *, session_id: int, photo_id: int) -> Any:
    """Return a session's photo when the user may see the session."""
    session = session_get_for_user(user, session_id=session_id)
    photo = session.photos.filter(pk=photo_id).first()
    if photo is None:
        raise NotFound("No such photo.")
    return photo


def session_unrecorded(session: StudySession, *, limit: int = 300) -> list[Any]:
    """People on the unit's roll with no attendance recorded for the session: whom 「全部出席」 would mark."""
    recorded = SessionAttendance.objects.filter(session=session, person=OuterRef("pk"))
    return list(User.objects.filter(_within(session.unit, "home_unit"), is_active=True)
                .exclude(Exists(recorded)).order_by("username")[:limit])


def topic_list_for_user(user: Any, *, unit: Unit | None = None) -> QuerySet[ResearchTopic]:
    """Research topics of units in the user's scope."""
    queryset = scope_for_user(user).filter(ResearchTopic.objects.select_related("unit"), "unit").annotate(
        notes=Count("writings", filter=Q(writings__kind="note"), distinct=True),
        reports=Count("writings", filter=Q(writings__kind="report"), distinct=True),
        visit_count=Count("visits", distinct=True))
    return queryset.filter(_within(unit)) if unit is not None else queryset


def topic_get_for_user(user: Any, *, topic_id: int) -> ResearchTopic:
    """Return one research topic the user may see, or NotFound."""
    topic = topic_list_for_user(user).filter(pk=topic_id).prefetch_related("owners", "items", "writings").first()
    if topic is None:
        raise NotFound("No such research topic in your scope.")
    return topic


# --- figures ---------------------------------------------------------------------------------

def _active_liaisons(user: Any) -> QuerySet[Liaison]:
    today = timezone.localdate()
    return (Liaison.objects.filter(leader_id=getattr(user, "pk", None), starts_on__lte=today)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).select_related("unit"))


def _visit_units(user: Any) -> QuerySet[Unit]:
    """Active townships and villages the user may visit: in their scope or under a liaison active today."""
    scope = scope_for_user(user)
    units = Unit.objects.filter(is_active=True, level__gte=UnitLevel.TOWNSHIP)
    if not scope.is_global:
        condition = scope.q("")
        for liaison in _active_liaisons(user):
            condition |= within_q(liaison.unit)
        units = units.filter(condition)
    return units


def visit_units_for_user(user: Any, *, within_code: str = "", limit: int = 400) -> list[Unit]:
    """Townships and villages the user may visit: in their scope or under a liaison active today.

    A wide scope (a county, a city) is narrowed to the subtree of the unit coded ``within_code``
    so the list stays short (an unknown code narrows nothing).
    """
    units = _visit_units(user)
    if within_code:
        base = Unit.objects.filter(code=within_code).first()
        if base is not None:
            units = within(units, base)
    return list(units.order_by("path")[:limit])


def visit_liaison_units(user: Any) -> list[Unit]:
    """The active units the user answers for today (包联), in tree order: the places a leader visits first."""
    seen: dict[int, Unit] = {}
    for liaison in _active_liaisons(user).filter(unit__is_active=True).order_by("unit__path"):
        seen.setdefault(liaison.unit_id, liaison.unit)
    return list(seen.values())


def visit_unit_resolve(user: Any, text: str) -> Unit:
    """The place typed into the visit form, by code (330106-GA too) or exact name, among the units the user may visit.

    A name two visitable units share is refused rather than guessed; the picker offers codes.
    """
    text = (text or "").strip()[:100]
    if not text:
        raise LedgerInvalid({"unit": _("Choose where the visit took place.")})
    units = _visit_units(user)
    found = list(units.filter(code=text.upper())[:1] if looks_like_code(text) else units.filter(name=text)[:2])
    if not found:
        raise LedgerInvalid({"unit": _("No township or village of that name or code that you may visit.")})
    if len(found) > 1:
        raise LedgerInvalid({"unit": _("Several places have this name: choose one from the list (by its code).")})
    return found[0]


def session_roll(unit: Unit, *, limit: int = 300) -> list[Any]:
    """The active people whose home unit lies in the unit's subtree: the roll of its study session."""
    return list(User.objects.filter(_within(unit, "home_unit"), is_active=True).order_by("username")[:limit])


def staff_named(actor: Actor, usernames: Iterable[str]) -> dict[str, Any]:
    """The active accounts among ``usernames`` that the actor may name in a ledger, by username.

    Those are the actor themself and the people whose home unit lies in the actor's scope (the
    system and superusers name anyone). Everyone else is left out exactly like a name that does
    not exist, so a form or a file cannot be used to find out which user names exist elsewhere.
    """
    names = {name for name in usernames if name}
    if not names:
        return {}
    return {user.username: user for user in people_in_scope(actor).filter(username__in=names)}


def study_days(duration: Decimal, unit: str) -> Decimal:
    """Return a session's length in study days (hours at ``HOURS_PER_DAY`` a day)."""
    return duration if unit == DurationUnit.DAYS else duration / HOURS_PER_DAY


def _ratio(part: int | Decimal, whole: int | Decimal, places: str = "0.1") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


BELOW_LIMIT = 200  # teams listed by name below the required days (the count is always whole)


def leadership_teams(*, unit: Unit, teams: str = TeamFilter.ALL) -> QuerySet[Unit]:
    """The units of a subtree whose leadership teams the study figures count.

    Every active unit has a leadership team (领导班子, down to a village's 村两委). "County/division
    level and above" (县处级以上) keeps the regions and party organisations of county level and
    above, and the departments and other bodies of city level and above: a county's own
    departments are section-level (科级) teams.
    """
    queryset = within(Unit.objects.filter(is_active=True), unit)
    if teams == TeamFilter.COUNTY_UP:
        queryset = queryset.filter(Q(kind__in=(UnitKind.REGION, UnitKind.PARTY), level__lte=UnitLevel.COUNTY)
                                   | Q(level__lte=UnitLevel.CITY))
    elif teams != TeamFilter.ALL:
        raise LedgerInvalid({"teams": _("Unknown choice of leadership teams.")})
    return queryset


@dataclass
class TeamDays:
    """One leadership team and its study days in the period."""

    unit: Unit
    days: Decimal


@dataclass
class StudyFigures:
    """The study figures campaigns report (sessions, person-times, days per leadership team) for a unit and period."""

    sessions: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    person_times: int = 0
    made_up: int = 0
    absent: int = 0
    team_filter: str = TeamFilter.ALL
    teams: int = 0
    teams_without_session: int = 0
    team_days: Decimal = Decimal(0)
    average_days_per_team: Decimal | None = None
    required_days: Decimal = Decimal(0)
    below_required: int = 0
    teams_below: list[TeamDays] = field(default_factory=list)  # lowest first, at most BELOW_LIMIT
    members: int = 0
    members_studied: int = 0
    member_coverage: Decimal | None = None  # percent


def required_study_days() -> Decimal:
    """The study days a team must reach (``QINGDAN_STUDY_REQUIRED_DAYS``, default 5)."""
    return Decimal(str(getattr(settings, "QINGDAN_STUDY_REQUIRED_DAYS", 5)))


def study_figures(*, unit: Unit, start: datetime.date | None = None, end: datetime.date | None = None,
                  teams: str = TeamFilter.ALL, required_days: Decimal | None = None) -> StudyFigures:
    """Count the study ledger of a subtree over a period.

    - sessions, and sessions by kind;
    - person-times: attendances present or made up (补学), absences apart;
    - average study days per leadership team: the study days of leadership-team sessions of the
      counted teams (``leadership_teams``), over the number of those teams — a team with no
      session counts as 0 days, so the average is not raised by leaving teams out (a session in
      hours counts hours / 8); the teams below ``required_days`` are counted and listed;
    - member coverage: people whose home unit lies in the subtree and who studied at least once
      in the period, over all such active people, in percent.
    """
    required = required_study_days() if required_days is None else Decimal(required_days)
    if required < 0:
        raise LedgerInvalid({"required": _("Give the required study days as a number of days, 0 or more.")})
    sessions = StudySession.objects.filter(_within(unit), _period(start, end, "starts_on"))
    figures = StudyFigures(sessions=sessions.count(), team_filter=teams, required_days=required)
    figures.by_kind = {kind: 0 for kind in SessionKind.values}
    for row in sessions.values("kind").annotate(n=Count("pk")):
        figures.by_kind[row["kind"]] = row["n"]
    attendance = SessionAttendance.objects.filter(session__in=sessions).values("status").annotate(n=Count("pk"))
    counts = {row["status"]: row["n"] for row in attendance}
    figures.person_times = sum(counts.get(s, 0) for s in STUDIED)
    figures.made_up = counts.get("made_up", 0)
    figures.absent = counts.get("absent", 0)
    _team_figures(figures, unit=unit, sessions=sessions, teams=teams, required=required)

    members = User.objects.filter(_within(unit, "home_unit"), is_active=True)
    figures.members = members.count()
    figures.members_studied = members.filter(
        study_attendances__session__in=sessions, study_attendances__status__in=STUDIED).distinct().count()
    coverage = _ratio(figures.members_studied * 100, figures.members)
    figures.member_coverage = coverage
    return figures


def _team_figures(figures: StudyFigures, *, unit: Unit, sessions: QuerySet[StudySession], teams: str,
                  required: Decimal) -> None:
    """Fill the team figures: one count of the teams, one sum per studying team, one page of the rest.

    Teams without a session are counted and listed by a query (never loaded one by one), so a
    province's 25,000 village teams cost a count, not a list.
    """
    team_units = leadership_teams(unit=unit, teams=teams)
    held = sessions.filter(leadership=True, unit__in=team_units)
    per_team: dict[int, Decimal] = defaultdict(Decimal)
    for row in held.values("unit_id", "duration_unit").annotate(total=Sum("duration")):
        per_team[row["unit_id"]] += study_days(Decimal(row["total"]), row["duration_unit"])
    figures.teams = team_units.count()
    figures.team_days = sum(per_team.values(), Decimal(0))
    figures.average_days_per_team = _ratio(figures.team_days, figures.teams)
    without = team_units.exclude(Exists(held.filter(unit_id=OuterRef("pk"))))
    figures.teams_without_session = figures.teams - len(per_team)
    short = sorted((days, unit_id) for unit_id, days in per_team.items() if days < required)
    figures.below_required = (figures.teams_without_session if required > 0 else 0) + len(short)
    listed: list[TeamDays] = []
    if required > 0:
        listed = [TeamDays(unit=u, days=Decimal(0)) for u in without.order_by("path")[:BELOW_LIMIT]]
    room = BELOW_LIMIT - len(listed)
    if room > 0 and short:
        named = Unit.objects.in_bulk([unit_id for _days, unit_id in short[:room]])
        listed += [TeamDays(unit=named[unit_id], days=days) for days, unit_id in short[:room]]
    figures.teams_below = listed


@dataclass
class VisitFigures:
    """The field-visit figures campaigns report: visits, households, villages reached, problems found and where sent."""

    visits: int = 0
    visitors: int = 0
    households: int = 0
    enterprises: int = 0
    townships: int = 0
    villages: int = 0
    problems_found: int = 0
    to_intake: int = 0
    to_items: int = 0
    solved_on_spot: int = 0


def visit_figures(*, unit: Unit, start: datetime.date | None = None, end: datetime.date | None = None) -> VisitFigures:
    """Count visits in a subtree over a period.

    Townships visited are those visited themselves or through one of their villages; problems
    solved on the spot are the visits' own counts plus problems recorded with that route.
    """
    visits = Visit.objects.filter(_within(unit), _period(start, end, "visited_on"))
    totals = visits.aggregate(n=Count("pk"), who=Count("visitor", distinct=True), hh=Sum("households"),
                              ent=Sum("enterprises"), spot=Sum("solved_on_spot"))
    figures = VisitFigures(visits=totals["n"], visitors=totals["who"], households=totals["hh"] or 0,
                           enterprises=totals["ent"] or 0)
    townships, villages = set(), set()
    for path, level in visits.values_list("unit__path", "unit__level").distinct():
        if level == UnitLevel.VILLAGE:
            villages.add(path)
            townships.add(path[:-Unit.steplen])
        elif level == UnitLevel.TOWNSHIP:
            townships.add(path)
    figures.villages, figures.townships = len(villages), len(townships)
    routes = {row["route"]: row["n"] for row in
              VisitProblem.objects.filter(visit__in=visits).values("route").annotate(n=Count("pk"))}
    figures.problems_found = sum(routes.values())
    figures.to_intake = routes.get(ProblemRoute.SUBMISSION, 0)
    figures.to_items = routes.get(ProblemRoute.ITEM, 0)
    figures.solved_on_spot = (totals["spot"] or 0) + routes.get(ProblemRoute.SOLVED, 0)
    return figures


@dataclass
class ResearchFigures:
    """Research (调研) counted for the ledgers: topics, notes, reports, and the items they led to."""

    topics: int = 0
    notes: int = 0
    reports: int = 0
    items: int = 0


def research_figures(*, unit: Unit, start: datetime.date | None = None,
                     end: datetime.date | None = None) -> ResearchFigures:
    """Count research topics, notes and reports (by the date written) and the items they led to."""
    topics = ResearchTopic.objects.filter(_within(unit))
    writings = ResearchWriting.objects.filter(topic__in=topics).filter(_period(start, end, "written_on"))
    kinds = {row["kind"]: row["n"] for row in writings.values("kind").annotate(n=Count("pk"))}
    return ResearchFigures(topics=topics.filter(_period(start, end, "started_on")).count(),
                           notes=kinds.get("note", 0), reports=kinds.get("report", 0),
                           items=ResearchTopic.items.through.objects.filter(researchtopic__in=topics).count())


# --- coverage --------------------------------------------------------------------------------

@dataclass
class VillageRow:
    """One village of the coverage table: its liaison leaders, and whether and when anyone visited it."""

    unit: Unit
    leaders: list[Any]
    visits: int
    visited_by_liaison: bool
    last_visited: datetime.date | None

    @property
    def visited(self) -> bool:
        return self.visits > 0


@dataclass
class LeaderRow:
    """One liaison leader of the coverage table: villages assigned, how many visited, which are still waiting."""

    leader: Any
    units: list[Unit]
    assigned: int
    visited: int
    not_visited: list[Unit]

    @property
    def rate(self) -> Decimal | None:
        return _ratio(self.visited * 100, self.assigned)


@dataclass
class Coverage:
    """Village coverage over a period (the campaigns' every-village-visited figure), by village and by leader."""

    start: datetime.date
    end: datetime.date
    villages: list[VillageRow]
    leaders: list[LeaderRow]

    @property
    def assigned(self) -> int:
        return len(self.villages)

    @property
    def visited(self) -> int:
        return sum(1 for row in self.villages if row.visited)

    @property
    def rate(self) -> Decimal | None:
        return _ratio(self.visited * 100, self.assigned)


def coverage(*, unit: Unit, start: datetime.date, end: datetime.date) -> Coverage:
    """Which villages assigned to a leader (包联, 包乡走村) were visited in the period, and which not.

    A village is assigned when an assignment active at some point of the period covers it (the
    village itself, or its township or county). Per village: visited by anyone, and by one of
    its liaison leaders; per leader: how many of their villages they walked themselves.
    Three queries, whatever the size of the subtree.
    """
    liaisons = list(Liaison.objects.filter(_within(unit) | Q(unit__path__in=_prefixes(unit.path)))
                    .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start), starts_on__lte=end)
                    .select_related("leader", "unit").order_by("unit__path"))
    roots = sorted({liaison.unit.path for liaison in liaisons})
    village_q = Q(pk__in=[])
    for path in roots:
        village_q |= within_q(path if len(path) >= len(unit.path) else unit.path)
    villages = (list(Unit.objects.filter(village_q, level=UnitLevel.VILLAGE, is_active=True).order_by("path"))
                if roots else [])
    visits = defaultdict(list)
    for visitor_id, path, on in (Visit.objects.filter(_within(unit), visited_on__gte=start, visited_on__lte=end,
                                                      unit__level=UnitLevel.VILLAGE)
                                 .values_list("visitor_id", "unit__path", "visited_on")):
        visits[path].append((visitor_id, on))
    leaders_of: dict[str, list[Any]] = defaultdict(list)
    per_leader: dict[int, dict[str, Any]] = {}
    for village in villages:
        for liaison in liaisons:
            if is_inside(village, liaison.unit):
                if liaison.leader not in leaders_of[village.path]:
                    leaders_of[village.path].append(liaison.leader)
                entry = per_leader.setdefault(liaison.leader_id, {"leader": liaison.leader, "units": [],
                                                                  "villages": {}})
                entry["villages"][village.path] = village
    for liaison in liaisons:
        entry = per_leader.setdefault(liaison.leader_id, {"leader": liaison.leader, "units": [], "villages": {}})
        if liaison.unit not in entry["units"]:
            entry["units"].append(liaison.unit)
    rows = []
    for village in villages:
        seen = visits.get(village.path, [])
        leader_ids = {leader.pk for leader in leaders_of[village.path]}
        rows.append(VillageRow(unit=village, leaders=leaders_of[village.path], visits=len(seen),
                               visited_by_liaison=any(who in leader_ids for who, _on in seen),
                               last_visited=max((on for _who, on in seen), default=None)))
    leader_rows = []
    for leader_id, entry in per_leader.items():
        walked = [v for path, v in entry["villages"].items()
                  if any(who == leader_id for who, _on in visits.get(path, []))]
        missing = [v for v in entry["villages"].values() if v not in walked]
        leader_rows.append(LeaderRow(leader=entry["leader"], units=entry["units"], assigned=len(entry["villages"]),
                                     visited=len(walked), not_visited=missing))
    leader_rows.sort(key=lambda row: (row.rate if row.rate is not None else Decimal(101), str(row.leader)))
    return Coverage(start=start, end=end, villages=rows, leaders=leader_rows)


def _prefixes(path: str) -> list[str]:
    return [path[:i] for i in range(Unit.steplen, len(path), Unit.steplen)]


@dataclass
class Dashboard:
    """Everything a unit's ledger page shows, gathered by one selector so the view stays a thin shell."""

    unit: Unit
    start: datetime.date | None
    end: datetime.date | None
    study: StudyFigures
    visits: VisitFigures
    research: ResearchFigures
    liaisons: int
    extra: dict[str, Any] = field(default_factory=dict)


def dashboard(*, unit: Unit, start: datetime.date | None = None, end: datetime.date | None = None,
              teams: str = TeamFilter.ALL, required_days: Decimal | None = None) -> Dashboard:
    """All the ledger figures of a subtree over a period (the caller has checked the unit's scope)."""
    study = study_figures(unit=unit, start=start, end=end, teams=teams, required_days=required_days)
    return Dashboard(unit=unit, start=start, end=end, study=study,
                     visits=visit_figures(unit=unit, start=start, end=end),
                     research=research_figures(unit=unit, start=start, end=end),
                     liaisons=Liaison.objects.filter(_within(unit)).count())
