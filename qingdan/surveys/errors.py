"""Stable error codes of surveys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, FieldErrors


class SurveyInvalid(FieldErrors):
    """One or more fields or answers are wrong; ``fields`` maps each to its message. Nothing was saved."""

    code = "survey_invalid"
    summary_prefix = _("The questionnaire has errors: ")


class SurveyClosed(ApplicationError):
    """The questionnaire is not open for answers (a draft, or closed)."""

    code = "survey_closed"
    http_status = 409
