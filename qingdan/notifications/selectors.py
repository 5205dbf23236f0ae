"""Read notifications: a user reads only their own inbox; endpoints follow the managed scope."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qingdan.core.errors import NotFound
from qingdan.notifications.models import Notification, NotificationPreference, WebhookEndpoint


def notification_list_for_user(user: Any, *, unread_only: bool = False) -> QuerySet[Notification]:
    """Return the user's own notifications, newest first (nobody reads another's inbox)."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def notification_unread_count(user: Any) -> int:
    """Return how many of the user's notifications are unread (the partial index answers it)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get_for_user(user: Any, *, notification_id: int) -> Notification:
    """Return one of the user's own notifications, or NotFound (also for someone else's)."""
    in_range = 0 < notification_id < 2**63  # a bigger number is no row (and overflows SQLite)
    row = notification_list_for_user(user).filter(pk=notification_id).first() if in_range else None
    if row is None:
        raise NotFound(_("No such notification in your inbox."))
    return row


def email_preference(user: Any) -> bool:
    """Return the user's e-mail choice, or the site default when they have not chosen."""
    chosen = NotificationPreference.objects.filter(user=user).values_list("email_enabled", flat=True).first()
    return bool(getattr(settings, "QINGDAN_NOTIFY_EMAIL_DEFAULT", False)) if chosen is None else chosen


def email_wanted(users: list[Any]) -> set[int]:
    """Return the ids of ``users`` who have an address and want e-mail (one query)."""
    default = bool(getattr(settings, "QINGDAN_NOTIFY_EMAIL_DEFAULT", False))
    with_address = {user.pk for user in users if (user.email or "").strip()}
    if not with_address:
        return set()
    chosen = dict(NotificationPreference.objects.filter(user_id__in=with_address)
                  .values_list("user_id", "email_enabled"))
    return {pk for pk in with_address if chosen.get(pk, default)}


def webhook_endpoint_stored(pk: int) -> Any:
    """The stored state of a webhook endpoint (the admin hands it to the update service)."""
    return WebhookEndpoint.objects.select_related("unit").get(pk=pk)
