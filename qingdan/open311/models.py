"""Open311 api_keys: one per integration, scoped to a unit. Only a SHA-256 digest is stored."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Open311Key(models.Model):
    """The api_key of one Open311 integration (an app, a partner's CRM) and the subtree it serves."""

    name = models.CharField(_("name"), max_length=80)
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="open311_keys",
                             help_text=_("The key may post and list requests for this unit and the units below it."))
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.CharField(_("created by"), max_length=150, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["name", "-created_at"]
        constraints = [
            # A name picks one live key (revoke by name); a revoked key's name may be reused.
            models.UniqueConstraint(fields=["name"], condition=Q(revoked_at__isnull=True),
                                    name="open311_key_live_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """Tell whether the key still opens the API."""
        return self.revoked_at is None


class Open311Filing(models.Model):
    """Which key filed which submission: a key reads in full only the requests it filed itself.

    The key is kept rather than its name because a revoked key's name may be reused; a revoked
    key authenticates no more, so its filings are then read only as the public reads them.
    """

    key = models.ForeignKey(Open311Key, verbose_name=_("Open311 key"), on_delete=models.PROTECT,
                            related_name="filings")
    submission = models.OneToOneField("intake.Submission", on_delete=models.CASCADE, related_name="open311_filing")

    class Meta:
        verbose_name = _("Open311 filing")
        verbose_name_plural = _("Open311 filings")

    def __str__(self) -> str:
        return f"{self.key_id} → {self.submission_id}"
