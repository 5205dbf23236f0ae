"""Submissions: what one person said through one channel, with its public timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.core.crypto import EncryptedTextField
from qingdan.core.files import StoredFile
from qingdan.intake.choices import Channel, EventKind, Satisfaction, SubmissionKind, SubmissionStatus
from qingdan.intake.codes import new_public_id


class Submission(models.Model):
    """One thing someone said. ``unit`` places it in the tree for scoping; contact data is encrypted."""

    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    # The id public interfaces (Open311) show: random, never the tracking code, not derived from it.
    public_id = models.CharField(_("public id"), max_length=16, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=SubmissionKind.choices,
                            default=SubmissionKind.COMPLAINT)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    status = models.CharField(_("status"), max_length=16, choices=SubmissionStatus.choices,
                              default=SubmissionStatus.RECEIVED, db_index=True)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"))
    category = models.CharField(_("category"), max_length=64, blank=True, db_index=True)

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="submissions",
                             help_text=_("The unit that holds this submission (who may see it)."))
    place_unit = models.ForeignKey("units.Unit", verbose_name=_("place"), on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")
    place_text = models.CharField(_("place (as written)"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    accused_unit = models.ForeignKey("units.Unit", verbose_name=_("unit reported"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+",
                                     help_text=_("For reports against officials: the unit named."))

    anonymous = models.BooleanField(_("anonymous"), default=False)
    submitter_name = EncryptedTextField(_("name"), blank=True)
    submitter_phone = EncryptedTextField(_("phone"), blank=True)
    submitter_email = EncryptedTextField(_("e-mail"), blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True,
                                   help_text=_("Keyed digest of the phone, to find a caller's earlier submissions."))
    submitter_ref = models.CharField(_("submitter reference"), max_length=64, blank=True, db_index=True,
                                     help_text=_("An opaque user id from an imported file or another system."))

    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    source = models.CharField(_("source"), max_length=64, blank=True,
                              help_text=_("Where an imported or API submission came from (file, integration)."))
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, unique=True)

    likes = models.PositiveIntegerField(_("likes"), default=0)
    dislikes = models.PositiveIntegerField(_("dislikes"), default=0)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # The unit whose answer the person reads: the lead unit of the item that answered, or the
    # holding unit when the case was answered without one. A rating is counted for this unit.
    answered_by = models.ForeignKey("units.Unit", verbose_name=_("answered by"), on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    # The rating of the current answer (cleared when the case reopens, so the next answer can be
    # rated); every rating ever given is a ``Rating`` row, and the figures count those.
    rating = models.CharField(_("rating"), max_length=16, choices=Satisfaction.choices, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    created_at = models.DateTimeField(_("received at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], condition=~models.Q(external_id=""),
                                    name="submission_source_external_id"),
        ]
        indexes = [models.Index(fields=["unit", "status", "created_at"], name="submission_unit_status")]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.subject[:30]}"


class Rating(models.Model):
    """One follow-up answer (回访): how satisfied the person is with an answer, and whether it solved the problem.

    Every rating is kept: a case reopened by an unhappy rating and answered again is rated again,
    and both ratings count, as 12345 centres count them. ``unit`` is the unit that gave the answer
    rated, fixed when rated, so the rating stays with it if the case later goes to another unit.
    The item that answered, if any, is the submission's item (a submission has at most one).
    """

    submission = models.ForeignKey(Submission, verbose_name=_("submission"), on_delete=models.CASCADE,
                                   related_name="ratings")
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit that answered"), on_delete=models.PROTECT,
                             related_name="+")
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices)
    # None: the question was not asked (ratings carried over from before it was, questionnaires).
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                    help_text=_("The operator who took the answer on a follow-up call; empty "
                                                "when the person rated on the tracking page."))
    at = models.DateTimeField(_("rated at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["submission_id", "at", "id"]
        indexes = [models.Index(fields=["unit", "at"], name="rating_unit_at")]

    def __str__(self) -> str:
        return f"{self.submission_id} {self.satisfaction} {self.at:%Y-%m-%d}"


def attachment_path(instance: Attachment, filename: str) -> str:
    """The file name scheme of attachments before ``StoredFile``: named by migration 0001, so kept."""
    return f"attachments/{instance.submission.created_at:%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(StoredFile):
    """An image or PDF sent with a submission, checked by content and stripped of metadata."""

    upload_folder = "attachments"

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class SubmissionEvent(models.Model):
    """One step of a submission's timeline; ``public`` steps are shown on the tracking page."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    public = models.BooleanField(default=True)
    text = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("submission event")
        verbose_name_plural = _("submission events")

    def __str__(self) -> str:
        return f"{self.submission_id} {self.kind}"
