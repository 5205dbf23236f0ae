"""Triage over files (``qingdan triage classify|locate|group``): rows in, one answer per row, in order.

The input is any file the intake import reads (CSV or XLSX, UTF-8 or GBK, Chinese or English
headers). A row without an id column is known by its spreadsheet row number. Nothing here
touches the database: these are tools over files, for trying the models and for bulk work.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from qingdan.core.errors import ImportRejected
from qingdan.core.tabular import read_table
from qingdan.intake.importers import COLUMNS, parse_file_time
from qingdan.triage import grouping
from qingdan.triage.classifier import Classifier, get_classifier
from qingdan.triage.errors import TriageInputError
from qingdan.triage.gazetteer import get_gazetteer


@dataclass(frozen=True)
class Message:
    """One input row as triage needs it."""

    id: str
    subject: str
    body: str
    user: str = ""
    at: float = 0.0
    likes: int = 0
    place: str = ""


def _int(value: str) -> int:
    try:
        return max(int(float(value)), 0)
    except (TypeError, ValueError):
        return 0


def _time(value: str) -> float:
    if not value:
        return 0.0
    try:
        return parse_file_time(value).timestamp()
    except (ValueError, OverflowError):
        return 0.0


def read_messages(source: Path | bytes) -> list[Message]:
    """Read the rows of a file; a file without a subject or text column is refused."""
    try:
        table = read_table(source, COLUMNS)
    except ImportRejected as exc:
        raise TriageInputError(exc.summary + " " + "; ".join(str(e) for e in exc.errors[:5])) from exc
    accepted = {"".join(a.split()).lower() for c in ("title", "text") for a in (c, *COLUMNS[c])}
    if not any("".join(h.replace("\ufeff", "").split()).lower() in accepted for h in table.headers):
        raise TriageInputError("the file has neither a subject (留言主题/title) nor a text (留言详情/text) column")
    return [Message(id=row.get("id") or str(row.number), subject=row.get("title"), body=row.get("text"),
                    user=row.get("user"), at=_time(row.get("created_at")), likes=_int(row.get("likes")),
                    place=row.get("place"))
            for row in table.rows]


def classify_rows(messages: list[Message], *, model: Classifier | None = None,
                  batch: int = 2000) -> Iterator[tuple[str, str, float]]:
    """Yield (id, category, confidence) per message, in order."""
    model = model or get_classifier()
    for start in range(0, len(messages), batch):
        chunk = messages[start:start + batch]
        for message, prediction in zip(chunk, model.predict((m.subject, m.body) for m in chunk), strict=True):
            yield message.id, prediction.category, prediction.confidence


def locate_rows(messages: list[Message], *, context_code: str = "") -> Iterator[tuple[str, str, str, float]]:
    """Yield (id, unit_code, unit_name, confidence); an ambiguous place gives its candidates as the name."""
    gazetteer = get_gazetteer()
    for message in messages:
        location = gazetteer.locate("。".join(t for t in (message.place, message.subject, message.body) if t),
                                    context_code=context_code)
        if location.code:
            yield message.id, location.code, location.name, location.confidence
        elif location.ambiguous:
            names = "|".join(f"{c.code}:{gazetteer.full_name(c.code)}" for c in location.candidates)
            yield message.id, "", f"ambiguous: {names}", 0.0
        else:
            yield message.id, "", "", 0.0


@dataclass
class GroupResult:
    """The issue of each message and the issues themselves."""

    assignments: list[tuple[str, int]]
    index: grouping.GroupIndex
    titles: dict[int, str]
    places: dict[int, str]


def group_rows(messages: list[Message], *, threshold: float = grouping.THRESHOLD,
               locate: bool = True) -> GroupResult:
    """Group the messages in time order (file order for equal times); issue numbers start at 1."""
    index = grouping.GroupIndex(threshold=threshold)
    gazetteer = get_gazetteer() if locate else None
    order = sorted(range(len(messages)), key=lambda i: messages[i].at)
    issue_of: dict[int, int] = {}
    titles: dict[int, str] = {}
    places: dict[int, str] = {}
    for i in order:
        message = messages[i]
        place = ""
        if gazetteer is not None:
            location = gazetteer.locate(f"{message.place}。{message.subject}。{message.body[:500]}")
            place = grouping.group_place(location.code, location.confidence)
        vector = grouping.vectorize(message.subject, message.body)
        if vector.idx.size == 0:
            continue  # nothing to group on: the row gets no issue
        decision = index.add(vector, at=message.at, submitter=message.user or f"#{message.id}",
                             likes=message.likes, place=place)
        issue_of[i] = decision.issue
        if decision.opened:
            titles[decision.issue] = (message.subject or message.body)[:80]
            if place:
                places[decision.issue] = gazetteer.full_name(place) if gazetteer else place
    return GroupResult(assignments=[(m.id, issue_of[i] + 1 if i in issue_of else 0) for i, m in enumerate(messages)],
                       index=index, titles=titles, places=places)


def issue_rows(result: GroupResult) -> list[tuple[int, float, int, int, str, str, str, str]]:
    """(issue, heat, size, submitters, title, place, first, last) per issue, hottest first."""
    issues = result.index.issues
    now = max((issue.last for issue in issues), default=0.0)
    rows = []
    for issue in issues:
        age = (now - issue.last) / 86400.0
        rows.append((issue.id + 1,
                     grouping.heat(size=issue.size, submitters=len(issue.submitters), likes=issue.likes, age_days=age),
                     issue.size, len(issue.submitters), result.titles.get(issue.id, ""),
                     result.places.get(issue.id, ""), _iso(issue.first), _iso(issue.last)))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return rows


def _iso(ts: float) -> str:
    if not ts:
        return ""
    return datetime.datetime.fromtimestamp(ts, tz=datetime.UTC).astimezone(
        datetime.timezone(datetime.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M:%S")
