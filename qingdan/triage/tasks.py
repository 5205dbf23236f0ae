"""Background entry points for triage: load by id, call a service."""

from __future__ import annotations

from django_tasks import task

from qingdan.triage.routing import route_auto_dispatch
from qingdan.triage.services import triage_backfill, triage_submission


@task()
def triage_submission_task(submission_id: int) -> dict:
    """Classify, locate and group one new submission, off the request, then dispatch it if allowed.

    Dispatch happens only if its organizer allows (``routing.route_auto_dispatch``: off by
    default); return what was suggested and done.
    """
    result = triage_submission(submission_id=submission_id)
    if result is None:
        return {"submission": submission_id, "skipped": True}
    dispatched = route_auto_dispatch(submission=result.submission)
    return {"submission": submission_id, "category": result.category, "confidence": result.confidence,
            "place": result.place_code, "hot_issue": result.hot_issue_id,
            "auto_dispatched": dispatched.unit.code if dispatched else None}


@task()
def triage_backfill_task(limit: int = 5000) -> dict:
    """Triage up to ``limit`` stored submissions that have no triage yet (bulk imports), oldest first."""
    return {"triaged": triage_backfill(limit=limit)}
