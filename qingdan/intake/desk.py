"""Reads for the operator desk, on top of the intake selectors and the scope rule.

An operator may file submissions only into units held with the operator role; everything
else (who may see what) comes from ``qingdan.intake.selectors``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from qingdan.core.errors import NotFound
from qingdan.intake.models import Attachment, Submission, SubmissionEvent
from qingdan.intake.selectors import submission_get_for_user, submission_queryset_for_user
from qingdan.units.choices import Role
from qingdan.units.models import Unit
from qingdan.units.scopes import Scope, scope_for_user
from qingdan.units.selectors import (
    unit_active_by_code,
    unit_path_names,
    unit_roots_for_user,
    unit_search_for_user,
    unit_top_of,
)

DESK_ROLES = frozenset({Role.OPERATOR})
UNIT_LIMIT = 20


def desk_scope(user: Any) -> Scope:
    """Return the subtrees where this user types in submissions (held with the operator role)."""
    return scope_for_user(user, roles=DESK_ROLES)


def desk_allowed(user: Any) -> bool:
    """Tell whether the user may use the desk at all."""
    return not desk_scope(user).is_empty


def desk_default_unit(user: Any) -> Unit | None:
    """Return the unit a call goes to when the operator picks none: the top of the operator's scope."""
    scope = desk_scope(user)
    if scope.is_global:
        return next(iter(unit_roots_for_user(user)), None)
    return unit_top_of(scope)


def desk_unit_search(user: Any, *, query: str) -> list[Unit]:
    """Find active units inside the operator's scope by name or code."""
    scope = desk_scope(user)
    found = unit_search_for_user(user, query=query[:50], limit=200)
    return [unit for unit in found if unit.is_active and scope.contains(unit)][:UNIT_LIMIT]


def desk_unit_get(user: Any, *, code: str) -> Unit | None:
    """Return the active unit with this code if the operator may file into it."""
    unit = unit_active_by_code(code)
    return unit if unit is not None and desk_scope(user).contains(unit) else None


def desk_unit_resolve(user: Any, *, query: str) -> Unit | None:
    """Return the unit meant by a typed search: the only exact name or code, else the only match at all."""
    query = query.strip()
    found = desk_unit_search(user, query=query)
    exact = [unit for unit in found if query in (unit.name, unit.code)]
    if len(exact) == 1:
        return exact[0]
    return found[0] if len(found) == 1 else None


def unit_labels(units: list[Unit]) -> list[tuple[Unit, str]]:
    """Pair each unit with its path of names, to tell namesakes apart."""
    names = unit_path_names(units)
    return [(unit, names.get(unit.pk, unit.name)) for unit in units]


def submission_list_for_user(user: Any, *, status: str = "", kind: str = "", channel: str = "",
                             offset: int = 0, limit: int = 50) -> list[Submission]:
    """Return one page (plus one row, to know whether another follows) of the submissions the user may see."""
    queryset: QuerySet[Submission] = submission_queryset_for_user(user).select_related("unit")
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if channel:
        queryset = queryset.filter(channel=channel)
    # Only the columns the list shows: the encrypted contacts are not decrypted for a list.
    queryset = queryset.only("tracking_code", "kind", "channel", "status", "subject", "created_at", "unit__name",
                             "unit__code")
    return list(queryset.order_by("-created_at", "-id")[offset:offset + limit + 1])


def submission_events(submission: Submission) -> QuerySet[SubmissionEvent]:
    """Return the whole timeline, internal steps included, for staff who may see the submission."""
    return submission.events.select_related("actor").order_by("at", "id")


def attachment_get_for_user(user: Any, *, code: str, pk: int) -> Attachment:
    """Return one attachment of a submission the user may see, or NotFound."""
    submission = submission_get_for_user(user, code=code)
    attachment = submission.attachments.filter(pk=pk).first()
    if attachment is None:
        raise NotFound("No such attachment.")
    return attachment
