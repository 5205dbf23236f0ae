"""Explicit input and output shapes of the notifications API."""

from __future__ import annotations

import datetime

from ninja import Field, Schema


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    object_type: str
    object_id: str
    payload: dict
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPageOut(Schema):
    """One page, newest first; ``next_offset`` is null on the last page."""

    items: list[NotificationOut]
    unread: int
    limit: int
    offset: int
    next_offset: int | None


class NotificationFilter(Schema):
    unread: bool = False
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=1_000_000)


class UnreadCountOut(Schema):
    unread: int


class MarkedOut(Schema):
    marked: int


class PreferenceIn(Schema):
    email_enabled: bool


class PreferenceOut(Schema):
    email_enabled: bool
    email: str
