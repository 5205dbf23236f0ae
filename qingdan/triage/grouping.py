"""Group messages about one concrete problem into hot issues, incrementally (举一反三).

A message becomes a vector of character bigrams (``(1 + ln tf) × idf``, L2-normalised), hashed
into ``BUCKETS`` columns with integer arithmetic that numpy does for a whole text at once and
that gives the same column on every machine (the database stores them). A hot issue keeps its
centroid, cut to its ``CENTROID_SIZE`` heaviest columns. A new message:

1. takes its ``KEYS`` heaviest columns (the rare bigrams: place names, the specific nouisance);
2. looks them up in an inverted index (column → recent issues; only the last ``POSTING_SCAN``
   entries of a list are read, so a common bigram never makes a lookup slow);
3. computes the exact cosine with the centroids of the ``CANDIDATES`` issues that share the
   most keys, and joins the best if it reaches ``THRESHOLD`` and the issue is not older than
   ``WINDOW_DAYS`` and not placed elsewhere; otherwise it opens a new issue.

Nothing is re-clustered: adding one message touches a handful of lists. The recall of step 1–3
against an exact brute-force search is measured by ``qingdan bench triage``; the threshold is
tuned on the shared messages (docs/triage.md).
"""

from __future__ import annotations

import functools
import gzip
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings

from qingdan.triage.text import normalise

BUCKETS = 1 << 20
KEYS = 8
CENTROID_SIZE = 96
POSTING_SCAN = 64
CANDIDATES = 5
THRESHOLD = 0.35
WINDOW_DAYS = 90
# Only a place located at least this surely keeps two messages apart: a place read from an
# ordinary word (于城镇 in 属于城镇规划) would otherwise split one problem into several issues.
PLACE_CONFIDENCE = 0.7
BODY_CHARS = 300
BODY_WEIGHT = 0.3
IDF_FILE = Path(__file__).resolve().parent / "data" / "bigram_idf.npy.gz"
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: spreads the 42-bit bigram id


def bigram_columns(text: str) -> np.ndarray:
    """Return the hashed column of every character bigram of ``text`` (a single character is its own)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if codes.size == 0:
        return np.zeros(0, dtype=np.int64)
    ids = codes if codes.size == 1 else (codes[:-1] << np.uint64(21)) | codes[1:]
    return ((ids * _MULTIPLIER) >> np.uint64(44)).astype(np.int64)  # top 20 bits


def idf_fit(texts: Iterable[str]) -> np.ndarray:
    """Return smoothed idf per column from a corpus of (normalised) texts."""
    df = np.zeros(BUCKETS, dtype=np.int64)
    n = 0
    for text in texts:
        n += 1
        df[np.unique(bigram_columns(text))] += 1
    return np.log((1 + n) / (1 + df)).astype(np.float32) + 1.0


def idf_save(idf: np.ndarray, path: Path = IDF_FILE) -> None:
    """Store the idf table compactly (float16, gzip: mostly the same unseen-bigram value)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(idf.astype(np.float16).tobytes(), compresslevel=9, mtime=0))


@functools.lru_cache(maxsize=1)
def get_idf() -> np.ndarray:
    """Return the shipped idf table (loaded once per process)."""
    return np.frombuffer(gzip.decompress(IDF_FILE.read_bytes()), dtype=np.float16).astype(np.float32)


