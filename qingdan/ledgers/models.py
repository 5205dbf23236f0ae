"""Ledgers (台账): study sessions, liaison assignments, visits and research, kept as records.

Every row hangs on a unit so that ``Scope.filter(..., "unit")`` decides who sees it, and the
figures the source documents quote ("7.7 study days per leadership team", "25,000 villages
walked") are counted from these rows instead of from spreadsheets sent up by hand.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from qingdan.core.files import StoredFile
from qingdan.ledgers.choices import Attendance, DurationUnit, ProblemRoute, SessionKind, WritingKind


class StudySession(models.Model):
    """One study session of a unit's leadership team or members."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="study_sessions")
    kind = models.CharField(_("kind"), max_length=16, choices=SessionKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    duration = models.DecimalField(_("duration"), max_digits=6, decimal_places=1)
    duration_unit = models.CharField(_("duration in"), max_length=8, choices=DurationUnit.choices,
                                     default=DurationUnit.DAYS)
    materials = models.TextField(_("materials"), blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    red_site = models.BooleanField(_("red heritage site"), default=False)
    leadership = models.BooleanField(_("leadership team session"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["unit", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.starts_on} {self.topic}"


class SessionAttendance(models.Model):
    """One person on a session's roll: present, absent, or absent and made up later (补学)."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="study_attendances",
                               verbose_name=_("person"))
    status = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices,
                              default=Attendance.PRESENT)
    made_up_on = models.DateField(_("made up on"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.status}"


class SessionPhoto(StoredFile):
    """A photo of a study session (the roll signed, the site visited), cleaned by content like visit photos."""

    upload_folder = "study"

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="photos")


class Liaison(models.Model):
    """A leader answers for a unit (包联) for a period: a township, a county, villages below."""

    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaisons",
                               verbose_name=_("leader"))
    unit = models.ForeignKey("units.Unit", verbose_name=_("unit answered for"), on_delete=models.PROTECT,
                             related_name="liaisons")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")
        ordering = ["unit__path", "starts_on"]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class Visit(models.Model):
    """A visit (走访): who went, where, when, whom they met, what they heard and what they found."""

    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="visits",
                                verbose_name=_("visitor"))
    unit = models.ForeignKey("units.Unit", verbose_name=_("where"), on_delete=models.PROTECT, related_name="visits")
    enterprise = models.CharField(_("enterprise visited"), max_length=200, blank=True)
    visited_on = models.DateField(_("visited on"))
    households = models.PositiveIntegerField(_("households met"), default=0)
    enterprises = models.PositiveIntegerField(_("enterprises met"), default=0)
    heard = models.TextField(_("what was heard"), blank=True)
    solved_on_spot = models.PositiveIntegerField(_("problems solved on the spot"), default=0)
    topic = models.ForeignKey("ledgers.ResearchTopic", verbose_name=_("research topic"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="visits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["unit", "visited_on"]), models.Index(fields=["visitor", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.unit}"


class VisitPhoto(StoredFile):
    """A photo taken on a visit, cleaned by content (metadata and GPS stripped) before it is stored."""

    upload_folder = "visits"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")


class VisitProblem(models.Model):
    """A problem found on a visit and where it went: the intake queue, a list, or solved there."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="problems")
    text = models.TextField(_("problem"))
    route = models.CharField(_("route"), max_length=12, choices=ProblemRoute.choices)
    submission = models.ForeignKey("intake.Submission", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    item = models.ForeignKey("dockets.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("problem found")
        verbose_name_plural = _("problems found")

    def __str__(self) -> str:
        return self.text[:40]


class ResearchTopic(models.Model):
    """A research topic (调研课题) of a unit, with the people who own it."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="research_topics")
    title = models.CharField(_("title"), max_length=200)
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="research_topics",
                                    verbose_name=_("owners"))
    started_on = models.DateField(_("started on"))
    items = models.ManyToManyField("dockets.Item", blank=True, related_name="+", verbose_name=_("items it led to"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("research topic")
        verbose_name_plural = _("research topics")
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class ResearchWriting(models.Model):
    """A research note (调研手记) or report written under a topic."""

    topic = models.ForeignKey(ResearchTopic, on_delete=models.CASCADE, related_name="writings")
    kind = models.CharField(_("kind"), max_length=8, choices=WritingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField(_("written on"))
    visits = models.ManyToManyField(Visit, blank=True, related_name="writings")

    class Meta:
        verbose_name = _("research writing")
        verbose_name_plural = _("research writings")
        ordering = ["-written_on", "-pk"]

    def __str__(self) -> str:
        return self.title
