"""The working-day calendar's exceptions: the one table core owns.

Core holds no domain models; the calendar is the exception because every app counts deadlines
in Chinese working days (see ``qingdan.core.workdays``), and the table is national, not a unit's.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """What a calendar exception does: a holiday takes a working day away, a make-up day (调休) adds one."""

    HOLIDAY = "holiday", _("Public holiday")
    WORKDAY = "workday", _("Make-up working day")


class CalendarDay(models.Model):
    """One exception to the Monday–Friday rule: a holiday, or a weekend day worked instead (调休).

    Days of a holiday period that fall on a weekend are stored too (they change nothing) so the
    table reads like the State Council notice it was copied from.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=40, help_text=_("The holiday, e.g. 国庆节."))
    year = models.PositiveSmallIntegerField(
        _("year"), db_index=True, help_text=_("The year of the notice this day comes from."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.name} ({self.get_kind_display()})"
