"""The intake benchmark's import half on a small file, its report, and the page merge."""

from __future__ import annotations

import pytest
from django.db import connection

from bench.intake import generate_file, measure_import, render
from qingdan.core.management.commands.bench import merge_document
from qingdan.intake.models import Submission

MACHINE = {"cores": 2, "memory_gib": 4.0, "cpu": "test", "os": "test", "python": "3.11", "django": "5.2",
           "date": "today", "load": "0"}


def test_generated_file_cycles_through_real_messages_with_new_ids():
    data, origin = generate_file(50)
    text = data.decode("utf-8")
    assert text.startswith("留言编号,") and "real messages" in origin
    assert "\n49-" in text


@pytest.mark.django_db
def test_import_measurement_describes_what_happened(tree):
    figures = measure_import(tree["330106"], rows=300, say=lambda _message: None)
    assert figures["rows"] == 300 == Submission.objects.filter(source="bench-import").count()
    assert figures["baseline_rows"] == 300 + figures["events"]
    assert figures["ratio"] == pytest.approx(figures["seconds"] / figures["baseline_seconds"])
    assert not [t for t in connection.introspection.table_names() if t.startswith("bench_raw_")]
    api = {"bare": {"requests": 100, "failures": 0, "per_second": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0},
           "api": {"requests": 100, "failures": 0, "per_second": 400.0, "p50_ms": 5.0, "p99_ms": 9.0},
           "ratio": 0.4, "workers": 4, "concurrency": 16}
    report = render([{"database": {"label": "SQLite 3", "vendor": "sqlite", "journal_mode": "wal"},
                      "load_before": "0", "api": api, "import": figures}], MACHINE)
    assert "| 0.40 — **no** |" in report and "| 1000 | 1.0 ms | 2.0 ms | 1 |" in report


def test_merge_document_replaces_only_its_own_section():
    page = "# Benchmarks\n\nold preamble\n\n## Tree\n\ntree figures\n\n## Intake\n\nold intake\n"
    merged = merge_document(page, "## Intake\n\nnew intake\n")
    assert "tree figures" in merged and "new intake" in merged and "old intake" not in merged
    assert merged.index("## Tree") < merged.index("## Intake")
    added = merge_document("# Benchmarks\n\n## Tree\n\ntree figures\n", "## Intake\n\nfirst intake\n")
    assert added.index("## Tree") < added.index("## Intake") and "bench intake" in added
