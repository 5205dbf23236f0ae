"""API shapes for submissions: explicit fields only, never a model's ``__all__``.

Contact details appear only in ``ContactOut``, filled by ``privacy.contact_for`` (masked for
everyone but the contact roles). Lists carry no text and no contacts: they are for triage,
and a list that decrypted every row's contact would be slow and leak more than it needs to.
"""

from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import ConfigDict, Field

from qingdan.intake.choices import Channel, Satisfaction, SubmissionKind, SubmissionStatus

MAX_LIST_LIMIT = 200


class AttachmentIn(Schema):
    """One file, base64-encoded; checked by content (images and PDF only) like the public form's."""

    name: str = Field("", max_length=200)
    content_base64: str


class SubmissionIn(Schema):
    """What an integration sends. ``unit`` (a unit code inside the caller's scope) holds the case."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "complaint", "subject": "小区门口饭店油烟扰民", "text": "饭店油烟直排，晚上十点后仍然营业，影响休息。",
        "unit": "330106", "place_text": "留下街道某小区", "anonymous": False, "name": "张三", "phone": "13812345678"}]})

    kind: SubmissionKind = SubmissionKind.COMPLAINT
    subject: str = ""
    text: str
    unit: str = Field(max_length=64)
    place_unit: str | None = Field(None, max_length=64)
    place_text: str = ""
    latitude: float | None = None
    longitude: float | None = None
    anonymous: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    accused_unit: str | None = Field(None, max_length=64, description="For reports against officials.")
    category: str = Field("", max_length=64)
    external_id: str = Field("", max_length=64, description="The case's id in the sending system, if any.")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class SubmissionCreatedOut(Schema):
    """The receipt: the same body on the first call and on an idempotent replay."""

    tracking_code: str
    tracking_code_display: str
    status: str
    unit: str
    created_at: datetime.datetime


class ContactOut(Schema):
    name: str
    phone: str
    email: str


class EventOut(Schema):
    kind: str
    public: bool
    text: str
    at: datetime.datetime


class RatingOut(Schema):
    """One follow-up rating: every one is kept, a re-rating after a reopening included."""

    satisfaction: str
    solved: bool | None
    reason: str
    unit: str = Field(description="The code of the unit whose answer was rated.")
    at: datetime.datetime


class RatingIn(Schema):
    """What the person said when called back (回访): satisfied? solved? and, if unhappy, why."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "satisfaction": "unsatisfied", "solved": False, "reason": "路灯修了两天又不亮了"}]})

    satisfaction: Satisfaction
    solved: bool = Field(description="The person's own answer to “was your problem solved?” (已解决/未解决).")
    reason: str = Field("", max_length=5000)


class SubmissionListItemOut(Schema):
    tracking_code: str
    kind: str
    channel: str
    status: str
    subject: str
    category: str
    unit: str
    unit_name: str
    created_at: datetime.datetime
    replied_at: datetime.datetime | None


class SubmissionPageOut(Schema):
    """One page; ``next_offset`` is null on the last page (no total: counting millions is not free)."""

    items: list[SubmissionListItemOut]
    limit: int
    offset: int
    next_offset: int | None


class SubmissionOut(Schema):
    tracking_code: str
    tracking_code_display: str
    kind: str
    channel: str
    status: str
    subject: str
    text: str
    category: str
    unit: str
    unit_name: str
    place_unit: str | None
    place_text: str
    latitude: float | None
    longitude: float | None
    anonymous: bool
    contact: ContactOut
    likes: int
    dislikes: int
    reply: str
    replied_at: datetime.datetime | None
    rating: str
    ratings: list[RatingOut]
    created_at: datetime.datetime
    attachments: int
    events: list[EventOut]


class ReplyIn(Schema):
    text: str


class SubmissionFilter(Schema):
    """Query parameters of the list; every one optional."""

    status: SubmissionStatus | None = None
    kind: SubmissionKind | None = None
    channel: Channel | None = None
    unit: str | None = Field(None, max_length=64, description="A unit code: that unit and everything below it.")
    created_from: datetime.datetime | None = None
    created_to: datetime.datetime | None = None
    limit: int = Field(50, ge=1, le=MAX_LIST_LIMIT)
    offset: int = Field(0, ge=0, le=1_000_000)
