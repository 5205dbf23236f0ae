"""Listen to dockets and intake: every item change and rating moves the running figures at once.

The signals are sent inside the writer's transaction, so the figures commit or roll back with
the change they count (a receiver's failure fails the change: figures never silently drift).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qingdan.dockets.signals import item_changed, items_regraded, submissions_linked
from qingdan.intake.signals import submission_rated


@receiver(item_changed, dispatch_uid="supervision.figures_item_changed")
def on_item_changed(sender: Any, item: Any, action: str, before: dict | None, after: dict, **kwargs: Any) -> None:
    from qingdan.supervision.running import figures_item_changed

    figures_item_changed(item=item, before=before, after=after)


@receiver(items_regraded, dispatch_uid="supervision.figures_items_regraded")
def on_items_regraded(sender: Any, changed: dict | None, **kwargs: Any) -> None:
    from qingdan.supervision.running import figures_items_regraded

    ids = None if changed is None else [pk for pks in changed.values() for pk in pks]
    figures_items_regraded(item_ids=ids)


@receiver(submission_rated, dispatch_uid="supervision.figures_rating_added")
def on_submission_rated(sender: Any, submission_id: int, rating: str, **kwargs: Any) -> None:
    from qingdan.supervision.running import figures_rating_added

    figures_rating_added(submission_id=submission_id, rating=rating)


@receiver(submissions_linked, dispatch_uid="supervision.figures_submissions_linked")
def on_submissions_linked(sender: Any, item: Any, submission_ids: list[int], **kwargs: Any) -> None:
    from qingdan.intake.models import Submission
    from qingdan.supervision.running import figures_rating_added

    for submission_id, rating in (Submission.objects.filter(pk__in=submission_ids).exclude(rating="")
                                  .values_list("pk", "rating")):
        figures_rating_added(submission_id=submission_id, rating=rating)
