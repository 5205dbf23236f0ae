"""API shapes for dockets and items: explicit fields only. No person's contact data appears here."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from qingdan.dockets.choices import DocketKind, DocketSource, Grade, ItemStatus, Priority

MAX_LIST_LIMIT = 200
MAX_ID = 2**31 - 1  # larger numbers are no id of ours, and overflow SQLite's integers


class ItemCountsOut(Schema):
    listed: int
    closed: int
    stage_results: int
    open: int
    overdue: int


class CountsOut(ItemCountsOut):
    """Top-level items of the list; its sub-items are counted apart in ``sub_items``."""

    sub_items: ItemCountsOut


class DocketOut(Schema):
    id: int
    name: str
    kind: DocketKind
    source: DocketSource
    owner_unit: str = Field(description="Unit code")
    level: int
    published: bool
    counts: CountsOut


class ItemListOut(Schema):
    id: int
    docket: int
    number: int
    title: str
    lead_unit: str
    status: ItemStatus
    grade: Grade
    supervised: bool
    due_on: datetime.date | None
    progress: int
    version: int


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    text: str
    actor: str
    unit: str | None
    at: datetime.datetime


class ItemOut(ItemListOut):
    description: str
    co_units: list[str]
    leader: str | None
    handler: str | None
    commitment: str
    deadline: datetime.date | None
    deadline_working_days: int | None
    supervise_deadline: datetime.date | None
    priority: Priority
    category: str
    measures: str
    reply: str
    parent: int | None
    published: bool
    returns: int
    reopened: int
    submissions: list[str] = Field(description="Tracking codes of the submissions it answers (in your view)")
    hot_issues: list[int] = Field(description="Ids of the hot issues it answers")
    events: list[EventOut]


class ItemPageOut(Schema):
    count: int
    items: list[ItemListOut]


class ItemFilterIn(Schema):
    status: str = ""
    grade: str = ""
    source: str = ""
    category: str = ""
    docket: int | None = Field(None, ge=1, le=MAX_ID)
    unit: str = Field("", max_length=40, description="A unit code: its whole subtree")
    since: datetime.date | None = None
    until: datetime.date | None = None
    q: str = Field("", max_length=100, description="Words to find in title, details, commitment or measures")
    offset: int = Field(0, ge=0, le=MAX_ID)
    limit: int = Field(50, ge=1, le=MAX_LIST_LIMIT)


class ItemIn(Schema):
    docket: int = Field(ge=1, le=MAX_ID)
    title: str = Field(max_length=1000)
    lead_unit: str = Field(max_length=64, description="Unit code inside the docket's unit")
    description: str = ""
    co_units: list[str] = Field(default_factory=list, max_length=50)
    commitment: str = ""
    deadline: datetime.date | None = None
    deadline_working_days: int | None = None
    priority: Priority = Priority.NORMAL
    category: str = Field("", max_length=64)
    parent: int | None = Field(None, ge=1, le=MAX_ID)
    published: bool = False
    submissions: list[str] = Field(default_factory=list, max_length=100, description="Tracking codes")


class ItemPatchIn(Schema):
    """Send the ``version`` you read: a stale one is answered 409 ``conflict`` and nothing changes."""

    version: int = Field(ge=0, le=MAX_ID)
    title: str | None = Field(None, max_length=1000)
    description: str | None = None
    commitment: str | None = None
    deadline: datetime.date | None = None
    priority: Priority | None = None
    category: str | None = Field(None, max_length=64)
    measures: str | None = None
    published: bool | None = None


class StepIn(Schema):
    """One step of the loop. ``text`` is the reason, note or reply the step needs."""

    version: int | None = Field(None, ge=0, le=MAX_ID)
    text: str = Field("", max_length=20_000)
    progress: int | None = Field(None, ge=0, le=100)
    measures: str | None = None
    lead_unit: str | None = Field(None, max_length=64, description="dispatch: send to another unit")
    deadline: datetime.date | None = Field(None, description="supervise: the supervision deadline")


class PublicItemOut(Schema):
    id: int
    docket: int
    number: int
    title: str
    lead_unit: str = Field(description="Unit name")
    commitment: str
    measures: str
    due_on: datetime.date | None
    progress: int
    status: ItemStatus


class PublicDocketOut(Schema):
    id: int
    name: str
    owner_unit: str = Field(description="Unit name")
    source: DocketSource
    counts: CountsOut
