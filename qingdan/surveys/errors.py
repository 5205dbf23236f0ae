"""Stable error codes of surveys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError


class SurveyInvalid(ApplicationError):
    """One or more fields or answers are wrong; ``fields`` maps each to its message. Nothing was saved."""

    code = "survey_invalid"
    http_status = 400

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = {name: str(message) for name, message in fields.items()}
        summary = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(str(_("The questionnaire has errors: ")) + summary, extra={"fields": self.fields})


class SurveyClosed(ApplicationError):
    """The questionnaire is not open for answers (a draft, or closed)."""

    code = "survey_closed"
    http_status = 409
