"""Campaigns, dockets (清单) and their items (事项), with each item's timeline and evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.core.downloads import shown_inline
from qingdan.core.files import StoredFile
from qingdan.dockets.choices import (
    ChangeKind,
    ChangeStatus,
    DocketKind,
    DocketSource,
    EventKind,
    Grade,
    ItemStatus,
    Priority,
    PublicStatus,
    public_status,
)

if TYPE_CHECKING:
    from qingdan.intake.models import Submission


class Campaign(models.Model):
    """A theme-education batch or a special rectification drive: a period and its units."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey("units.Unit", verbose_name=_("organizing unit"), on_delete=models.PROTECT,
                             related_name="+")
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    units = models.ManyToManyField("units.Unit", verbose_name=_("participating units"), blank=True,
                                   related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Docket(models.Model):
    """A list of items: kind, source, owner unit. Its settings drive fallback and the yellow grade."""

    name = models.CharField(_("name"), max_length=200)
    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="dockets")
    kind = models.CharField(_("kind"), max_length=16, choices=DocketKind.choices, default=DocketKind.PROBLEM)
    source = models.CharField(_("source"), max_length=16, choices=DocketSource.choices,
                              default=DocketSource.SELF_CHECK)
    owner_unit = models.ForeignKey("units.Unit", verbose_name=_("owner unit"), on_delete=models.PROTECT,
                                   related_name="dockets")
    # Copied from the owner unit when the docket is made: "a provincial list" stays provincial.
    level = models.PositiveSmallIntegerField(_("level"))
    # 谁交办谁验收: the unit whose supervisors sign off the items; empty means the owner unit.
    verifier_unit = models.ForeignKey("units.Unit", verbose_name=_("verifier unit"), on_delete=models.PROTECT,
                                      null=True, blank=True, related_name="+",
                                      help_text=_("Signs off the items; the owner unit when empty."))
    description = models.TextField(_("description"), blank=True)
    published = models.BooleanField(_("published"), default=False,
                                    help_text=_("Shown on the public pages with its published items."))
    fallback_after_returns = models.PositiveSmallIntegerField(
        _("parent unit takes over after this many returns"), default=2)
    fallback_after_hours = models.PositiveIntegerField(
        _("parent unit takes over a returned item after this many hours"), default=72)
    due_soon_days = models.PositiveSmallIntegerField(_("yellow this many working days before the deadline"),
                                                     default=3)
    # 单位领导审核: a closure request goes first to a leader of the lead unit, then to the verifier.
    leader_review = models.BooleanField(
        _("lead unit's leader reviews closure requests"), default=False,
        help_text=_("A handler's closure request is approved by a leader of the lead unit before it reaches "
                    "the verifier."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("docket")
        verbose_name_plural = _("dockets")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    """One entry of a docket: the unit of work, its commitment, deadline and closure.

    ``version`` increases on every change, so two people editing at once are told apart
    (the second write names the version it read and is refused when it is stale).
    """

    docket = models.ForeignKey(Docket, verbose_name=_("docket"), on_delete=models.PROTECT, related_name="items")
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey("units.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT,
                                  related_name="led_items")
    co_units = models.ManyToManyField("units.Unit", verbose_name=_("co-operating units"), blank=True,
                                      related_name="co_items")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("accountable leader"),
                               on_delete=models.SET_NULL, null=True, blank=True, related_name="led_items")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("handler"), on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="handled_items")
    commitment = models.TextField(_("public commitment"), blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    # The deadline as promised at dispatch: on-time figures count against it, extensions or not.
    original_deadline = models.DateField(_("original deadline"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("working days from dispatch"), null=True, blank=True,
        help_text=_("Instead of a date: the deadline is set this many working days after dispatch."))
    supervise_deadline = models.DateField(_("supervision deadline"), null=True, blank=True)
    # The earlier of the two deadlines, kept so grading is one indexed UPDATE per grade.
    due_on = models.DateField(_("due on"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    category = models.CharField(_("category"), max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    weight = models.PositiveSmallIntegerField(_("weight in the parent's progress"), default=1)
    measures = models.TextField(_("measures"), blank=True)
    reply = models.TextField(_("reply to the public"), blank=True)
    # Livelihood projects (民生实事): money in 万元 and the households that benefit.
    planned_investment = models.DecimalField(_("planned investment (10k yuan)"), max_digits=14, decimal_places=2,
                                             null=True, blank=True)
    actual_investment = models.DecimalField(_("actual investment (10k yuan)"), max_digits=14, decimal_places=2,
                                            null=True, blank=True)
    beneficiaries = models.PositiveIntegerField(_("households benefiting"), null=True, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("parent item"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="children")

    status = models.CharField(_("status"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.LISTED)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices, default=Grade.GREEN)
    supervised = models.BooleanField(_("under supervision"), default=False)
    published = models.BooleanField(_("published"), default=False)
    returns = models.PositiveSmallIntegerField(_("returns"), default=0)
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    stage_result_at = models.DateTimeField(_("stage result at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    closure_requested_at = models.DateTimeField(_("closure requested at"), null=True, blank=True)
    closure_requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                             blank=True, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    submissions: models.ManyToManyField[Submission, ItemSubmission] = models.ManyToManyField(
        "intake.Submission", through="ItemSubmission", blank=True, related_name="+")
    hot_issues = models.ManyToManyField("triage.HotIssue", verbose_name=_("hot issues it answers"), blank=True,
                                        related_name="items")

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["docket_id", "number"]
        constraints = [models.UniqueConstraint(fields=["docket", "number"], name="item_docket_number")]
        indexes = [
            models.Index(fields=["status", "due_on"], name="item_status_due"),
            models.Index(fields=["lead_unit", "status"], name="item_unit_status"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title[:40]}"

    @property
    def public_status(self) -> PublicStatus:
        """The state the public pages show (``choices.public_status``), never the internal one."""
        return public_status(self.status)


class Milestone(models.Model):
    """A planned step of a livelihood project, with its date and when it was reached."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=200)
    due_on = models.DateField(_("planned for"))
    done_on = models.DateField(_("reached on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item_id", "position", "due_on"]

    def __str__(self) -> str:
        return self.title


class ItemSubmission(models.Model):
    """Many submissions, one item: a submission is answered by at most one item."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="links")
    submission = models.OneToOneField("intake.Submission", on_delete=models.CASCADE, related_name="item_link")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("linked submission")
        verbose_name_plural = _("linked submissions")

    def __str__(self) -> str:
        return f"{self.item_id} ← {self.submission_id}"


class ItemEvent(models.Model):
    """One step of an item's timeline: who did what, from which state to which, and why."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    actor_label = models.CharField(max_length=150, blank=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             help_text=_("The unit the item was with at this step."))
    at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("item event")
        verbose_name_plural = _("item events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class ItemChangeRequest(models.Model):
    """An extension or change request (延期申请/变更申请): the only way a dispatched promise moves."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="change_requests")
    kind = models.CharField(_("kind"), max_length=12, choices=ChangeKind.choices)
    deadline = models.DateField(_("proposed deadline"), null=True, blank=True)
    # The deadline when the request was made: the public page shows old and new side by side.
    previous_deadline = models.DateField(_("deadline before the request"), null=True, blank=True)
    commitment = models.TextField(_("proposed commitment"), blank=True)
    lead_unit = models.ForeignKey("units.Unit", verbose_name=_("proposed lead unit"), on_delete=models.PROTECT,
                                  null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=ChangeStatus.choices,
                              default=ChangeStatus.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        ordering = ["item_id", "requested_at", "id"]
        constraints = [models.UniqueConstraint(fields=["item"], condition=models.Q(status="pending"),
                                               name="one_pending_change_per_item")]

    def __str__(self) -> str:
        return f"{self.item_id} {self.kind} {self.status}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """The file name scheme of evidence before ``StoredFile``: named by an early migration, so kept."""
    return f"evidence/{instance.sha256[:2]}/{instance.sha256}"


class Evidence(StoredFile):
    """A file proving rectification (a photo, a scanned document), checked by content."""

    upload_folder = "evidence"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="evidence")
    event = models.ForeignKey(ItemEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    @property
    def is_image(self) -> bool:
        """A picture the browser may show in the page (the download is then inline): a thumbnail."""
        return shown_inline(self.content_type)

    @property
    def type_label(self) -> str:
        """The file's kind in a word (PDF, 图片, 文件), for a file shown by its name rather than as a picture."""
        kind = self.content_type.split(";")[0].strip().lower()
        if kind == "application/pdf":
            return "PDF"
        return str(_("Image")) if kind.startswith("image/") else str(_("File"))
