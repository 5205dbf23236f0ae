"""What a unit's code may be: one rule for the model's forms, the API, the services and the importers.

A region's code is its national division code (2 to 12 digits); every other unit has a stable
code of its own, often its region's code and a suffix (``330106-GA``, 西湖区公安局). So a code
is any run of at most ``CODE_MAX`` characters without spaces: dashes and letters are fine, a
space or a line break is not (codes are typed into search boxes and file cells, and compared as
they are).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CODE_MAX = 40
NAME_MAX = 120


def unit_code_problem(code: str) -> str | None:
    """Return what is wrong with a unit code, for the person who typed it, or None when it is fine."""
    if not code:
        return _("Give the unit a code.")
    if len(code) > CODE_MAX or any(ch.isspace() for ch in code):
        return _("A code has at most %(max)d characters and no spaces.") % {"max": CODE_MAX}
    return None


def validate_unit_code(value: str) -> None:
    """The model field's validator (admin and model forms): the same rule as ``unit_code_problem``."""
    problem = unit_code_problem(value)
    if problem:
        raise ValidationError(problem, code="unit_code")
