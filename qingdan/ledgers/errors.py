"""Stable error codes of the ledgers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError


class LedgerInvalid(ApplicationError):
    """One or more fields are wrong; ``fields`` maps each field to its message. Nothing was saved."""

    code = "ledger_invalid"
    http_status = 400

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = {name: str(message) for name, message in fields.items()}
        summary = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(str(_("The record has errors: ")) + summary, extra={"fields": self.fields})
