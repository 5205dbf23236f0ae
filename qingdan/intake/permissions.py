"""Who may act on a submission they can already see.

Seeing is decided by ``selectors.submission_queryset_for_user``; acting needs a role that does
the work. Reports against officials are answered by the discipline body that may read them,
never by the unit's own handlers (who cannot see them in the first place).
"""

from __future__ import annotations

from typing import Any

from qingdan.intake.choices import SubmissionKind
from qingdan.intake.models import Submission
from qingdan.intake.selectors import report_condition
from qingdan.units.choices import Role
from qingdan.units.scopes import scope_for_user

# Handlers write answers and leaders approve them; operators, supervisors and organizers do not.
REPLY_ROLES = frozenset({Role.HANDLER, Role.LEADER})


def may_reply(user: Any, submission: Submission) -> bool:
    """Tell whether the user holds a replying role over the submission (for a report: over the discipline body)."""
    if submission.kind == SubmissionKind.REPORT:
        return Submission.objects.filter(pk=submission.pk).filter(report_condition(user, roles=REPLY_ROLES)).exists()
    return scope_for_user(user, roles=REPLY_ROLES).contains(submission.unit)
