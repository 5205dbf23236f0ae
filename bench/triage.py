"""``qingdan bench triage``: classify, locate and group speed, and grouping recall, against baselines.

Figures, each beside a baseline measured in the same run:

* classify: messages a second on one core (BLAS and OpenMP pinned to one thread) against only
  reading them (``normalise``, the floor any model pays);
* locate: our gazetteer against the ``cpca`` package (if installed; a bench-only extra) on the
  same synthetic texts naming real counties, accuracy at county level and speed;
* group: ``--messages`` (default 1,000,000) messages synthesised from the real ones by
  recombining their sentences and places, grouped incrementally: wall time, peak memory, and
  the time to add one more message to the full index; then, on a 20,000-message sample, the
  same incremental grouping with an exact brute-force search over every live issue's centroid,
  and the pairwise recall of the indexed grouping against it;
* arrival: ``triage_submission`` (classify, locate, group in the database) per new submission.

The real messages come from ``../shared/data/messages`` when present (the benchmark is a
development tool; the product never reads that folder).
"""

from __future__ import annotations

import csv
import os
import random
import re
import resource
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import database_info, load_average
from qingdan.intake.services import submission_create
from qingdan.triage import grouping
from qingdan.triage.classifier import get_classifier
from qingdan.triage.gazetteer import get_gazetteer
from qingdan.triage.services import triage_submission
from qingdan.triage.text import normalise
from qingdan.units.choices import UnitKind, UnitLevel
from qingdan.units.models import Unit

TITLE = "Triage: classify, locate, group"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
TARGET_CLASSIFY_PER_CORE = 2000
TARGET_GROUP_SECONDS = 600
TARGET_GROUP_MEMORY_GB = 4.0
TARGET_ADD_MS = 20.0
TARGET_RECALL = 0.95
_SENTENCE = re.compile(r"(?<=[。！？!?；;])")
_PLACE = re.compile(r"[A-Z]\d{0,2}[市区县]")


def _messages() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name in ("hot_issue_messages.csv", "messages_with_replies.csv", "labeled_full_rows.csv"):
        path = SHARED / "messages" / name
        if path.exists():
            with path.open(encoding="utf-8", newline="") as fh:
                found.extend((r["留言主题"], r["留言详情"]) for r in csv.DictReader(fh))
    if not found:
        raise RuntimeError(f"the real messages are not in {SHARED / 'messages'}")
    return found


def _places() -> list[str]:
    with (SHARED / "divisions" / "streets.csv").open(encoding="utf-8", newline="") as fh:
        return [r["name"] for r in csv.DictReader(fh)][:5000]


def synthesise(count: int, *, seed: int = 0) -> Iterator[tuple[str, str, str, float]]:
    """Yield (subject, body, user, time) messages that repeat one another as real complaints do.

    Each is built from a real message: its sentences reshuffled, one borrowed from another message,
    its anonymised place swapped for a real township name. Messages that start from the same real
    one are near-duplicates, as repeated complaints are.
    """
    rng = random.Random(seed)
    real = _messages()
    split = [[s for s in _SENTENCE.split(normalise(body, limit=600)) if s] or [normalise(subject)]
             for subject, body in real]
    places = _places()
    for i in range(count):
        k = rng.randrange(len(real))
        subject, sentences = real[k][0], split[k]
        place = rng.choice(places)
        pick = sentences[: rng.randint(1, min(4, len(sentences)))]
        pick.append(rng.choice(split[rng.randrange(len(real))]))
        body = _PLACE.sub(place, "".join(pick), count=1)
        yield _PLACE.sub(place, subject, count=1), body, f"u{rng.randrange(count)}", i * 30.0


def _peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def measure_classify(*, count: int = 20_000) -> dict[str, Any]:
    """Messages a second through the shipped model on one core, against only normalising them."""
    from threadpoolctl import threadpool_limits  # noqa: PLC0415 (threadpoolctl loads only for the classifier's measurement)

    real = _messages()
    pairs = [real[i % len(real)] for i in range(count)]
    model = get_classifier()
    model.predict(pairs[:200])
    with threadpool_limits(limits=1):
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, count, 2000):
            model.predict(pairs[start:start + 2000])
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    cpu = time.process_time()
    for subject, body in pairs:
        normalise(subject)
        normalise(body)
    floor = time.process_time() - cpu
    chars = sum(len(s) + len(b) for s, b in pairs) / count
    # Per core = per CPU-second of this one-threaded process: other work on the machine then
    # slows the wall clock but not this figure (both are reported).
    return {"messages": count, "seconds": seconds, "cpu_seconds": cpu_seconds, "per_second": count / cpu_seconds,
            "wall_per_second": count / seconds, "baseline_per_second": count / floor, "mean_chars": chars}


