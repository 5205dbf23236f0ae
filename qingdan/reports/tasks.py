"""Background entry point: the weekly report goes out to its subscribers."""

from __future__ import annotations

from django_tasks import task

from qingdan.reports.services import last_full_week, weekly_send


@task()
def reports_weekly_task() -> dict:
    """Send last week's report to every subscriber who has not had it yet (safe to run often)."""
    week = last_full_week()
    return {"week": week.key, "sent": weekly_send(week=week)}
