"""Triage writes: suggestions for a new submission, hot-issue membership, operator corrections.

A suggestion (category, place, hot issue) is the system's opinion, not a change of the
submission: it is stored in triage's own rows and not audited, so triaging 50,000 messages
a day adds nothing to the audit chain's lock. What a person does is audited: correcting a
category (``triage_correct``) and editing routing rules (``routing.py``).
"""

from __future__ import annotations

import csv
import datetime
import functools
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import NotFound
from qingdan.intake.choices import SubmissionKind
from qingdan.intake.models import Submission
from qingdan.intake.selectors import submission_queryset_for_user
from qingdan.triage import grouping
from qingdan.triage.classifier import get_classifier
from qingdan.triage.errors import UnknownCategory
from qingdan.triage.gazetteer import Location, get_gazetteer
from qingdan.triage.models import HotIssue, HotIssueKey, Triage
from qingdan.units.models import Unit

TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.csv"
REPLIED_STATUSES = ("replied", "closed")


def is_confidential(submission: Submission) -> bool:
    """A report against an official (举报) never feeds anything read under the ordinary scope.

    Hot issues, their titles, counts and members, repeat flags, routing history and training
    are all read by people of the places the messages concern — the accused among them. A
    report is classified and located for the discipline desk that reads it, and nothing more:
    it never joins or opens a hot issue and is never "similar" to another case.
    """
    return submission.kind == SubmissionKind.REPORT


def ordinary_submissions() -> Any:
    """Every submission that may feed derived data (hot issues, routing history, training)."""
    return Submission.objects.exclude(kind=SubmissionKind.REPORT)


@functools.lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    """The top-level categories of the taxonomy (一级分类), in the file's order."""
    with TAXONOMY.open(encoding="utf-8", newline="") as fh:
        return tuple(dict.fromkeys(row["一级分类"] for row in csv.DictReader(fh)))


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def unit_for_code(code: str) -> Unit | None:
    """The deepest active unit of the tree on the division code's line (the code itself, else an ancestor)."""
    if not code:
        return None
    prefixes = [code[:n] for n in (2, 4, 6, 9, 12) if n <= len(code)]
    found = {u.code: u for u in Unit.objects.filter(code__in=prefixes, is_active=True)}
    for prefix in reversed(prefixes):
        if prefix in found:
            return found[prefix]
    return None


def submission_locate(submission: Submission) -> Location:
    """Locate a submission from its place text, subject and body, in the context of its unit."""
    context = ""
    for unit in (submission.place_unit, submission.unit):
        if unit is not None and unit.code.isdigit():
            context = unit.code
            break
    text = "。".join(t for t in (submission.place_text, submission.subject, submission.text) if t)
    return get_gazetteer().locate(text, context_code=context)


def triage_submission(*, submission_id: int) -> Triage | None:
    """Classify, locate and group one submission; idempotent (a retried task returns the first result)."""
    submission = Submission.objects.select_related("unit", "place_unit").filter(pk=submission_id).first()
    if submission is None:
        return None
    existing = Triage.objects.filter(submission=submission).first()
    if existing is not None:
        return existing
    classifier = get_classifier()
    prediction = classifier.predict([(submission.subject, submission.text)], reasons=5)[0]
    location = submission_locate(submission)
    place_unit = unit_for_code(location.code)
    with transaction.atomic(durable=True):
        triage, created = Triage.objects.get_or_create(submission=submission, defaults={
            "category": prediction.category, "confidence": prediction.confidence,
            "reasons": list(prediction.reasons), "model_version": classifier.version,
            "place_unit": place_unit, "place_code": location.code, "place_name": location.name[:200],
            "place_confidence": location.confidence,
            "place_candidates": [{"code": c.code, "name": c.name} for c in location.candidates],
        })
        if created and not is_confidential(submission):
            hot_issue_assign(triage=triage, submission=submission)
    return triage


