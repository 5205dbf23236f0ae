"""Cache invalidation for the working-day calendar (the only use of signals STYLE allows)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qingdan.core.models import CalendarDay
from qingdan.core.workdays import calendar_changed


@receiver(post_save, sender=CalendarDay, dispatch_uid="qingdan.core.calendar_saved")
@receiver(post_delete, sender=CalendarDay, dispatch_uid="qingdan.core.calendar_deleted")
def _calendar_day_changed(**kwargs: Any) -> None:
    calendar_changed()
