"""Stable error codes of the Open311 surface."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, FieldErrors, PermissionDenied


class RequestInvalid(FieldErrors):
    """One or more arguments are wrong; ``fields`` maps each Open311 argument to its message."""

    code = "open311_request_invalid"
    summary_prefix = _("The request has errors: ")


class KeyRefused(PermissionDenied):
    """The api_key is missing, unknown or revoked, or does not cover the jurisdiction."""

    code = "open311_key_refused"


class LookupLimited(ApplicationError):
    """Too many keyless lookups from one client: the portal's /track/ limit, shared (HTTP 429)."""

    code = "open311_rate_limited"
    http_status = 429
