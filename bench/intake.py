"""``qingdan bench intake``: submissions through the REST API, and the bulk import, against baselines.

Two measurements, each as a ratio against the same machine doing the least possible:

* **API**: submissions per second through ``POST /api/v1/submissions/`` (token, Idempotency-Key,
  the full service: validation, encrypted contacts, tracking code, event and audit entry in one
  transaction) served by gunicorn with several sync workers, against a bare Django view on the
  same server that parses the same JSON body and answers a receipt of the same size. The
  issue's target: at least half the bare view's throughput, on PostgreSQL. The load generator
  is a fixed number of threads on loopback, each sending its share of a bounded number of
  requests (and stopping at a time limit), one connection per request as sync workers require.
* **Import**: ``submissions_import`` of 100,000 rows (real messages, repeated with new ids)
  against a raw bulk load of the very rows it wrote (submissions and their events: PostgreSQL
  ``COPY``, SQLite ``executemany``) into clones of the tables with the same indexes.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from bench import server as bench_server
from bench.common import database_info, load_average, raw_connection
from bench.urls import store_ddl
from qingdan.intake.importers import submissions_import
from qingdan.intake.models import Submission, SubmissionEvent
from qingdan.people.models import User
from qingdan.people.services import role_grant, token_create
from qingdan.units.choices import Role, UnitKind, UnitLevel
from qingdan.units.models import Unit

TITLE = "Intake: submissions through the REST API, and the bulk import"
TARGET_API_RATIO = 0.5
TARGET_IMPORT_SECONDS = 60.0
SHARED_MESSAGES = Path(settings.BASE_DIR).parent / "shared" / "data" / "messages"
DEMO_MESSAGES = Path(settings.BASE_DIR) / "qingdan" / "demo" / "data"
BODY = {"kind": "complaint", "subject": "小区门口饭店油烟扰民",
        "text": "小区门口的饭店油烟和噪音严重影响居民休息，晚上十点以后还在营业，请有关部门尽快处理。",
        "unit": "330106", "name": "张三", "phone": "13812345678"}


# --- CPU accounting -----------------------------------------------------------------------------
# On a shared 2-core machine other work moves every rate. What one request costs the machine does
# not move much: the CPU seconds of the server's workers, of the database's backends and of the
# load generator, per request. Their ratio is the throughput ratio a machine running only this
# would reach while CPU is the bound.

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds a process has used (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime


def _children(pid: int) -> list[int]:
    """Return the ids of the direct children of a process (gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def _backends() -> list[int]:
    """Return the PostgreSQL backends serving this database, other than ours (the workers' connections)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


class CpuMeter(threading.Thread):
    """Sample, twice a second, the CPU seconds of gunicorn's processes and of the database's backends.

    Backends come and go during a run (a worker reconnects when CONN_MAX_AGE passes), so each
    process counts from the first time it is seen (0 if it appeared during the run) to the last.
    """

    def __init__(self, server_pid: int) -> None:
        super().__init__(daemon=True)
        self.server_pid = server_pid
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self.done = threading.Event()
        self.own_cpu = 0.0  # this thread's CPU, not the load generator's
        self._sample(initial=True)

    def _sample(self, *, initial: bool = False) -> None:
        parts = [("server", pid) for pid in [self.server_pid, *_children(self.server_pid)]]
        parts += [("database", pid) for pid in _backends()]
        for part in parts:
            used = _cpu_seconds(part[1])
            self.first.setdefault(part, used if initial else 0.0)
            self.last[part] = max(used, self.last.get(part, 0.0))

    def run(self) -> None:
        try:
            while not self.done.wait(0.5):
                started = time.thread_time()
                self._sample()
                self.own_cpu += time.thread_time() - started
        finally:
            connection.close()  # this thread's own connection to read pg_stat_activity

    def stop(self) -> dict[str, float]:
        """Stop sampling; return the CPU seconds used since the start, per part."""
        self.done.set()
        self.join()
        self._sample()
        used = {"server": 0.0, "database": 0.0}
        for part, last in self.last.items():
            used[part[0]] += last - self.first.get(part, 0.0)
        return used


# --- the load generator -------------------------------------------------------------------------

def run_load(port: int, path: str, body: dict[str, Any], *, requests: int, concurrency: int, headers: dict[str, str],
             time_limit: float, expect: int, keyed: bool = False, server_pid: int | None = None) -> dict[str, Any]:
    """Send ``requests`` POSTs from ``concurrency`` threads on loopback; return throughput and latencies.

    Bounded twice: each thread sends at most its share, and stops at ``time_limit`` seconds.
    ``keyed`` gives every request its own Idempotency-Key, as a careful client would.
    """
    payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    run_id = uuid.uuid4().hex  # keys never repeat across runs: a repeat would be an idempotent replay
    deadline = time.perf_counter() + time_limit

    def worker() -> None:
        mine: list[float] = []
        while time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            request_headers = {"Content-Type": "application/json", **headers}
            if keyed:
                request_headers["Idempotency-Key"] = f"bench-{run_id}-{number}"
            started = time.perf_counter()
            try:
                connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection_.request("POST", path, body=payload, headers=request_headers)
                response = connection_.getresponse()
                response.read()
                connection_.close()
            except OSError as exc:
                with lock:
                    failures.append(type(exc).__name__)
                continue
            if response.status != expect:
                with lock:
                    failures.append(str(response.status))
                continue
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    meter = CpuMeter(server_pid) if server_pid else None
    if meter:
        meter.start()
    client_before = time.process_time()
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    client_cpu = time.process_time() - client_before
    server_cpu = meter.stop() if meter else {}
    client_cpu -= meter.own_cpu if meter else 0.0
    ordered = sorted(latencies)
    answered = max(1, len(latencies))
    cpu_ms = {part: seconds / answered * 1000 for part, seconds in server_cpu.items()}
    cpu_ms["client"] = client_cpu / answered * 1000

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0

    return {"requests": len(latencies), "failures": len(failures), "failure_kinds": sorted(set(failures))[:5],
            "seconds": wall, "per_second": len(latencies) / wall if wall else 0.0,
            "p50_ms": percentile(0.50) * 1000, "p99_ms": percentile(0.99) * 1000,
            "mean_ms": statistics.fmean(ordered) * 1000 if ordered else 0.0,
            "cpu_ms": cpu_ms, "cpu_total_ms": sum(cpu_ms.values())}


def _setup_caller() -> tuple[Unit, str]:
    """Create 浙江省 › 杭州市 › 西湖区 and a handler of 西湖区 with an API token; return the county and key."""
    province = Unit.objects.add_root({"code": "33", "name": "浙江省", "kind": UnitKind.REGION,
                                      "level": UnitLevel.PROVINCE})
    city = Unit.objects.add_child(province, {"code": "3301", "name": "杭州市", "kind": UnitKind.REGION,
                                             "level": UnitLevel.CITY})
    county = Unit.objects.add_child(city, {"code": "330106", "name": "西湖区", "kind": UnitKind.REGION,
                                           "level": UnitLevel.COUNTY})
    user = User.objects.create(username="bench_handler", display_name="bench", home_unit=county)
    role_grant(actor="bench", user=user, role=Role.HANDLER, unit=county)
    _, key = token_create(actor="bench", user=user, name="bench")
    return Unit.objects.get(pk=county.pk), key


def measure_api(key: str, *, requests: int, concurrency: int, workers: int, time_limit: float,
                say: Callable[[str], None]) -> dict[str, Any]:
    """Serve this database with gunicorn and load the bare view, then the API, with the same client."""
    database_url = os.environ.get("DATABASE_URL", "")
    env = {"DATABASE_URL": database_url, "SECRET_KEY": settings.SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1",
           "QINGDAN_DEMO": "0", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "LOG_LEVEL": "WARNING",
           # The bench is one caller sending thousands of requests a minute: lift its throttle only.
           "QINGDAN_API_THROTTLE": "100000000/m"}
    field_key = getattr(settings, "FIELD_ENCRYPTION_KEY", None)
    if field_key:
        env["FIELD_ENCRYPTION_KEY"] = field_key
    auth = {"Authorization": f"Bearer {key}"}
    before = Submission.objects.filter(channel="api").count()
    with tempfile.TemporaryDirectory(prefix="qingdan-bench-") as scratch, \
            bench_server.serve(env, workers=workers, log=Path(scratch) / "gunicorn.log") as server:
        load: dict[str, Any] = {"requests": requests, "concurrency": concurrency, "headers": auth,
                                "time_limit": time_limit, "server_pid": server.process.pid}
        warm = max(concurrency * 4, 50)
        with connection.cursor() as cursor:
            cursor.execute(store_ddl(connection.vendor))
        run_load(server.port, "/bench/bare/", BODY, **{**load, "requests": warm}, expect=201)
        run_load(server.port, "/bench/bare-store/", BODY, **{**load, "requests": warm}, expect=201)
        warm_api = run_load(server.port, "/api/v1/submissions/", BODY, **{**load, "requests": warm}, expect=201,
                            keyed=True)
        say(f"  bare view: {requests} requests, {concurrency} clients, {workers} workers …")
        bare = run_load(server.port, "/bench/bare/", BODY, **load, expect=201)
        say(f"    {bare['per_second']:.0f}/s; bare store …")
        store = run_load(server.port, "/bench/bare-store/", BODY, **load, expect=201)
        say(f"    {store['per_second']:.0f}/s; API …")
        api = run_load(server.port, "/api/v1/submissions/", BODY, **load, expect=201, keyed=True)
        say(f"    {api['per_second']:.0f}/s")
        log_tail = (Path(scratch) / "gunicorn.log").read_text(encoding="utf-8", errors="replace")[-2000:]
    stored = Submission.objects.filter(channel="api").count() - before
    answered = warm_api["requests"] + api["requests"]
    if stored != answered and not (warm_api["failures"] or api["failures"]):
        # Every 201 is a stored submission: the warm-up's and the run's, nothing more or less.
        raise RuntimeError(f"{stored} submissions stored for {answered} answers 201")
    if bare["failures"] or api["failures"]:
        say(f"  failures: bare {bare['failure_kinds']}, api {api['failure_kinds']}; server log:\n{log_tail}")
    return {"bare": bare, "store": store, "api": api,
            "ratio": api["per_second"] / bare["per_second"] if bare["per_second"] else 0,
            "store_ratio": store["per_second"] / bare["per_second"] if bare["per_second"] else 0,
            "cpu_ratio": bare["cpu_total_ms"] / api["cpu_total_ms"] if api["cpu_total_ms"] else 0,
            "workers": workers, "concurrency": concurrency, "stored": stored}


# --- the import ---------------------------------------------------------------------------------

def message_rows() -> tuple[list[dict[str, str]], str]:
    """Return the real messages to repeat: the shared data when present, else the sample the demo ships."""
    names = ["hot_issue_messages.csv", "messages_with_replies.csv", "labeled_full_rows.csv"]
    folder = SHARED_MESSAGES if all((SHARED_MESSAGES / n).is_file() for n in names) else DEMO_MESSAGES
    if folder == DEMO_MESSAGES:
        names = ["messages.csv", "messages_with_replies.csv"]
    rows: list[dict[str, str]] = []
    for name in names:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            rows.extend(csv.DictReader(handle))
    return rows, f"{folder.name}/{{{', '.join(names)}}}" if folder == SHARED_MESSAGES else f"demo/data ({len(rows)})"


def generate_file(count: int) -> tuple[bytes, str]:
    """Return a UTF-8 CSV of ``count`` rows cycling through the real messages, each with a new id."""
    rows, origin = message_rows()
    columns = ["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数", "答复意见", "答复时间"]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for index in range(count):
        row = rows[index % len(rows)]
        texts = [row.get(c) or "" for c in columns]
        writer.writerow([f"{index}-{texts[0]}", *texts[1:5], texts[5] or "0", texts[6] or "0", *texts[7:]])
    return out.getvalue().encode("utf-8"), f"{len(rows):,} real messages from {origin}"


def _clone(cursor: Any, table: str, clone: str) -> None:
    """Create an empty clone of a table with the same columns, constraints and indexes."""
    cursor.execute(f"DROP TABLE IF EXISTS {clone}")
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TABLE {clone} (LIKE {table} INCLUDING ALL)")
        return
    cursor.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                   "ORDER BY type = 'index'", [table])
    for kind, name, sql in cursor.fetchall():
        sql = sql.replace(f'"{table}"', f'"{clone}"')
        if kind == "index":
            sql = sql.replace(f'"{name}"', f'"{clone}_{name}"', 1)
        cursor.execute(sql)


def raw_bulk_load(source: str) -> tuple[float, str, int]:
    """Time the raw database loading the rows the import wrote (submissions and events) into clones."""
    raw = raw_connection()
    plans = []
    with connection.cursor() as cursor:
        for table, where in (("intake_submission", "source = %s"),
                             ("intake_submissionevent",
                              "submission_id IN (SELECT id FROM intake_submission WHERE source = %s)")):
            columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT {', '.join(columns)} FROM {table} WHERE {where} ORDER BY id", [source])
            plans.append((table, f"bench_raw_{table}", columns, cursor.fetchall()))
            _clone(cursor, table, f"bench_raw_{table}")
    started = time.perf_counter()
    with transaction.atomic():
        for _table, clone, columns, rows in plans:
            names = ", ".join(columns)
            if connection.vendor == "postgresql":
                with raw.cursor() as cursor, cursor.copy(f"COPY {clone} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                raw.executemany(f"INSERT INTO {clone} ({names}) VALUES ({', '.join('?' * len(columns))})", rows)
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        for _table, clone, _columns, _rows in plans:
            cursor.execute(f"DROP TABLE {clone}")
    method = "COPY FROM STDIN (psycopg cursor.copy)" if connection.vendor == "postgresql" else "executemany (sqlite3)"
    return seconds, method, sum(len(p[3]) for p in plans)


def measure_import(unit: Unit, *, rows: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Import ``rows`` generated rows, re-import them, and time the raw load of what was written."""
    data, origin = generate_file(rows)
    say(f"  import of {rows:,} rows ({len(data) / 1e6:.0f} MB) …")
    started = time.perf_counter()
    result = submissions_import(actor="bench", source=data, name="bench-import", unit=unit)
    seconds = time.perf_counter() - started
    if result.created != rows or result.rejected:
        raise RuntimeError(f"imported {result.created} of {rows} rows; first problems: {result.rejected[:3]}")
    say(f"    {seconds:.1f} s; re-import …")
    started = time.perf_counter()
    again = submissions_import(actor="bench", source=data, name="bench-import", unit=unit)
    reimport_seconds = time.perf_counter() - started
    if again.created or again.existing != rows:
        raise RuntimeError(f"re-import created {again.created}")
    say(f"    {reimport_seconds:.1f} s; raw bulk load of the same rows …")
    baseline, method, raw_rows = raw_bulk_load("bench-import")
    events = SubmissionEvent.objects.filter(submission__source="bench-import").count()
    return {"rows": rows, "origin": origin, "bytes": len(data), "seconds": seconds,
            "reimport_seconds": reimport_seconds, "events": events, "baseline_seconds": baseline,
            "baseline_method": method, "baseline_rows": raw_rows,
            "ratio": seconds / baseline, "rows_per_second": rows / seconds}


def measure(*, rows: int = 100_000, requests: int = 3000, concurrency: int = 16, workers: int = 4,
            time_limit: float = 120.0, progress: Callable[[str], None] | None = None,
            **_options: Any) -> dict[str, Any]:
    """Run both measurements on the default (scratch) database and return JSON-able figures."""
    say = progress or (lambda _message: None)
    if Submission.objects.exists() or Unit.objects.exists():
        raise RuntimeError("`qingdan bench intake` needs a fresh database")
    database = database_info()
    load_before = load_average()
    say(f"{database['label']}: API under gunicorn …")
    unit, key = _setup_caller()
    api = measure_api(key, requests=requests, concurrency=concurrency, workers=workers, time_limit=time_limit,
                      say=say)
    imported = measure_import(unit, rows=rows, say=say)
    say("  done")
    return {"database": database, "load_before": load_before, "api": api, "import": imported}


# --- the report ---------------------------------------------------------------------------------

def _s(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(results: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """Return the Markdown section: machine, targets, API table, import table; one column group per database."""
    if not results:
        return "No database was measured.\n"
    labels = [r["database"]["label"] for r in results]
    first = results[0]
    lines = [
        f"## {TITLE}", "",
        f"`qingdan bench intake`, {machine['date']}: gunicorn with {first['api']['workers']} sync workers on "
        f"127.0.0.1, {first['api']['concurrency']} client threads on the same machine (one connection per request, "
        f"at most {first['api']['bare']['requests'] + first['api']['bare']['failures']:,} requests per run), "
        f"then an import of {first['import']['rows']:,} rows ({first['import']['origin']}, repeated with new ids).",
        "",
        f"Machine: {machine['cores']} cores, {machine['memory_gib']} GiB memory, {machine['cpu']}; {machine['os']}; "
        f"Python {machine['python']}, Django {machine['django']}; qingdan {machine.get('revision', 'unknown')}. "
        "The load generator shares the cores with the server, so absolute rates are a floor; the ratios compare "
        "like with like.", "",
    ]
    for r in results:
        db = r["database"]
        extra = (f", shared_buffers {db['shared_buffers']}, synchronous_commit {db['synchronous_commit']}"
                 if db["vendor"] == "postgresql" else f", journal_mode {db.get('journal_mode')}")
        lines.append(f"- {db['label']}{extra}; load {r['load_before']}.")
    lines += ["", "### Targets", "", "| Target | " + " | ".join(labels) + " |", "|---|" + "---:|" * len(results)]
    lines.append("| API throughput at least half the bare view's (the issue's target, on PostgreSQL) | " + " | ".join(
        f"{r['api']['ratio']:.2f} — {_yes(r['api']['ratio'] >= TARGET_API_RATIO)}" for r in results) + " |")
    lines.append("| 100,000 rows import in under a minute | " + " | ".join(
        f"{_s(r['import']['seconds'])} — {_yes(r['import']['seconds'] < TARGET_IMPORT_SECONDS)}"
        for r in results) + " |")
    lines += ["", "### REST API", "",
              "Ratio: the API's throughput over the bare view's (higher is better; 1 would mean the API's work "
              "is free).",
              "", "| Endpoint | " + " | ".join(f"{label} per s | p50 | p99 | ratio" for label in labels) + " |",
              "|---|" + "---:|---:|---:|---:|" * len(results)]
    for key, name in (("bare", "Baseline: bare Django view, same JSON body parsed, receipt answered"),
                      ("store", "Floor of storing: bare view + one INSERT into a plain table, committed"),
                      ("api", "`POST /api/v1/submissions/` (token, Idempotency-Key, stored with event and audit)")):
        cells = []
        for r in results:
            if key not in r["api"]:
                cells.append(" | | | ")
                continue
            figure = r["api"][key]
            ratios = {"bare": 1.0, "store": r["api"].get("store_ratio", 0), "api": r["api"]["ratio"]}
            ratio = "1" if key == "bare" else f"{ratios[key]:.2f}"
            cells.append(f"{figure['per_second']:.0f} | {figure['p50_ms']:.1f} ms | {figure['p99_ms']:.1f} ms | "
                         f"{ratio}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    failures = [f"{r['database']['label']}: bare {r['api']['bare']['failures']}, API {r['api']['api']['failures']}"
                for r in results]
    lines += ["", "Failed requests (should be none): " + "; ".join(failures) + ".", ""]
    if all(r["api"]["bare"].get("cpu_ms") for r in results):
        lines += ["CPU per request: CPU seconds used during the run by gunicorn's processes, by the database's "
                  "backends and by the load generator, over the requests answered. Unlike the rates, these barely "
                  "move with other work on the machine; their ratio (bare over API) is the throughput ratio this "
                  "machine would reach running nothing else, while CPU is the bound.", "",
                  "| CPU per request | " + " | ".join(f"{label} server | database | client | total"
                                                       for label in labels) + " |",
                  "|---|" + "---:|---:|---:|---:|" * len(results)]
        for key, name in (("bare", "Bare view"), ("store", "Bare view + INSERT"),
                          ("api", "`POST /api/v1/submissions/`")):
            if not all(key in r["api"] for r in results):
                continue
            cells = []
            for r in results:
                cpu = r["api"][key]["cpu_ms"]
                cells.append(f"{cpu.get('server', 0):.2f} ms | {cpu.get('database', 0):.2f} ms | "
                             f"{cpu.get('client', 0):.2f} ms | {r['api'][key]['cpu_total_ms']:.2f} ms")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("| Ratio, bare over API (the throughput ratio CPU allows) | " + " | ".join(
            f"| | | {r['api'].get('cpu_ratio', 0):.2f}" for r in results) + " |")
        lines.append("")
    lines += ["### Import", "",
              "Ratio: the import's time over the raw bulk load of the rows it wrote (lower is better; 1× is the "
              "floor).",
              "", "| Measurement | " + " | ".join(f"{label} | ratio" for label in labels) + " |",
              "|---|" + "---:|---:|" * len(results)]
    lines.append("| Baseline: raw bulk load of the same submissions and events into indexed clones, one transaction | "
                 + " | ".join(f"{_s(r['import']['baseline_seconds'])} | 1×" for r in results) + " |")
    lines.append("| `import-submissions`: read and check the CSV, store in batches with events and audit | "
                 + " | ".join(f"{_s(r['import']['seconds'])} | {r['import']['ratio']:.1f}×" for r in results) + " |")
    lines.append("| Re-import of the same file, nothing new | "
                 + " | ".join(f"{_s(r['import']['reimport_seconds'])} | "
                              f"{r['import']['reimport_seconds'] / r['import']['baseline_seconds']:.1f}×"
                              for r in results) + " |")
    lines += ["", "Rows per second: " + "; ".join(f"{r['database']['label']} {r['import']['rows_per_second']:,.0f}"
                                                   for r in results)
              + ". Baseline methods: " + "; ".join(f"{r['database']['label']}: {r['import']['baseline_method']}, "
                                                   f"{r['import']['baseline_rows']:,} rows" for r in results) + ".", ""]
    return "\n".join(lines)
