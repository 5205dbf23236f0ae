"""Question kinds and survey states."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    SCALE = "scale", _("Scale")
    TEXT = "text", _("Free text")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", pgettext_lazy("survey status", "Open")
    CLOSED = "closed", _("Closed")


class Identity(models.TextChoices):
    """How a respondent is told apart, so that each counts once."""

    TOKEN = "token", _("One answer per invitation token")
    PHONE = "phone", _("One answer per phone number")


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})
