"""The loop benchmark on a handful of items: it moves them all, grades like the bare UPDATE, and reports."""

from __future__ import annotations

import pytest

from bench.loop import STEPS, measure, render
from qingdan.dockets.choices import ItemStatus
from qingdan.dockets.models import Evidence, Item

MACHINE = {"cores": 2, "memory_gib": 4.0, "cpu": "test", "os": "test", "python": "3.11", "django": "5.2",
           "date": "today", "load": "0"}


@pytest.mark.django_db
def test_the_loop_benchmark_measures_what_it_claims(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    figures = measure(items=4, grade_items=363)
    loop, grading = figures["loop"], figures["grading"]
    assert set(loop["seconds"]) == set(STEPS) == set(loop["baseline_seconds"]) == set(loop["bulk_seconds"])
    assert loop["items"] == 4 and loop["events"] >= 4 * len(STEPS)
    assert Evidence.objects.count() == 4
    assert Item.objects.filter(status=ItemStatus.CLOSED).count() == 4
    # Deadlines spread over -60 … +60 days: every grade occurs, and items_grade agrees with the bare UPDATE.
    assert grading["items"] == 363 and all(grading["grades"][g] > 0 for g in ("red", "yellow", "green"))
    assert sum(grading["grades"].values()) == 363
    assert grading["changed"]["green"] == 0 and grading["changed"]["red"] == grading["grades"]["red"]
    assert grading["urge_changed"]["yellow"] == grading["grades"]["yellow"]
    assert grading["urge_events"] >= grading["grades"]["red"] + grading["grades"]["yellow"]
    report = render([{**figures, "database": {**figures["database"], "label": "DB"}}], MACHINE)
    assert "| **whole loop** (items/s through all six steps) |" in report
    assert "`items_grade(urge=True)`" in report and "363 items" in report