def _locate_cases(count: int, seed: int = 1) -> list[tuple[str, str]]:
    """Texts naming a real county (with its city, or alone when its name is unique), with the county code."""
    rng = random.Random(seed)
    with (SHARED / "divisions" / "areas.csv").open(encoding="utf-8", newline="") as fh:
        areas = [r for r in csv.DictReader(fh) if r["name"] not in ("市辖区",)]
    with (SHARED / "divisions" / "cities.csv").open(encoding="utf-8", newline="") as fh:
        cities = {r["code"]: r["name"] for r in csv.DictReader(fh)}
    with (SHARED / "divisions" / "streets.csv").open(encoding="utf-8", newline="") as fh:
        streets: dict[str, list[str]] = {}
        for r in csv.DictReader(fh):
            streets.setdefault(r["areaCode"], []).append(r["name"])
    names: dict[str, int] = {}
    for a in areas:
        names[a["name"]] = names.get(a["name"], 0) + 1
    bodies = [normalise(b, limit=120) for _, b in _messages()[:2000]]
    cases: list[tuple[str, str]] = []
    while len(cases) < count:
        a = rng.choice(areas)
        city = cities.get(a["cityCode"], "")
        city = "" if city in ("市辖区", "省直辖县级行政区划", "自治区直辖县级行政区划", "县") else city
        style = rng.randrange(3)
        if style == 0 and city:
            where = f"{city}{a['name']}"
        elif style == 1 and names[a["name"]] == 1:
            where = a["name"]
        elif a["code"] in streets and city:
            where = f"{city}{a['name']}{rng.choice(streets[a['code']])}"
        else:
            continue
        cases.append((f"我是{where}的居民，{rng.choice(bodies)}", a["code"]))
    return cases


def measure_locate(*, count: int = 3000) -> dict[str, Any]:
    """County-level accuracy and speed of our gazetteer and of cpca on the same texts."""
    cases = _locate_cases(count)
    gazetteer = get_gazetteer()
    started = time.process_time()
    ours = [gazetteer.locate(text).code[:6] for text, _ in cases]
    seconds = time.process_time() - started
    result: dict[str, Any] = {"texts": count, "ours": {
        "accuracy": sum(o == c for o, (_, c) in zip(ours, cases, strict=True)) / count,
        "per_second": count / seconds}}
    try:
        import cpca  # noqa: PLC0415 (optional: only a dev install has it, and the comparison is skipped without it)
    except ImportError:
        result["cpca"] = None
        return result
    cpca.transform(["浙江省杭州市西湖区"])
    started = time.process_time()
    frame = cpca.transform([text for text, _ in cases])
    seconds = time.process_time() - started
    codes = [str(c)[:6] if isinstance(c, str) else "" for c in frame["adcode"]]
    result["cpca"] = {"accuracy": sum(o == c for o, (_, c) in zip(codes, cases, strict=True)) / count,
                      "per_second": count / seconds, "version": getattr(cpca, "__version__", "")}
    return result


