"""Domain errors with stable codes.

Services raise these; the API maps them to HTTP once (``qingdan.api.api``) and pages turn
them into messages. A code never changes once released: clients and tests match on it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext, ngettext


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


class FieldErrors(ApplicationError):
    """One or more fields are wrong; ``fields`` maps each field to its message. Nothing was saved.

    The one shape of a validation refusal: every app's ``*Invalid`` subclasses it with its own
    stable ``code`` and ``summary_prefix``; ``error_to_form`` puts it on a form, the API returns
    ``extra["fields"]``, and pages show ``error_text``.
    """

    code = "invalid"
    http_status = 400
    summary_prefix: Any = "The form has errors: "

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = {name: str(message) for name, message in fields.items()}
        summary = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(str(self.summary_prefix) + summary, extra={"fields": self.fields})


def error_text(exc: ApplicationError) -> str:
    """What a page shows of a refusal: the field messages alone (no field names), else the message."""
    fields = getattr(exc, "fields", None)
    if fields:
        return "；".join(dict.fromkeys(fields.values()))
    return exc.message


def form_error_text(form: Any) -> str:
    """What a page shows of a form that did not validate: its messages alone, once each, as ``error_text``."""
    return "；".join(dict.fromkeys(str(e) for errors in form.errors.values() for e in errors))


def error_to_form(form: Any, exc: ApplicationError, *, aliases: dict[str, str] | None = None) -> None:
    """Put a refusal on a Django form, so a service's field errors show where the user typed.

    Each field's message goes on its field (``aliases`` maps a service's field to the form's), on
    the form itself when it has no such field.
    """
    fields = getattr(exc, "fields", None) or {}
    if not fields:
        form.add_error(None, exc.message)
        return
    for name, message in fields.items():
        target = (aliases or {}).get(name, name)
        form.add_error(target if target in form.fields else None, message)


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
    # The column as the file's reader knows it (its Chinese header); ``column`` stays the code name.
    header: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"row {self.row}, column {self.column or '-'}: {self.reason}"

    def describe(self) -> str:
        """Return the problem for a page, in the reader's language, naming the column by its header."""
        if not self.column:
            return gettext("Row %(row)d: %(reason)s") % {"row": self.row, "reason": self.reason}
        return gettext("Row %(row)d, column “%(column)s”: %(reason)s") % {
            "row": self.row, "column": self.header or self.column, "reason": self.reason}


class RowErrors(list):
    """The problems of one imported file, collected row by row: the importers' one frame.

    Every importer checks the whole file first, appending here, then calls ``reject_if_any``
    before it writes anything: a file is taken whole or refused whole, with every bad row named.
    """

    def reject_if_any(self, summary: str | None = None, *, headers: dict[str, str] | None = None) -> None:
        """Refuse the file (``ImportRejected``, rows in order) when any problem was noted.

        ``headers`` (code name → the column's header, see ``tabular.column_headers``) names each
        problem's column the way the person's spreadsheet does.
        """
        if not self:
            return

        ordered = sorted(self, key=lambda e: (e.row, e.column))
        if headers:
            ordered = [replace(e, header=headers.get(e.column, e.header)) for e in ordered]
        raise ImportRejected(errors=ordered, summary=summary or ngettext(
            "%(count)d problem in the file; nothing was imported.",
            "%(count)d problems in the file; nothing was imported.", len(ordered)) % {"count": len(ordered)})


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
