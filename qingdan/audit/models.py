"""The append-only audit log, chained by hashes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change of state: who, when, what, before and after.

    Written unsealed (``seq``, ``prev_digest`` and ``digest`` empty), then sealed into the chain
    (``audit.services.audit_seal``). ``digest`` covers this entry's content and the previous
    entry's digest, so editing or deleting any sealed entry breaks the chain from that point on
    (``qingdan audit verify``). A database trigger refuses DELETE (on PostgreSQL) and every UPDATE
    but the one that seals an unsealed entry without touching its content.
    """

    seq = models.BigIntegerField(_("sequence"), unique=True, null=True, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                              null=True, blank=True, related_name="+", verbose_name=_("actor"))
    actor_label = models.CharField(_("actor"), max_length=150, blank=True,
                                   help_text=_("Username at the time, kept if the account is renamed."))
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True, db_index=True,
                                 help_text=_("Where in the tree the change happened, for scoped reading."))
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # NULL until sealed: many unsealed entries may wait at once, and "" would collide on unique.
    prev_digest = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    digest = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            # The sealer's queue: only unsealed entries are in it, so it stays a few rows long.
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq or '…'} {self.action} {self.object_type}:{self.object_id}"
