"""Stable error codes of the dockets workflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError, FieldErrors


class ItemInvalid(FieldErrors):
    """One or more fields are wrong; ``fields`` maps each field to its message. Nothing was saved."""

    code = "item_invalid"
    summary_prefix = _("The item has errors: ")


class TransitionRefused(ApplicationError):
    """The step is not allowed from the item's current state, or not by this person."""

    code = "transition_refused"
    http_status = 409


class ItemConflict(ApplicationError):
    """Someone else changed the item since it was read: reload and try again."""

    code = "conflict"
    http_status = 409
