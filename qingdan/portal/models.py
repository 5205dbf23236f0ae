"""Files a citizen attached to a form that came back with errors, kept until the form is sent again."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingUpload(models.Model):
    """An accepted, already cleaned attachment waiting for its form to be resubmitted.

    FixMyStreet's way: the file is stored at the first (failed) submit and the page carries only
    its token. ``owner`` is a digest of a secret kept in the browser's session, so a token copied
    into another session claims nothing. Rows expire after ``pending.PENDING_TTL``.
    """

    token = models.CharField(_("token"), max_length=64, unique=True)
    owner = models.CharField(_("owner"), max_length=64, db_index=True)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    # Bytes in the database, not the file store: a handful of small rows that live for hours.
    data = models.BinaryField(_("data"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")

    def __str__(self) -> str:
        return self.name

    @property
    def is_image(self) -> bool:
        """Tell whether the page can show it as a thumbnail."""
        return self.content_type.startswith("image/")
