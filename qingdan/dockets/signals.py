"""Signals other apps listen to (supervision keeps its running figures from them).

``item_changed`` is sent inside the transaction of every change to an item, with ``item``,
``action`` (e.g. "item_closed"), and ``before``/``after`` snapshots (``snapshot``; ``before``
is None for a new item). A listener's writes commit or roll back together with the change,
so figures kept from these signals never drift from the items.

``items_regraded`` is sent inside the grading pass with ``changed``: {grade: [item ids]}.

``submissions_linked`` is sent inside the transaction that links more submissions to an
existing item, with ``item`` and ``submission_ids`` (the new links only). Ratings do not
follow links: each is counted, when given, for the unit that answered.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

item_changed = Signal()
items_regraded = Signal()
submissions_linked = Signal()

SNAPSHOT_FIELDS = ("status", "grade", "lead_unit_id", "docket_id", "category", "priority", "supervised", "due_on",
                   "original_deadline",
                   "dispatched_at", "accepted_at", "closed_at", "stage_result_at", "returns", "reopened", "progress",
                   "parent_id")


def snapshot(item: Any) -> dict[str, Any]:
    """The fields of an item that figures are computed from, as they are now."""
    values = {name: getattr(item, name) for name in SNAPSHOT_FIELDS}
    values["lead_unit_path"] = item.lead_unit.path
    return values