class ExactIndex(grouping.GroupIndex):
    """The same incremental grouping, with the index replaced by a brute-force search of every live issue."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.c_idx = np.zeros((1024, grouping.CENTROID_SIZE), dtype=np.int32)
        self.c_val = np.zeros((1024, grouping.CENTROID_SIZE), dtype=np.float32)
        self.dense = np.zeros(grouping.BUCKETS, dtype=np.float32)

    def candidates(self, vector: grouping.Vector) -> list[int]:
        """Score every issue at once (gather from a dense copy of the vector); return the best one."""
        n = len(self.issues)
        if n == 0 or vector.idx.size == 0:
            return []
        self.dense[vector.idx] = vector.val
        scores = (self.dense[self.c_idx[:n]] * self.c_val[:n]).sum(axis=1)
        self.dense[vector.idx] = 0.0
        if n <= grouping.CANDIDATES:
            return list(range(n))
        return [int(i) for i in np.argpartition(-scores, grouping.CANDIDATES)[:grouping.CANDIDATES]]

    def add(self, vector: grouping.Vector, **kwargs: Any) -> grouping.Decision:
        """Add as the index does, then keep the centroid table in step."""
        decision = super().add(vector, **kwargs)
        if decision.issue >= self.c_idx.shape[0]:
            self.c_idx = np.vstack([self.c_idx, np.zeros_like(self.c_idx)])
            self.c_val = np.vstack([self.c_val, np.zeros_like(self.c_val)])
        centroid = self.issues[decision.issue].centroid
        self.c_idx[decision.issue] = 0
        self.c_val[decision.issue] = 0
        self.c_idx[decision.issue, :centroid.idx.size] = centroid.idx
        self.c_val[decision.issue, :centroid.idx.size] = centroid.val
        return decision


def _pairs_together(labels: list[int]) -> dict[int, list[int]]:
    groups: dict[int, list[int]] = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, []).append(i)
    return groups


def measure_recall(*, count: int = 20_000) -> dict[str, Any]:
    """Pairwise recall (and agreement) of indexed grouping against the exhaustive search on a sample."""
    vectors = [grouping.vectorize(s, b) for s, b, _, _ in synthesise(count, seed=7)]
    indexed, exact = grouping.GroupIndex(), ExactIndex()
    started = time.process_time()
    fast = [indexed.add(v, at=0.0).issue for v in vectors]
    indexed_seconds = time.process_time() - started
    started = time.process_time()
    slow = [exact.add(v, at=0.0).issue for v in vectors]
    exact_seconds = time.process_time() - started
    exact_pairs = together = fast_pairs = 0
    for members in _pairs_together(slow).values():
        if len(members) > 1:
            exact_pairs += len(members) * (len(members) - 1) // 2
            for a_pos, a in enumerate(members):
                together += sum(1 for b in members[a_pos + 1:] if fast[a] == fast[b])
    for members in _pairs_together(fast).values():
        fast_pairs += len(members) * (len(members) - 1) // 2
    return {"messages": count, "exact_pairs": exact_pairs, "indexed_pairs": fast_pairs,
            "recall": together / exact_pairs if exact_pairs else 1.0,
            "precision": together / fast_pairs if fast_pairs else 1.0,
            "indexed_seconds": indexed_seconds, "exact_seconds": exact_seconds,
            "issues_indexed": len(indexed.issues), "issues_exact": len(exact.issues)}


def measure_group(*, count: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Group ``count`` synthetic messages incrementally; then time single additions to the full index."""
    index = grouping.GroupIndex()
    grouping.get_idf()
    started, cpu = time.perf_counter(), time.process_time()
    stream = synthesise(count + 1000, seed=3)
    making = 0.0  # CPU spent synthesising the messages: not grouping's, subtracted
    for n in range(count):
        made = time.process_time()
        subject, body, user, at = next(stream)
        making += time.process_time() - made
        index.add(grouping.vectorize(subject, body), at=at, submitter=user)
        if n and n % 100_000 == 0:
            say(f"    {n:,} grouped, {time.perf_counter() - started:.0f} s, {len(index.issues):,} issues")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu - making
    samples = []
    for subject, body, user, at in stream:
        one = time.process_time()
        index.add(grouping.vectorize(subject, body), at=at, submitter=user)
        samples.append((time.process_time() - one) * 1000)
    samples.sort()
    sizes = [issue.size for issue in index.issues]
    return {"messages": count, "seconds": seconds, "cpu_seconds": cpu_seconds, "per_second": count / cpu_seconds,
            "peak_gb": _peak_gb(),
            "issues": len(index.issues), "largest": max(sizes), "in_groups": sum(s for s in sizes if s > 1) / count,
            "add_ms_p50": statistics.median(samples), "add_ms_p99": samples[int(len(samples) * 0.99) - 1]}


def measure_arrival(*, count: int = 200) -> dict[str, Any]:
    """``triage_submission`` on this database: classify, locate, group and store, per new submission."""
    unit = Unit.objects.filter(code="33").first() or Unit.objects.add_root(
        {"code": "33", "name": "浙江省", "kind": UnitKind.REGION, "level": UnitLevel.PROVINCE})
    ids = []
    for subject, body, _, _ in synthesise(count, seed=5):
        submission, _ = submission_create(actor=None, channel="web", kind="complaint", subject=subject[:200],
                                          text=body or subject, unit=unit, anonymous=True)
        ids.append(submission.pk)
    times = []
    for pk in ids:
        started = time.perf_counter()
        triage_submission(submission_id=pk)
        times.append((time.perf_counter() - started) * 1000)  # wall: the database's time counts here
    times.sort()
    return {"submissions": count, "ms_p50": statistics.median(times), "ms_p99": times[int(len(times) * 0.99) - 1]}


