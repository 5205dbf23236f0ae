"""Notifications to staff: the in-app inbox, e-mail preferences, and signed webhooks per unit."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.core.crypto import EncryptedTextField
from qingdan.notifications.choices import DeliveryStatus


class Notification(models.Model):
    """One message to one staff member; the inbox row and the source of its e-mail."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("recipient"))
    event_id = models.UUIDField(_("event"), default=uuid.uuid4, db_index=True,
                                help_text=_("Shared by the rows one notify() call wrote, and by its webhooks."))
    kind = models.CharField(_("kind"), max_length=64)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # The unread count on every staff page: a partial index holds only unread rows.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """Whether a staff member wants e-mail; absent means the default (QINGDAN_NOTIFY_EMAIL_DEFAULT)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("user"))
    email_enabled = models.BooleanField(_("send e-mail"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class WebhookEndpoint(models.Model):
    """An outside system that receives the events of one unit's subtree, signed with its secret."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="webhook_endpoints",
                             verbose_name=_("owner unit"))
    name = models.CharField(_("name"), max_length=80)
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField(_("signing secret"))  # encrypted at rest; shown to the organizer once
    kinds = models.JSONField(_("event kinds"), default=list, blank=True,
                             help_text=_("The kinds of event to send; empty sends every kind."))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return f"{self.name} ({self.unit.name})"

    def wants(self, kind: str) -> bool:
        """Tell whether this endpoint subscribed to events of ``kind``."""
        return not self.kinds or kind in self.kinds


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body to send, and how each attempt went.

    Written in the transaction of the change (an outbox), so an event is never lost between
    the commit and the queue; the body is fixed at that moment so every retry sends the same bytes.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries",
                                 verbose_name=_("endpoint"))
    delivery_id = models.UUIDField(_("delivery id"), default=uuid.uuid4, unique=True)
    event_id = models.UUIDField(_("event"), db_index=True)
    kind = models.CharField(_("kind"), max_length=64)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=12, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_try = models.DateTimeField(_("next try"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    log = models.JSONField(_("attempt log"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_try"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.endpoint_id} ({self.status})"
