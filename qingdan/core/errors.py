"""Domain errors with stable codes.

Services raise these; the API maps them to HTTP once (``qingdan.api.api``) and pages turn
them into messages. A code never changes once released: clients and tests match on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class ApplicationError(Exception):
    """A refusal the user can act on: carries a stable code and a readable message."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class NotFound(ApplicationError):
    """The object does not exist, or lies outside the user's scope (the two are not told apart)."""

    code = "not_found"
    http_status = 404


class PermissionDenied(ApplicationError):
    """The user may see the object but not take this action."""

    code = "permission_denied"
    http_status = 403


@dataclass(frozen=True)
class RowError:
    """One problem with one row of an imported file."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '-'}: {self.reason}"


@dataclass
class ImportRejected(ApplicationError):
    """A file failed validation; nothing was saved. ``errors`` lists every bad row."""

    errors: list[RowError] = field(default_factory=list)
    summary: str = "The file was rejected; nothing was imported."

    def __post_init__(self) -> None:
        ApplicationError.__init__(self, self.summary, code="import_rejected")

    def report(self) -> str:
        """Return the summary and every row error, one per line."""
        return "\n".join([self.summary, *(str(e) for e in self.errors)])