def measure(*, progress: Callable[[str], None] | None = None, **_options: Any) -> dict[str, Any]:
    """Run every measurement, at sizes the environment may lower for a quick run.

    ``QINGDAN_BENCH_TRIAGE_MESSAGES`` sets the grouping size (default 1,000,000),
    ``QINGDAN_BENCH_TRIAGE_SAMPLE`` the brute-force sample (default 20,000).
    """
    say = progress or (lambda _message: None)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    count = int(os.environ.get("QINGDAN_BENCH_TRIAGE_MESSAGES", "1000000"))
    sample = int(os.environ.get("QINGDAN_BENCH_TRIAGE_SAMPLE", "20000"))
    database = database_info()
    figures: dict[str, Any] = {"database": database, "load_before": load_average()}
    say(f"{database['label']}: arrival in the database …")
    figures["arrival"] = measure_arrival()
    say("  classify …")
    figures["classify"] = measure_classify()
    say("  locate …")
    figures["locate"] = measure_locate()
    say("  recall against brute force …")
    figures["recall"] = measure_recall(count=sample)
    say(f"  group {count:,} …")
    figures["group"] = measure_group(count=count, say=say)
    figures["load_after"] = load_average()
    return figures


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def render(results: list[dict[str, Any]], machine: dict[str, Any]) -> str:
    """Return the Markdown section for docs/benchmarks.md."""
    if not results:
        return "No database was measured.\n"
    lines = [f"## {TITLE}", "",
             f"`qingdan bench triage`, {machine['date']}. Machine: {machine['cores']} cores, "
             f"{machine['memory_gib']} GiB memory, {machine['cpu']}; {machine['os']}; Python {machine['python']}; "
             f"qingdan {machine.get('revision', 'unknown')}.", ""]
    for r in results:
        c, loc, g, rec, arr = r["classify"], r["locate"], r["group"], r["recall"], r["arrival"]
        lines += [f"### {r['database']['label']} (load {r['load_before']} before, {r.get('load_after', '?')} after)",
                  "", "| Target | Measured | Met |", "|---|---:|---|",
                  f"| classify ≥ {TARGET_CLASSIFY_PER_CORE:,} messages/s per core | "
                  f"{c['per_second']:,.0f}/s per CPU-second "
                  f"(wall {c['wall_per_second']:,.0f}/s; normalising alone {c['baseline_per_second']:,.0f}/s; "
                  f"{c['mean_chars']:.0f} chars a message) | "
                  f"{_yes(c['per_second'] >= TARGET_CLASSIFY_PER_CORE)} |",
                  f"| group {g['messages']:,} messages < {TARGET_GROUP_SECONDS} s | {g['cpu_seconds']:.0f} CPU-s "
                  f"({g['per_second']:,.0f}/s; wall {g['seconds']:.0f} s with synthesis, on a shared machine) | "
                  f"{_yes(g['cpu_seconds'] < TARGET_GROUP_SECONDS)} |",
                  f"| … memory < {TARGET_GROUP_MEMORY_GB:.0f} GB | peak {g['peak_gb']:.2f} GB (whole process) | "
                  f"{_yes(g['peak_gb'] < TARGET_GROUP_MEMORY_GB)} |",
                  f"| add one message to the full index < {TARGET_ADD_MS:.0f} ms | CPU p50 {g['add_ms_p50']:.2f} ms, "
                  f"p99 {g['add_ms_p99']:.2f} ms | {_yes(g['add_ms_p99'] < TARGET_ADD_MS)} |",
                  f"| grouping recall ≥ {TARGET_RECALL} against brute force ({rec['messages']:,} messages) | "
                  f"{rec['recall']:.3f} (pairwise precision {rec['precision']:.3f}; "
                  f"{rec['exact_pairs']:,} exact pairs; "
                  f"index {rec['indexed_seconds']:.1f} CPU-s vs exhaustive {rec['exact_seconds']:.1f} CPU-s) | "
                  f"{_yes(rec['recall'] >= TARGET_RECALL)} |",
                  "", f"Grouping made {g['issues']:,} issues (largest {g['largest']:,}; {g['in_groups']:.0%} of "
                  f"messages in an issue of two or more). Arrival in the database (`triage_submission`: classify, "
                  f"locate, group, store): p50 {arr['ms_p50']:.1f} ms, p99 {arr['ms_p99']:.1f} ms over "
                  f"{arr['submissions']} submissions.", "",
                  "| Locate, county level | accuracy | texts/s |", "|---|---:|---:|",
                  f"| qingdan gazetteer | {loc['ours']['accuracy']:.3f} | {loc['ours']['per_second']:,.0f} |"]
        if loc.get("cpca"):
            lines.append(f"| cpca {loc['cpca'].get('version', '')} | {loc['cpca']['accuracy']:.3f} | "
                         f"{loc['cpca']['per_second']:,.0f} |")
        else:
            lines.append("| cpca | not installed | |")
        lines += ["", f"Locate texts: {loc['texts']:,} synthetic sentences naming a real county with its city, "
                  "alone when its name is unique in the country, or with its city and a township.", ""]
    return "\n".join(lines) + "\n"
