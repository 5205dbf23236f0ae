"""Stable error codes of the Open311 surface."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, PermissionDenied


class RequestInvalid(ApplicationError):
    """One or more arguments are wrong; ``fields`` maps each Open311 argument to its message."""

    code = "open311_request_invalid"
    http_status = 400

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = {name: str(message) for name, message in fields.items()}
        summary = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(str(_("The request has errors: ")) + summary, extra={"fields": self.fields})


class KeyRefused(PermissionDenied):
    """The api_key is missing, unknown or revoked, or does not cover the jurisdiction."""

    code = "open311_key_refused"


class LookupLimited(ApplicationError):
    """Too many keyless lookups from one client: the portal's /track/ limit, shared (HTTP 429)."""

    code = "open311_rate_limited"
    http_status = 429
