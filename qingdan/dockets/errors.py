"""Stable error codes of the dockets workflow."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import ApplicationError


class ItemInvalid(ApplicationError):
    """One or more fields are wrong; ``fields`` maps each field to its message. Nothing was saved."""

    code = "item_invalid"
    http_status = 400

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = {name: str(message) for name, message in fields.items()}
        summary = "; ".join(f"{k}: {v}" for k, v in self.fields.items())
        super().__init__(str(_("The item has errors: ")) + summary, extra={"fields": self.fields})


class TransitionRefused(ApplicationError):
    """The step is not allowed from the item's current state, or not by this person."""

    code = "transition_refused"
    http_status = 409


class ItemConflict(ApplicationError):
    """Someone else changed the item since it was read: reload and try again."""

    code = "conflict"
    http_status = 409
