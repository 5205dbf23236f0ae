"""Listen to intake: an unhappy rating of an answered submission reopens its item."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from qingdan.intake.signals import submission_rated


@receiver(submission_rated, dispatch_uid="dockets.reopen_on_rating")
def reopen_on_rating(sender: Any, submission_id: int, rating: str, **kwargs: Any) -> None:
    from qingdan.dockets.services import item_reopen_for_rating

    item_reopen_for_rating(submission_id=submission_id, rating=rating)
