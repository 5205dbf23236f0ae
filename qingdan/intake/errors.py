"""Stable error codes of intake."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, FieldErrors


class SubmissionInvalid(FieldErrors):
    """One or more fields are wrong; ``fields`` maps each field to its message."""

    code = "submission_invalid"
    summary_prefix = _("The submission has errors: ")


class TrackingCodeMistyped(ApplicationError):
    """The check character does not match: tell the citizen they mistyped the code, not that it is unknown."""

    code = "tracking_code_mistyped"
    http_status = 400


class SubmissionStateError(ApplicationError):
    """The submission's state refuses the step (closed, or not yet answered when rated): a conflict, not bad input."""

    code = "submission_state"
    http_status = 409
