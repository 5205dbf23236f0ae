"""Listen to intake: every new submission is triaged in the background."""

from __future__ import annotations

import logging
from typing import Any

from qingdan.triage.tasks import triage_submission_task

logger = logging.getLogger(__name__)


def on_submission_received(sender: Any, submission_id: int, **kwargs: Any) -> None:
    """Enqueue triage; a failure to enqueue must never undo or break the intake that sent this."""
    try:
        triage_submission_task.enqueue(submission_id=submission_id)
    except Exception:
        logger.exception("could not triage submission %s", submission_id)