def triage_backfill(*, limit: int | None = None) -> int:
    """Triage stored submissions that have none yet, oldest first; return how many were done.

    Submissions that arrive one by one are triaged by intake's signal. A bulk import sends no
    signal per row (triaging 100,000 rows inside the import would make it an hour), so its rows
    are picked up here, by the periodic job (`qingdan triage backfill --enqueue` from cron).
    Oldest first, so a hot issue grows in the order people wrote.
    """
    ids = Submission.objects.filter(triage__isnull=True).order_by("created_at", "pk").values_list("pk", flat=True)
    done = 0
    for pk in ids[:limit] if limit else ids:
        triage_submission(submission_id=pk)
        done += 1
    return done


def _submitter_key(submission: Submission) -> str:
    # Anonymous messages count as distinct people: nothing says they are the same person.
    return submission.submitter_ref or submission.phone_index or f"#{submission.pk}"


def hot_issue_assign(*, triage: Triage, submission: Submission) -> HotIssue | None:
    """Join the submission to the most similar live hot issue, or open one (see grouping.py)."""
    if is_confidential(submission):
        return None
    vector = grouping.vectorize(submission.subject, submission.text)
    if vector.idx.size == 0:
        return None
    at = submission.created_at
    window = datetime.timedelta(days=_setting("QINGDAN_TRIAGE_WINDOW_DAYS", grouping.WINDOW_DAYS))
    threshold = _setting("QINGDAN_TRIAGE_GROUP_THRESHOLD", grouping.THRESHOLD)
    keys = vector.heavy()
    counts = Counter(HotIssueKey.objects.filter(key__in=keys, issue__last_at__gte=at - window)
                     .values_list("issue_id", flat=True))
    candidates = [issue_id for issue_id, _ in counts.most_common(grouping.CANDIDATES)]
    best, best_sim = None, 0.0
    # Lock the candidates: two workers adding to one issue must not lose a member's count.
    place = grouping.group_place(triage.place_code, triage.place_confidence)
    for issue in HotIssue.objects.select_for_update().filter(pk__in=candidates).order_by("pk"):
        if grouping.places_conflict(place, issue.place_code):
            continue
        sim = vector.dot(grouping.Vector.from_json(issue.signature))
        if sim > best_sim:
            best, best_sim = issue, sim
    if best is None or best_sim < threshold:
        best = HotIssue(title=(submission.subject or submission.text)[:200], category=triage.label,
                        first_at=at, last_at=at, signature={})
        centroid, best_sim = grouping.centroid_merge(grouping.EMPTY, 0, vector), 1.0
    else:
        centroid = grouping.centroid_merge(grouping.Vector.from_json(best.signature), best.size, vector)
    keys_before = set(best.signature.get("k", [])) if best.pk else set()
    people = set(best.submitter_keys) | {_submitter_key(submission)}
    best.submitter_keys = sorted(people)
    best.size += 1
    best.submitters = len(people)
    best.likes += submission.likes
    best.first_at, best.last_at = min(best.first_at, at), max(best.last_at, at)
    if not best.place_code and place:
        best.place_code, best.place_name, best.unit = triage.place_code, triage.place_name, triage.place_unit
    if best.unit_id is None:
        # Not located: the issue belongs where its first message is held, so scoped lists
        # (the weekly report, dockets) still see it.
        best.unit = triage.place_unit or submission.place_unit or submission.unit
    best.signature = {**centroid.as_json(), "k": sorted(keys_before | set(keys))}
    best.heat = grouping.heat(size=best.size, submitters=best.submitters, likes=best.likes)
    best.save()
    HotIssueKey.objects.bulk_create([HotIssueKey(issue=best, key=k) for k in set(keys) - keys_before],
                                    ignore_conflicts=True)
    triage.hot_issue, triage.similarity = best, round(best_sim, 4)
    triage.repeat_of = _earlier_answered(best, submission)
    triage.save(update_fields=["hot_issue", "similarity", "repeat_of"])
    return best


def _earlier_answered(issue: HotIssue, submission: Submission) -> Submission | None:
    """The latest member answered or closed in the last N days: the new message repeats it (重复诉求)."""
    days = _setting("QINGDAN_TRIAGE_REPEAT_DAYS", 90)
    since = timezone.now() - datetime.timedelta(days=days)
    return (ordinary_submissions().filter(triage__hot_issue=issue, status__in=REPLIED_STATUSES, updated_at__gte=since)
            .exclude(pk=submission.pk).order_by("-updated_at").first())


