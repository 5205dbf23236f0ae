"""Pieces every benchmark shares: timing, the machine description, the database in use."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
from django.db import connection
from django.utils import timezone


def median_seconds(call: Callable[[], Any], repeat: int) -> float:
    """Return the median wall time of ``call`` over ``repeat`` runs, after one warm-up run.

    The warm-up keeps the first run's cache misses and statement preparation out of the
    figure; the median keeps one scheduler hiccup from moving it.
    """
    call()
    samples = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def _proc_field(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines():
            name, _, value = line.partition(":")
            if name.strip() == key:
                return value.strip()
    except OSError:
        pass
    return ""


def machine_info() -> dict[str, Any]:
    """Describe the machine, so that absolute figures can be compared with another run's."""
    try:
        cores = len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 0
    memory_kb = _proc_field("/proc/meminfo", "MemTotal").split(" ")[0]
    return {
        "cores": cores,
        "memory_gib": round(int(memory_kb) / 1024 / 1024, 1) if memory_kb.isdigit() else None,
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "date": timezone.now().strftime("%Y-%m-%d %H:%M UTC"),
        "load": load_average(),
        "revision": code_revision(),
    }


def code_revision() -> str:
    """Return the git commit measured, marked when qingdan's code had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,  # noqa: S607
                              text=True, check=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "qingdan", "bench"], cwd=root,  # noqa: S607
                               capture_output=True, text=True, check=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head} with uncommitted changes" if dirty else head


def load_average() -> str:
    """Return the 1/5/15-minute load averages: other work on the machine moves every figure."""
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not available
        return "unknown"


def database_info() -> dict[str, Any]:
    """Describe the default database: engine, server version and the settings that move the figures."""
    vendor = connection.vendor
    info: dict[str, Any] = {"vendor": vendor, "name": str(connection.settings_dict["NAME"])}
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for setting in ("server_version", "shared_buffers", "synchronous_commit", "lc_collate"):
                cursor.execute(f"SHOW {setting}")
                info[setting] = cursor.fetchone()[0]
            info["label"] = f"PostgreSQL {info['server_version'].split(' ')[0]}"
        elif vendor == "sqlite":
            cursor.execute("SELECT sqlite_version()")
            info["version"] = cursor.fetchone()[0]
            for pragma in ("journal_mode", "synchronous"):
                cursor.execute(f"PRAGMA {pragma}")
                info[pragma] = cursor.fetchone()[0]
            info["label"] = f"SQLite {info['version']}"
        else:
            info["label"] = vendor
    return info


def raw_connection() -> Any:
    """Return the DB-API connection under Django's, for baselines that bypass the ORM entirely."""
    connection.ensure_connection()
    return connection.connection


def placeholder() -> str:
    """Return the DB-API parameter marker of the default database."""
    return "?" if connection.vendor == "sqlite" else "%s"
