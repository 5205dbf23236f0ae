"""Listen to dockets and intake: every item change and rating moves the running figures at once.

The signals are sent inside the writer's transaction, so the figures commit or roll back with
the change they count (a receiver's failure fails the change: figures never silently drift).
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qingdan.dockets.signals import item_changed, items_regraded
from qingdan.intake.signals import submission_rated
from qingdan.supervision.running import figures_item_changed, figures_items_regraded, figures_rating_added


@receiver(item_changed, dispatch_uid="supervision.figures_item_changed")
def on_item_changed(sender: Any, item: Any, action: str, before: dict | None, after: dict, **kwargs: Any) -> None:
    """Keep the running figures in step with an item change, inside the change's own transaction."""
    figures_item_changed(item=item, before=before, after=after)


@receiver(items_regraded, dispatch_uid="supervision.figures_items_regraded")
def on_items_regraded(sender: Any, changed: dict | None, **kwargs: Any) -> None:
    """Recount the grade figures of the items a grading run changed (all of them when it did not say which)."""
    ids = None if changed is None else [pk for pks in changed.values() for pk in pks]
    figures_items_regraded(item_ids=ids)


@receiver(submission_rated, dispatch_uid="supervision.figures_rating_added")
def on_submission_rated(sender: Any, rating_id: int, **kwargs: Any) -> None:
    """Add a citizen's rating to the satisfaction figures of the unit that answered."""
    figures_rating_added(rating_id=rating_id)
