"""Questionnaires: questions, invitation tokens, and one response per respondent.

A respondent is told apart by an invitation token or by a phone number; the phone is kept only
as a blind index (``qingdan.core.crypto.blind_index``), never in clear, and the unique
constraints make "one answer per token or phone" hold even under a double submit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingdan.surveys.choices import Identity, QuestionKind, SurveyStatus


class Survey(models.Model):
    """A questionnaire built by an organizer for a unit and everything below it."""

    unit = models.ForeignKey("units.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="surveys")
    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    identity = models.CharField(_("respondents counted by"), max_length=8, choices=Identity.choices,
                                default=Identity.PHONE)
    slug = models.CharField(max_length=24, unique=True)  # the public link; random, not guessable
    submission = models.ForeignKey("intake.Submission", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", help_text=_("Set for a follow-up (回访) survey."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    """One question. Choices are a list of labels; ``good`` lists the answers that count as good."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    required = models.BooleanField(_("required"), default=True)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # Indexes of choices (single/multiple) or the lowest value (scale) that count as a good rating.
    good = models.JSONField(default=list, blank=True)
    scale_max = models.PositiveSmallIntegerField(default=5)

    class Meta:
        ordering = ["survey_id", "position", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def scale_values(self) -> range:
        return range(1, self.scale_max + 1)


class SurveyToken(models.Model):
    """An invitation: a one-time token, optionally for a unit (the breakdown) or a submission (回访)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=32, unique=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.token[:6]}…"


class Response(models.Model):
    """One respondent's answers. At most one per token and one per phone (blind index) per survey."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    token = models.OneToOneField(SurveyToken, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="response")
    phone_index = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="survey_responses")
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "phone_index"], condition=~Q(phone_index=""),
                                               name="response_once_per_phone")]

    def __str__(self) -> str:
        return f"{self.survey_id} #{self.pk}"


class Answer(models.Model):
    """The answer to one question: chosen indexes, a scale value or text."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    chosen = models.JSONField(default=list, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once")]

    def __str__(self) -> str:
        return f"{self.response_id}/{self.question_id}"
