"""Stable error codes of the ledgers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import FieldErrors


class LedgerInvalid(FieldErrors):
    """One or more fields are wrong; ``fields`` maps each field to its message. Nothing was saved."""

    code = "ledger_invalid"
    summary_prefix = _("The record has errors: ")
