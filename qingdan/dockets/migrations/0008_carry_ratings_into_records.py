"""Carry every rating given so far into ``intake.Rating`` records, and note who answered each case.

Until now a submission kept only its latest rating, and reopening the case erased it, so an
unhappy rating that reopened an item was lost from the figures. The audit trail still holds
every ``intake.submission_rated`` entry with its rating: each becomes a record, with the reason
the citizen typed (the ``rated`` timeline event written in the same transaction). A submission
rated without an audit entry (loaded directly) brings the rating it carries. The unit that
answered is the lead unit of the item the submission is linked to now, or the unit holding the
case when it has no item; whether the problem was solved was not asked, so it stays empty.

It lives in dockets because it reads both apps (items' lead units and intake's submissions).
Going back deletes the records and the ``answered_by`` notes.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import migrations
from django.db.models import F, OuterRef, Subquery

BATCH = 2000
SAME_MOMENT = datetime.timedelta(seconds=60)


def _reason(events: list, at: datetime.datetime) -> str:
    """The text of the ``rated`` event nearest to ``at`` (written in the rating's transaction), taken once."""
    best = None
    for index, (event_at, _text) in enumerate(events):
        gap = abs(event_at - at)
        if gap <= SAME_MOMENT and (best is None or gap < abs(events[best][0] - at)):
            best = index
    if best is None:
        return ""
    return events.pop(best)[1]


def forwards(apps, schema_editor):
    Submission = apps.get_model("intake", "Submission")
    SubmissionEvent = apps.get_model("intake", "SubmissionEvent")
    Rating = apps.get_model("intake", "Rating")
    ItemSubmission = apps.get_model("dockets", "ItemSubmission")
    AuditEntry = apps.get_model("audit", "AuditEntry")

    answered = Submission.objects.filter(replied_at__isnull=False, answered_by__isnull=True)
    answered.filter(item_link__isnull=False).update(answered_by=Subquery(
        ItemSubmission.objects.filter(submission=OuterRef("pk")).values("item__lead_unit")[:1]))
    answered.update(answered_by=F("unit"))  # the rest were answered without an item

    given: dict[int, list] = defaultdict(list)
    for object_id, at, after in (AuditEntry.objects.filter(action="intake.submission_rated",
                                                           object_type="intake.submission")
                                 .values_list("object_id", "at", "after").iterator(chunk_size=BATCH)):
        rating = (after or {}).get("rating") if isinstance(after, dict) else None
        if rating and str(object_id).isdigit():
            given[int(object_id)].append((at, rating))
    texts: dict[int, list] = defaultdict(list)
    for submission_id, at, text in (SubmissionEvent.objects.filter(kind="rated")
                                    .values_list("submission_id", "at", "text").iterator(chunk_size=BATCH)):
        texts[submission_id].append((at, text))

    lead = dict(ItemSubmission.objects.values_list("submission_id", "item__lead_unit_id").iterator(chunk_size=BATCH))
    ids = sorted(set(given) | set(Submission.objects.exclude(rating="").values_list("pk", flat=True)))
    for start in range(0, len(ids), BATCH):
        records = []
        for pk, unit_id, rating, rated_at in (Submission.objects.filter(pk__in=ids[start:start + BATCH])
                                              .values_list("pk", "unit_id", "rating", "rated_at")):
            history = sorted(given.get(pk, []))
            if not history and rating and rated_at:
                history = [(rated_at, rating)]
            for at, value in history:
                records.append(Rating(submission_id=pk, unit_id=lead.get(pk, unit_id), satisfaction=value,
                                      solved=None, reason=_reason(texts.get(pk, []), at), at=at))
        Rating.objects.bulk_create(records)


def backwards(apps, schema_editor):
    apps.get_model("intake", "Rating").objects.all().delete()
    apps.get_model("intake", "Submission").objects.update(answered_by=None)


class Migration(migrations.Migration):
    dependencies = [
        ("dockets", "0007_item_change_requests"),
        ("intake", "0003_rating_records_answered_by"),
        ("audit", "0005_seal_guard"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
