"""Delivery states of a webhook event."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


# Rows a worker may still try.
RETRYABLE_STATUSES = frozenset({DeliveryStatus.PENDING})
