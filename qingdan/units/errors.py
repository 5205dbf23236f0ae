"""Stable error codes of the unit tree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qingdan.core.errors import FieldErrors


class UnitInvalid(FieldErrors):
    """A unit's code, name or kind is wrong; ``fields`` names each. Nothing was saved."""

    code = "unit_invalid"
    summary_prefix = _("The unit has errors: ")
