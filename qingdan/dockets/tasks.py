"""Background entry points of the loop: the periodic tick that grades, urges and hands over."""

from __future__ import annotations

from django_tasks import task

from qingdan.dockets.services import items_fallback_stale_returns, items_grade


@task()
def dockets_tick_task() -> dict:
    """Grade open items (urging those that turned yellow or red) and give stale returns to parent units."""
    run = items_grade()
    moved = items_fallback_stale_returns()
    return {"graded": {grade: len(ids) for grade, ids in run.changed.items()}, "fallback": moved}
