"""What triage concluded about each submission, the hot issues it grouped, and the routing rules.

Triage keeps its own rows beside intake's (one ``Triage`` per ``intake.Submission``) so intake
never changes shape for it; the dockets app refers to ``triage.HotIssue``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Triage(models.Model):
    """The suggestions for one submission: category (and why), place, hot issue, repeat flag."""

    submission = models.OneToOneField("intake.Submission", on_delete=models.CASCADE, related_name="triage",
                                      verbose_name=_("submission"))
    category = models.CharField(_("suggested category"), max_length=64, blank=True, db_index=True)
    confidence = models.FloatField(_("confidence"), default=0.0)
    reasons = models.JSONField(_("reasons"), default=list, blank=True,
                               help_text=_("The words that weighed most for the suggested category."))
    model_version = models.CharField(_("model version"), max_length=40, blank=True)
    corrected_category = models.CharField(_("corrected category"), max_length=64, blank=True, db_index=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("corrected by"))
    corrected_at = models.DateTimeField(_("corrected at"), null=True, blank=True)
    place_unit = models.ForeignKey("units.Unit", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("located place"))
    place_code = models.CharField(_("located division code"), max_length=12, blank=True)
    place_name = models.CharField(_("located place name"), max_length=200, blank=True)
    place_confidence = models.FloatField(_("place confidence"), default=0.0)
    place_candidates = models.JSONField(_("ambiguous places"), default=list, blank=True)
    hot_issue = models.ForeignKey("triage.HotIssue", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="members", verbose_name=_("hot issue"))
    similarity = models.FloatField(_("similarity to the hot issue"), default=0.0)
    repeat_of = models.ForeignKey("intake.Submission", on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("repeat of"))
    created_at = models.DateTimeField(_("triaged at"), auto_now_add=True)

    class Meta:
        verbose_name = _("triage")
        verbose_name_plural = _("triages")

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.label}"

    @property
    def label(self) -> str:
        """The category that counts: the operator's correction over the model's suggestion."""
        return self.corrected_category or self.category


class HotIssue(models.Model):
    """A group of submissions about one concrete problem at one place (热点问题)."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=64, blank=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("place"))
    place_code = models.CharField(_("division code"), max_length=12, blank=True)
    place_name = models.CharField(_("place name"), max_length=200, blank=True)
    first_at = models.DateTimeField(_("first message"), db_index=True)
    last_at = models.DateTimeField(_("last message"), db_index=True)
    size = models.PositiveIntegerField(_("messages"), default=0)
    submitters = models.PositiveIntegerField(_("distinct submitters"), default=0)
    likes = models.PositiveIntegerField(_("likes"), default=0)
    heat = models.FloatField(_("heat"), default=0.0, db_index=True)
    # The grouping signature: feature ids and weights of the centroid (see grouping.py).
    signature = models.JSONField(default=dict, blank=True)
    submitter_keys = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("hot issue")
        verbose_name_plural = _("hot issues")
        ordering = ["-heat"]

    def __str__(self) -> str:
        return self.title


class HotIssueKey(models.Model):
    """One entry of the grouping index: a distinctive feature of a hot issue (looked up on arrival)."""

    issue = models.ForeignKey(HotIssue, on_delete=models.CASCADE, related_name="keys")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "issue"], name="triage_hotissuekey_unique")]

    def __str__(self) -> str:
        return f"{self.key} → {self.issue_id}"


class RoutingRule(models.Model):
    """Category × place → department, edited by the organizer (changes are audited)."""

    category = models.CharField(_("category"), max_length=64, db_index=True)
    place = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("place"),
                              help_text=_("The rule applies to messages located in this unit's subtree."))
    department = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("responsible unit"))
    weight = models.FloatField(_("weight"), default=1.0)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category} @ {self.place_id} → {self.department_id}"


class AutoDispatchPolicy(models.Model):
    """An organizer's threshold above which triage dispatches new submissions without a person.

    A new submission held in the unit's subtree goes to triage's best unit without waiting for a
    person when that unit's score reaches the threshold.

    The nearest policy at or above the submission's unit decides (a disabled one turns automatic
    dispatch off for its subtree); no policy means never. Changes are audited.
    """

    unit = models.OneToOneField("units.Unit", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("jurisdiction"))
    threshold = models.FloatField(_("confidence threshold"),
                                  help_text=_("Dispatch automatically when the suggested unit's score reaches this "
                                              "(above 0, at most 1)."))
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("automatic dispatch policy")
        verbose_name_plural = _("automatic dispatch policies")

    def __str__(self) -> str:
        return f"{self.unit_id} ≥ {self.threshold}{'' if self.enabled else ' (off)'}"
