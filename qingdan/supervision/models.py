"""Running figures per unit and day, the organizer's index schemes, rankings and unit grades."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Figures that describe the present (open items by status, grades) rather than a day's flow
# are kept on this one sentinel day, so both kinds share one table and one upsert.
STOCK_DAY = datetime.date(2000, 1, 1)


class UnitGrade(models.TextChoices):
    """A unit's red, yellow or green grade (红黄绿), from its composite index against the scheme's thresholds."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")


class PeriodKind(models.TextChoices):
    """The periods rankings and grades are kept for."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Figure(models.Model):
    """One counter of one unit's subtree on one day (e.g. items closed on 2026-11-18 under 西湖区).

    Kept by the receivers inside the transaction of every item change, for the lead unit and
    all its ancestors, so the figures of the province root are a few rows, not a scan of the
    items. ``slot`` stripes the hot rows of the top levels over several rows so concurrent
    writers do not queue on one row lock (readers add the slots up).
    """

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", db_index=False)
    day = models.DateField()
    name = models.CharField(max_length=80)
    slot = models.PositiveSmallIntegerField(default=0)
    value = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [models.UniqueConstraint(fields=["unit", "day", "name", "slot"], name="figure_key")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.day} {self.name}={self.value}"


class IndexScheme(models.Model):
    """The organizer's weights of the composite index and the thresholds of the unit grades.

    A scheme is never edited: a change is a new version, and every ranking names the version it
    used, so a past ranking can be computed again exactly (Beijing does not publish its weights:
    here they are data).
    """

    owner_unit = models.ForeignKey("units.Unit", verbose_name=_("organizing unit"), on_delete=models.PROTECT,
                                   related_name="+")
    version = models.PositiveIntegerField(_("version"))
    weights = models.JSONField(_("weights"), help_text=_("Rate name → weight; the weights are normalised."))
    green_at = models.DecimalField(_("green from index"), max_digits=6, decimal_places=2)
    yellow_at = models.DecimalField(_("yellow from index"), max_digits=6, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("index scheme")
        verbose_name_plural = _("index schemes")
        ordering = ["owner_unit_id", "-version"]
        constraints = [models.UniqueConstraint(fields=["owner_unit", "version"], name="scheme_unit_version")]

    def __str__(self) -> str:
        return f"{self.owner_unit_id} v{self.version}"


class Ranking(models.Model):
    """A leaderboard (登台打擂) as it was computed: the units of one level under a parent, one period."""

    parent = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"))
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    scheme = models.ForeignKey(IndexScheme, on_delete=models.PROTECT, related_name="rankings")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ranking")
        verbose_name_plural = _("rankings")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["parent", "level", "period_kind", "starts_on"], name="ranking_lookup")]

    def __str__(self) -> str:
        return f"{self.parent_id} {self.period_kind} {self.starts_on}"


class RankingRow(models.Model):
    """One unit's place on a stored leaderboard, with the figures it was ranked on."""

    ranking = models.ForeignKey(Ranking, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    # A unit with nothing to measure in the period has no index, no rank and no grade.
    rank = models.PositiveIntegerField(null=True, blank=True)
    index = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    grade = models.CharField(max_length=8, choices=UnitGrade.choices, blank=True)
    movement = models.IntegerField(null=True, blank=True, help_text=_("Places gained since the last period."))
    rates = models.JSONField(default=dict)

    class Meta:
        ordering = ["ranking_id", "rank", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["ranking", "unit"], name="ranking_row_unit")]

    def __str__(self) -> str:
        return f"{self.rank}. {self.unit_id}"


class UnitGradeState(models.Model):
    """A unit's current red / yellow / green grade, as last set by a ranking."""

    unit = models.OneToOneField("units.Unit", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=8, choices=UnitGrade.choices)
    ranking = models.ForeignKey(Ranking, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.unit_id} {self.grade}"


class GradeChange(models.Model):
    """A unit's grade moved (green → red …): recorded once, and its people are told."""

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    from_grade = models.CharField(max_length=8, blank=True)
    to_grade = models.CharField(max_length=8, choices=UnitGrade.choices)
    ranking = models.ForeignKey(Ranking, on_delete=models.PROTECT, related_name="grade_changes")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.from_grade}→{self.to_grade}"
