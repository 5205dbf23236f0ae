"""Listen to intake: a follow-up rating goes to the loop's one rule (``item_reopen_for_rating``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qingdan.dockets.services import item_reopen_for_rating
from qingdan.intake.signals import submission_rated


@receiver(submission_rated, dispatch_uid="dockets.reopen_on_rating")
def reopen_on_rating(sender: Any, rating_id: int, **kwargs: Any) -> None:
    """An unhappy rating reopens the items that answered it: intake cannot call dockets, so it sends a signal."""
    item_reopen_for_rating(rating_id=rating_id)
