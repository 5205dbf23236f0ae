"""The caller's own notifications over HTTP: list, unread count, mark read, e-mail preference."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from qingdan.notifications import selectors, services
from qingdan.notifications.models import Notification
from qingdan.notifications.schemas import (
    MarkedOut,
    NotificationFilter,
    NotificationOut,
    NotificationPageOut,
    PreferenceIn,
    PreferenceOut,
    UnreadCountOut,
)

router = Router(tags=["notifications"])


def _out(row: Notification) -> NotificationOut:
    return NotificationOut(id=row.pk, kind=row.kind, title=row.title, body=row.body, url=row.url,
                           object_type=row.object_type, object_id=row.object_id, payload=row.payload,
                           created_at=row.created_at, read_at=row.read_at)


@router.get("/", response=NotificationPageOut, summary="Your notifications, newest first")
def notification_list(request: HttpRequest, filters: Query[NotificationFilter]) -> NotificationPageOut:
    queryset = selectors.notification_list_for_user(request.user, unread_only=filters.unread)
    rows = list(queryset[filters.offset:filters.offset + filters.limit + 1])
    more = len(rows) > filters.limit
    return NotificationPageOut(items=[_out(row) for row in rows[:filters.limit]],
                               unread=selectors.notification_unread_count(request.user),
                               limit=filters.limit, offset=filters.offset,
                               next_offset=filters.offset + filters.limit if more else None)


@router.get("/unread-count", response=UnreadCountOut, summary="How many of your notifications are unread")
def unread_count(request: HttpRequest) -> UnreadCountOut:
    return UnreadCountOut(unread=selectors.notification_unread_count(request.user))


@router.post("/read-all", response=MarkedOut, summary="Mark all your notifications read")
def mark_all_read(request: HttpRequest) -> MarkedOut:
    return MarkedOut(marked=services.notification_mark_all_read(user=request.user))


@router.get("/preferences", response=PreferenceOut, summary="Whether you receive e-mail copies")
def preference_get(request: HttpRequest) -> PreferenceOut:
    assert request.user.is_authenticated  # the API's auth lets only users in
    return PreferenceOut(email_enabled=selectors.email_preference(request.user), email=request.user.email)


@router.put("/preferences", response=PreferenceOut, summary="Turn e-mail copies on or off")
def preference_set(request: HttpRequest, data: PreferenceIn) -> PreferenceOut:
    assert request.user.is_authenticated  # the API's auth lets only users in
    preference = services.notification_preference_set(user=request.user, email_enabled=data.email_enabled)
    return PreferenceOut(email_enabled=preference.email_enabled, email=request.user.email)


@router.get("/{notification_id}", response=NotificationOut, summary="One of your notifications")
def notification_detail(request: HttpRequest, notification_id: int) -> NotificationOut:
    return _out(selectors.notification_get_for_user(request.user, notification_id=notification_id))


@router.post("/{notification_id}/read", response=NotificationOut, summary="Mark one notification read")
def mark_read(request: HttpRequest, notification_id: int) -> NotificationOut:
    return _out(services.notification_mark_read(user=request.user, notification_id=notification_id))

