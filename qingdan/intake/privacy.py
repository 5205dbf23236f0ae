"""Who sees a submitter's contact details, and how everyone else sees them (masked)."""

from __future__ import annotations

from typing import Any

from qingdan.units.choices import Role
from qingdan.units.scopes import scope_for_user

# Operators call people back and handlers contact them; leaders and supervisors need no phone numbers.
CONTACT_ROLES = frozenset({Role.OPERATOR, Role.HANDLER})


def mask_phone(phone: str) -> str:
    """Return 138****5678 for a mobile; keep only the last four digits of anything else."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if not digits:
        return ""
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_name(name: str) -> str:
    """Return 张* / 欧阳** / J*** : the first character only."""
    name = name.strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_email(email: str) -> str:
    """Return z***@example.cn."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ""


def may_see_contact(user: Any, submission: Any) -> bool:
    """Tell whether the user holds a contact role over the submission's unit."""
    return scope_for_user(user, roles=CONTACT_ROLES).contains(submission.unit)


def contact_for(user: Any, submission: Any) -> dict[str, str]:
    """Return the submitter's name, phone and e-mail, in full or masked for this user."""
    if submission.anonymous:
        return {"name": "", "phone": "", "email": ""}
    if may_see_contact(user, submission):
        return {"name": submission.submitter_name, "phone": submission.submitter_phone,
                "email": submission.submitter_email}
    return {"name": mask_name(submission.submitter_name), "phone": mask_phone(submission.submitter_phone),
            "email": mask_email(submission.submitter_email)}