def triage_correct(*, actor: Actor, submission: Submission, category: str) -> Triage:
    """Record the operator's category; it overrides the suggestion and trains the next model."""
    category = (category or "").strip()
    if category not in categories():
        raise UnknownCategory(f"unknown category: {category}")
    if not submission_queryset_for_user(actor).filter(pk=submission.pk).exists():
        raise NotFound("no such submission")
    with transaction.atomic(durable=True):
        triage, _ = Triage.objects.select_for_update().get_or_create(submission=submission)
        before = {"category": triage.category, "corrected_category": triage.corrected_category}
        triage.corrected_category = category
        triage.corrected_by = user_of(actor)
        triage.corrected_at = timezone.now()
        triage.save(update_fields=["corrected_category", "corrected_by", "corrected_at"])
        audit_record(actor=actor, action="triage.category_corrected", obj=triage,
                     unit_path=submission.unit.path, before=before, after={"corrected_category": category})
    return triage


def hot_issues_purge_confidential(*, triage_model: Any = Triage, issue_model: Any = HotIssue,
                                  key_model: Any = HotIssueKey) -> int:
    """Take every report out of the hot issues it joined before reports were kept out; return issues touched.

    Run once by a data migration (with the historical models) and by ``qingdan triage purge``.
    An issue left with no ordinary member is deleted; the others are rebuilt from their ordinary
    members alone, in arrival order: title, place, counts, heat, centroid and index keys, so no
    figure or word of the report is left. Repeat flags pointing at or set on a report are cleared.
    """
    report = SubmissionKind.REPORT
    triage_model.objects.filter(submission__kind=report).exclude(repeat_of=None).update(repeat_of=None)
    triage_model.objects.filter(repeat_of__kind=report).update(repeat_of=None)
    touched = set(triage_model.objects.filter(submission__kind=report).exclude(hot_issue=None)
                  .values_list("hot_issue_id", flat=True))
    triage_model.objects.filter(submission__kind=report).exclude(hot_issue=None).update(hot_issue=None,
                                                                                         similarity=0.0)
    for issue in issue_model.objects.filter(pk__in=touched):
        members = list(triage_model.objects.filter(hot_issue=issue).select_related(
            "submission", "submission__unit", "submission__place_unit", "place_unit")
            .order_by("submission__created_at", "pk"))
        if not members:
            issue.delete()
            continue
        _hot_issue_rebuild(issue, members, key_model)
    return len(touched)


def _hot_issue_rebuild(issue: Any, members: list[Any], key_model: Any) -> None:
    centroid, people, keys = grouping.EMPTY, set(), set()
    issue.size, issue.likes, issue.place_code, issue.place_name, issue.unit = 0, 0, "", "", None
    for triage in members:
        submission = triage.submission
        vector = grouping.vectorize(submission.subject, submission.text)
        centroid = grouping.centroid_merge(centroid, issue.size, vector)
        keys |= set(vector.heavy())
        people.add(_submitter_key(submission))
        issue.size += 1
        issue.likes += submission.likes
        if not issue.place_code and grouping.group_place(triage.place_code, triage.place_confidence):
            issue.place_code, issue.place_name, issue.unit = triage.place_code, triage.place_name, triage.place_unit
    first = members[0]
    if issue.unit is None:
        issue.unit = first.place_unit or first.submission.place_unit or first.submission.unit
    issue.title = (first.submission.subject or first.submission.text)[:200]
    issue.category = first.corrected_category or first.category
    issue.first_at = first.submission.created_at
    issue.last_at = max(t.submission.created_at for t in members)
    issue.submitter_keys = sorted(people)
    issue.submitters = len(people)
    issue.signature = {**centroid.as_json(), "k": sorted(keys)}
    issue.heat = grouping.heat(size=issue.size, submitters=issue.submitters, likes=issue.likes)
    issue.save()
    key_model.objects.filter(issue=issue).delete()
    key_model.objects.bulk_create([key_model(issue=issue, key=k) for k in keys], ignore_conflicts=True)