@dataclass(frozen=True)
class Vector:
    """A sparse unit vector: sorted column ids and their weights."""

    idx: np.ndarray
    val: np.ndarray

    def heavy(self, n: int = KEYS) -> list[int]:
        """The ``n`` heaviest columns."""
        if self.idx.size <= n:
            return self.idx.tolist()
        return self.idx[np.argpartition(-self.val, n)[:n]].tolist()

    def dot(self, other: Vector) -> float:
        """Cosine with another unit vector."""
        if self.idx.size == 0 or other.idx.size == 0:
            return 0.0
        pos = np.searchsorted(self.idx, other.idx)
        pos[pos >= self.idx.size] = 0
        hit = self.idx[pos] == other.idx
        return float(np.dot(self.val[pos[hit]], other.val[hit]))

    def as_json(self) -> dict:
        """A JSON form for the database (``HotIssue.signature``)."""
        return {"i": self.idx.tolist(), "v": [round(float(v), 5) for v in self.val]}

    @classmethod
    def from_json(cls, data: dict) -> Vector:
        """Read ``as_json``'s form."""
        return cls(np.asarray(data.get("i", []), dtype=np.int64), np.asarray(data.get("v", []), dtype=np.float32))


EMPTY = Vector(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))


def _weights(text: str, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    cols = bigram_columns(text)
    if cols.size == 0:
        return cols, np.zeros(0, dtype=np.float32)
    idx, counts = np.unique(cols, return_counts=True)
    return idx, (1.0 + np.log(counts)).astype(np.float32) * idf[idx]


def vectorize(subject: str, body: str, *, idf: np.ndarray | None = None) -> Vector:
    """Return the unit vector of a message: its subject, plus the opening of its body at ``BODY_WEIGHT``.

    Measured on the shared hot-issue messages, the subject says what and where; whole bodies
    (long, personal, different for every writer) drown it: two messages of one hot issue had a
    median cosine of 0.1 on whole texts, about 0.3 on subjects (docs/triage.md).
    """
    idf = get_idf() if idf is None else idf
    subject, body = normalise(subject or "", limit=200), normalise(body or "", limit=BODY_CHARS)
    if not subject:  # no subject: the body's opening stands in for it
        subject, body = body[:60], body[60:]
    s_idx, s_val = _weights(subject, idf)
    b_idx, b_val = _weights(body, idf)
    if b_idx.size:
        idx, inverse = np.unique(np.concatenate([s_idx, b_idx]), return_inverse=True)
        val = np.bincount(inverse, weights=np.concatenate([s_val, b_val * BODY_WEIGHT])).astype(np.float32)
    else:
        idx, val = s_idx, s_val
    norm = float(np.sqrt(np.dot(val, val))) if val.size else 0.0
    return Vector(idx, val / norm) if norm > 0 else EMPTY


def centroid_merge(centroid: Vector, size: int, vector: Vector) -> Vector:
    """Return the centroid of ``size`` members plus one, cut to its heaviest columns, unit length."""
    idx = np.concatenate([centroid.idx, vector.idx])
    val = np.concatenate([centroid.val * size, vector.val])
    uniq, inverse = np.unique(idx, return_inverse=True)
    summed = np.bincount(inverse, weights=val).astype(np.float32)
    if uniq.size > CENTROID_SIZE:
        keep = np.sort(np.argpartition(-summed, CENTROID_SIZE)[:CENTROID_SIZE])
        uniq, summed = uniq[keep], summed[keep]
    norm = float(np.sqrt(np.dot(summed, summed)))
    return Vector(uniq, summed / norm) if norm > 0 else EMPTY


def _truncate(vector: Vector) -> Vector:
    return centroid_merge(EMPTY, 0, vector)


def group_place(code: str, confidence: float) -> str:
    """The place grouping may rely on: the located code if it is sure enough, else nothing."""
    return code if code and confidence >= PLACE_CONFIDENCE else ""


def places_conflict(a: str, b: str) -> bool:
    """Two division codes name different places (neither contains the other)."""
    return bool(a and b) and not (a.startswith(b) or b.startswith(a))


@dataclass
class Issue:
    """A hot issue in memory: centroid, members and the figures its heat is made of."""

    id: int
    centroid: Vector
    first: float
    last: float
    place: str = ""
    size: int = 0
    likes: int = 0
    submitters: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Decision:
    """Where a message went: the issue, whether it opened it, and the similarity that decided."""

    issue: int
    opened: bool
    similarity: float


class GroupIndex:
    """The incremental grouping index, in memory (the CLI and the benchmark; the database keeps the same)."""

    def __init__(self, *, threshold: float = THRESHOLD, window_days: float = WINDOW_DAYS) -> None:
        self.threshold = threshold
        self.window = window_days * 86400.0
        self.issues: list[Issue] = []
        self.postings: dict[int, list[int]] = {}

    def candidates(self, vector: Vector) -> list[int]:
        """Issues sharing the most heavy columns with the vector (the index lookup)."""
        counts: Counter = Counter()
        for key in vector.heavy():
            posting = self.postings.get(key)
            if posting:
                counts.update(posting[-POSTING_SCAN:])
        return [issue for issue, _ in counts.most_common(CANDIDATES)]

    def best(self, vector: Vector, candidates: Iterable[int], *, at: float, place: str) -> tuple[int, float]:
        """The most similar live issue among candidates, and its cosine (-1, 0.0 when none)."""
        best_id, best_sim = -1, 0.0
        for issue_id in candidates:
            issue = self.issues[issue_id]
            if at - issue.last > self.window or places_conflict(place, issue.place):
                continue
            sim = vector.dot(issue.centroid)
            if sim > best_sim:
                best_id, best_sim = issue_id, sim
        return best_id, best_sim

    def add(self, vector: Vector, *, at: float = 0.0, submitter: str = "", likes: int = 0,
            place: str = "") -> Decision:
        """Put one message in its issue (opening one if none is close enough); return the decision."""
        issue_id, sim = self.best(vector, self.candidates(vector), at=at, place=place)
        if issue_id >= 0 and sim >= self.threshold:
            issue = self.issues[issue_id]
            issue.centroid = centroid_merge(issue.centroid, issue.size, vector)
            opened = False
        else:
            issue_id = len(self.issues)
            issue = Issue(id=issue_id, centroid=_truncate(vector), first=at, last=at, place=place)
            self.issues.append(issue)
            opened = True
            sim = 1.0
        issue.size += 1
        issue.likes += likes
        issue.first, issue.last = min(issue.first, at), max(issue.last, at)
        if place and not issue.place:
            issue.place = place
        if submitter:
            issue.submitters[submitter] += 1
        for key in vector.heavy():
            posting = self.postings.setdefault(key, [])
            if not posting or posting[-1] != issue_id:
                posting.append(issue_id)
        return Decision(issue_id, opened, round(sim, 4))


@dataclass(frozen=True)
class HeatWeights:
    """The heat formula's weights (settings ``QINGDAN_TRIAGE_HEAT``; see docs/triage.md)."""

    submitter: float = 1.0
    repeat: float = 0.5
    like: float = 0.5
    half_life_days: float = 30.0


def heat_weights() -> HeatWeights:
    """The configured weights, or the defaults outside Django."""
    try:
        return HeatWeights(**getattr(settings, "QINGDAN_TRIAGE_HEAT", {}))
    except Exception:  # used by the benchmark without settings too
        return HeatWeights()


def heat(*, size: int, submitters: int, likes: int, age_days: float = 0.0,
         weights: HeatWeights | None = None) -> float:
    """Heat = (w_s·submitters + w_r·ln(1 + size − submitters) + w_l·ln(1 + likes)) · 0.5^(age / half-life).

    Distinct people count linearly; more messages from the same people only logarithmically,
    so one person writing twenty times weighs less than five people writing once each.
    ``age_days`` is the time since the last message.
    """
    w = weights or heat_weights()
    people = max(submitters, 1 if size else 0)
    score = (w.submitter * people + w.repeat * math.log1p(max(size - people, 0)) + w.like * math.log1p(likes))
    decay = 0.5 ** (max(age_days, 0.0) / w.half_life_days) if w.half_life_days > 0 else 1.0
    return round(score * decay, 4)
