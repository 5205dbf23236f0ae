"""API shapes for dockets and items: explicit fields only. No person's contact data appears here."""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field

from qingdan.dockets.choices import (
    ChangeKind,
    ChangeStatus,
    DocketKind,
    DocketSource,
    Grade,
    ItemStatus,
    Priority,
    PublicStatus,
)

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
    verifier_unit: str | None = Field(description="Code of the unit that signs off the items; null: the owner unit")
    leader_review: bool = Field(description="Closure requests go to a leader of the lead unit first")
    counts: CountsOut


class DocketPatchIn(Schema):
    """A list's settings. ``verifier_unit``: a unit code inside the owner unit, or null for the owner itself."""

    verifier_unit: str | None = Field(None, max_length=64)
    leader_review: bool | None = Field(None, description="Closure requests go to a leader of the lead unit first")


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
    original_deadline: datetime.date | None = Field(
        description="The deadline promised at dispatch; an approved extension moves `deadline`, not this")
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


class ChangeRequestIn(Schema):
    """Ask for an extension (a later ``deadline``) or a change (a new ``commitment`` and/or ``lead_unit``)."""

    item: int = Field(ge=1, le=MAX_ID)
    kind: ChangeKind
    reason: str = Field(max_length=20_000, description="Required: why the promise should move")
    deadline: datetime.date | None = Field(None, description="extension: the new deadline")
    commitment: str | None = Field(None, max_length=20_000, description="change: the new public commitment")
    lead_unit: str | None = Field(None, max_length=64, description="change: the code of the new lead unit")


class ChangeDecisionIn(Schema):
    """The issuer's decision; a refusal needs a ``note`` saying why."""

    approve: bool
    note: str = Field("", max_length=20_000)


class ChangeRequestFilterIn(Schema):
    item: int | None = Field(None, ge=1, le=MAX_ID)
    status: ChangeStatus | None = None
    to_decide: bool = Field(False, description="Only pending requests you may decide (the issuer's queue)")
    offset: int = Field(0, ge=0, le=MAX_ID)
    limit: int = Field(50, ge=1, le=MAX_LIST_LIMIT)


class ChangeRequestOut(Schema):
    id: int
    item: int
    kind: ChangeKind
    status: ChangeStatus
    reason: str
    deadline: datetime.date | None = Field(description="The proposed deadline")
    previous_deadline: datetime.date | None = Field(description="The deadline when the request was made")
    commitment: str = Field(description="The proposed commitment (empty when unchanged)")
    lead_unit: str | None = Field(description="The proposed lead unit's code")
    requested_by: str | None
    requested_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    note: str


class ChangeRequestPageOut(Schema):
    count: int
    requests: list[ChangeRequestOut]


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
    status: ItemStatus = Field(description="The internal state, kept for existing clients; show public_status "
                                           "to the public")
    public_status: PublicStatus = Field(description="What the public reads: listed, being handled, stage "
                                                    "results or concluded (a return or a closure request is "
                                                    "being handled)")


class PublicDocketOut(Schema):
    id: int
    name: str
    owner_unit: str = Field(description="Unit name")
    source: DocketSource
    counts: CountsOut
