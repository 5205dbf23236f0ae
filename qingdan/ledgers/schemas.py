"""Explicit input and output shapes of the ledgers API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema

from qingdan.ledgers.choices import TeamFilter


class PeriodFilter(Schema):
    unit: str = Field("", max_length=32, description="unit code (default: the top of your scope)")
    start: datetime.date | None = Field(None, alias="from")
    end: datetime.date | None = Field(None, alias="to")


class FiguresFilter(PeriodFilter):
    teams: TeamFilter = Field(TeamFilter.ALL, description="leadership teams counted: all, or county_up (县处级以上)")
    required: Decimal | None = Field(None, ge=0, le=366, description="study days required per team "
                                                                     "(default QINGDAN_STUDY_REQUIRED_DAYS)")


class TeamDaysOut(Schema):
    code: str
    name: str
    days: Decimal


class StudyOut(Schema):
    sessions: int
    by_kind: dict[str, int]
    person_times: int
    made_up: int
    absent: int
    team_filter: TeamFilter
    teams: int = Field(description="leadership teams counted, those without a session included")
    teams_without_session: int
    team_days: Decimal
    average_days_per_team: Decimal | None = Field(description="team days / teams (a team without a session is 0)")
    required_days: Decimal
    below_required: int
    teams_below: list[TeamDaysOut] = Field(description="the teams below the required days, lowest first "
                                                       "(at most 200; below_required counts them all)")
    members: int
    members_studied: int
    member_coverage: Decimal | None


class VisitFiguresOut(Schema):
    visits: int
    visitors: int
    households: int
    enterprises: int
    townships: int
    villages: int
    problems_found: int
    to_intake: int
    to_items: int
    solved_on_spot: int


class ResearchOut(Schema):
    topics: int
    notes: int
    reports: int
    items: int


class FiguresOut(Schema):
    unit: str
    start: datetime.date
    end: datetime.date
    study: StudyOut
    visits: VisitFiguresOut
    research: ResearchOut
    villages_assigned: int
    villages_visited: int


class VillageOut(Schema):
    code: str
    name: str
    leaders: list[str]
    visits: int
    visited: bool
    last_visited: datetime.date | None


class LeaderOut(Schema):
    username: str
    units: list[str]
    assigned: int
    visited: int
    not_visited: list[str]


class CoverageOut(Schema):
    start: datetime.date
    end: datetime.date
    assigned: int
    visited: int
    rate: Decimal | None
    villages: list[VillageOut]
    leaders: list[LeaderOut]


class ProblemIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    phone: str = Field("", max_length=32)


class VisitIn(Schema):
    unit: str = Field(..., max_length=32, description="unit code")
    visited_on: datetime.date
    enterprise: str = Field("", max_length=200)
    households: int = Field(0, ge=0, le=1_000_000)
    enterprises: int = Field(0, ge=0, le=1_000_000)
    heard: str = Field("", max_length=5000)
    solved_on_spot: int = Field(0, ge=0, le=10_000)
    problems: list[ProblemIn] = Field(default_factory=list, max_length=20)


class VisitOut(Schema):
    id: int
    visitor: str
    unit: str
    unit_name: str
    enterprise: str
    visited_on: datetime.date
    households: int
    enterprises: int
    heard: str
    solved_on_spot: int
    submissions: list[str]


class VisitPageOut(Schema):
    items: list[VisitOut]
    limit: int
    offset: int
    next_offset: int | None


class PageFilter(Schema):
    start: datetime.date | None = Field(None, alias="from")
    end: datetime.date | None = Field(None, alias="to")
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)
