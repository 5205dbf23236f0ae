"""Explicit input and output shapes of the ledgers API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema


class PeriodFilter(Schema):
    unit: str = Field("", max_length=32, description="unit code (default: the top of your scope)")
    start: datetime.date | None = Field(None, alias="from")
    end: datetime.date | None = Field(None, alias="to")


class StudyOut(Schema):
    sessions: int
    by_kind: dict[str, int]
    person_times: int
    made_up: int
    absent: int
    teams: int
    team_days: Decimal
    average_days_per_team: Decimal | None
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
