"""The intake benchmark's import half on a small file, its report, and the page merge."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.db import connection

from bench.intake import CpuMeter, _children, _cpu_seconds, generate_file, measure_import, render
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
           "store": {"requests": 100, "failures": 0, "per_second": 450.0, "p50_ms": 4.0, "p99_ms": 8.0},
           "ratio": 0.4, "store_ratio": 0.45, "workers": 4, "concurrency": 16}
    report = render([{"database": {"label": "SQLite 3", "vendor": "sqlite", "journal_mode": "wal"},
                      "load_before": "0", "api": api, "import": figures}], MACHINE)
    assert "| 0.40 — **no** |" in report and "| 1000 | 1.0 ms | 2.0 ms | 1 |" in report
    assert "| Floor of storing: bare view + one INSERT into a plain table, committed | 450 | 4.0 ms | 8.0 ms | 0.45 |" \
        in report


def test_merge_document_replaces_only_its_own_section():
    page = "# Benchmarks\n\nold preamble\n\n## Tree\n\ntree figures\n\n## Intake\n\nold intake\n"
    merged = merge_document(page, "## Intake\n\nnew intake\n")
    assert "tree figures" in merged and "new intake" in merged and "old intake" not in merged
    assert merged.index("## Tree") < merged.index("## Intake")
    added = merge_document("# Benchmarks\n\n## Tree\n\ntree figures\n", "## Intake\n\nfirst intake\n")
    assert added.index("## Tree") < added.index("## Intake") and "bench intake" in added


def test_cpu_accounting_reads_processes_and_their_children():
    busy = sum(i * i for i in range(200_000))  # spend some CPU so the figure is above zero
    assert busy and _cpu_seconds(os.getpid()) > 0
    assert _cpu_seconds(2**22 + 7) == 0.0  # no such process
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(5)"])
    try:
        assert child.pid in _children(os.getpid())
    finally:
        child.kill()
        child.wait()


@pytest.mark.django_db  # the meter reads pg_stat_activity on PostgreSQL
def test_cpu_meter_counts_a_child_that_appears_during_the_run():
    meter = CpuMeter(os.getpid())
    meter.start()
    # Burn 0.3 s of CPU, say so, then stay alive until killed: counted from 0, it was not there at the start.
    burn = ("import sys, time\nwhile time.process_time() < 0.3:\n    pass\n"
            "print('burnt', flush=True)\ntime.sleep(60)\n")
    child = subprocess.Popen([sys.executable, "-c", burn], stdout=subprocess.PIPE, text=True)  # noqa: S603
    try:
        assert child.stdout.readline().strip() == "burnt"
        used = meter.stop()
    finally:
        child.kill()
        child.wait()
    assert used["server"] >= 0.25


def test_report_shows_cpu_per_request_and_its_ratio():
    cpu = {"bare": {"requests": 100, "failures": 0, "per_second": 1000.0, "p50_ms": 1.0, "p99_ms": 2.0,
                    "cpu_ms": {"server": 1.0, "database": 0.0, "client": 0.5}, "cpu_total_ms": 1.5},
           "api": {"requests": 100, "failures": 0, "per_second": 200.0, "p50_ms": 5.0, "p99_ms": 9.0,
                   "cpu_ms": {"server": 4.0, "database": 1.5, "client": 0.5}, "cpu_total_ms": 6.0},
           "ratio": 0.2, "cpu_ratio": 0.25, "workers": 4, "concurrency": 16}
    figures = {"rows": 10, "origin": "test", "seconds": 1.0, "reimport_seconds": 0.5, "baseline_seconds": 0.5,
               "baseline_method": "test", "baseline_rows": 20, "ratio": 2.0, "rows_per_second": 10.0}
    report = render([{"database": {"label": "PostgreSQL 15", "vendor": "postgresql", "shared_buffers": "128MB",
                                   "synchronous_commit": "on"}, "load_before": "0", "api": cpu,
                      "import": figures}], MACHINE)
    assert "| `POST /api/v1/submissions/` | 4.00 ms | 1.50 ms | 0.50 ms | 6.00 ms |" in report
    assert "| 0.25 |" in report
