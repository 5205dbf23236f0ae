"""Who receives the weekly report (一周一报) by e-mail, for which unit, in which format."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportFormat(models.TextChoices):
    """The formats a subscriber may receive the weekly report in."""

    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    HTML = "html", "HTML"


class Subscription(models.Model):
    """A staff user receives a unit's weekly report every week (the unit must be in their scope)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
                             related_name="report_subscriptions")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    format = models.CharField(_("format"), max_length=8, choices=ReportFormat.choices, default=ReportFormat.PDF)
    active = models.BooleanField(_("active"), default=True)
    last_sent_week = models.CharField(_("last week sent"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        constraints = [models.UniqueConstraint(fields=["user", "unit", "format"], name="subscription_once")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.unit_id} ({self.format})"
