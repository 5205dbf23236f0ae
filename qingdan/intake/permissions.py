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


# The follow-up call (回访) is the centre's: operators and supervisors record what the person said,
# never the handlers or leaders whose answer is being rated.
FOLLOW_UP_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})


def may_follow_up(user: Any, submission: Submission) -> bool:
    """Tell whether the user may record a follow-up rating of the submission for the person who sent it."""
    if submission.kind == SubmissionKind.REPORT:
        return Submission.objects.filter(pk=submission.pk).filter(
            report_condition(user, roles=FOLLOW_UP_ROLES)).exists()
    return scope_for_user(user, roles=FOLLOW_UP_ROLES).contains(submission.unit)
