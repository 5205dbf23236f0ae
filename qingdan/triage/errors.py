"""Stable error codes of triage."""

from __future__ import annotations

from qingdan.core.errors import ApplicationError


class UnknownCategory(ApplicationError):
    """A correction or rule names a category outside the taxonomy."""

    code = "triage_unknown_category"


class TriageInputError(ApplicationError):
    """A file for classify, locate or group cannot be used (no text column, unreadable)."""

    code = "triage_input"
