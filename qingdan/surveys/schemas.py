"""Explicit input and output shapes of the surveys API."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, Schema


class SurveyOut(Schema):
    id: int
    title: str
    unit: str
    status: str
    identity: str
    responses: int
    created_at: datetime.datetime


class CountOut(Schema):
    label: str
    count: int
    percent: Decimal | None


class UnitRateOut(Schema):
    unit: str
    name: str
    answered: int
    good: int
    good_rate: Decimal | None


class QuestionResultOut(Schema):
    id: int
    kind: str
    text: str
    answered: int
    counts: list[CountOut]
    good: int
    good_rate: Decimal | None
    average: Decimal | None
    by_unit: list[UnitRateOut]


class ResultsOut(Schema):
    survey: SurveyOut
    responses: int
    questions: list[QuestionResultOut]


class SurveyPage(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)
