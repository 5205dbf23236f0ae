"""Stable error codes of triage."""

from __future__ import annotations

from qingdan.core.errors import ApplicationError


class UnknownCategory(ApplicationError):
    """A correction or rule names a category outside the taxonomy."""

    code = "triage_unknown_category"


class TriageInputError(ApplicationError):
    """A file for classify, locate or group cannot be used (no text column, unreadable)."""

    code = "triage_input"


class AutoDispatchInvalid(ApplicationError):
    """An automatic dispatch threshold outside (0, 1]."""

    code = "triage_auto_dispatch_invalid"
    http_status = 400
