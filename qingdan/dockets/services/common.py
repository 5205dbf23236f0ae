"""What every docket service shares: the one way a step is taken, recorded and refused."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import PermissionDenied
from qingdan.core.workdays import add_working_days
from qingdan.dockets.choices import Grade, ItemStatus
from qingdan.dockets.errors import ItemConflict, ItemInvalid, TransitionRefused
from qingdan.dockets.models import Item, ItemEvent
from qingdan.dockets.signals import item_changed, snapshot
from qingdan.units.scopes import is_system


def today() -> datetime.date:
    """Return today's date where the deadlines are kept (the project's time zone)."""
    return timezone.localdate()


def actor_label(actor: Actor) -> str:
    """The name a step keeps for its actor (the system's label, else the username), readable without a join."""
    return actor if isinstance(actor, str) else getattr(actor, "username", "")


def event(item: Item, kind: str, *, actor: Actor, text: str = "", from_status: str = "", to_status: str = "",
          data: dict | None = None, at: datetime.datetime | None = None) -> ItemEvent:
    """Add one step to the item's timeline."""
    return ItemEvent.objects.create(item=item, kind=kind, actor=user_of(actor), actor_label=actor_label(actor),
                                    text=text, from_status=from_status, to_status=to_status, data=data or {},
                                    unit_id=item.lead_unit_id, at=at or timezone.now())


def audit_item(actor: Actor, action: str, item: Item, *, before: Any = None, after: Any = None) -> None:
    """Audit a change to an item at the lead unit's place in the tree, so scoped readers of the trail see it."""
    audit_record(actor=actor, action=f"dockets.{action}", obj=item, unit_path=item.lead_unit.path,
                 before=before, after=after)


def grade_for(due_on: datetime.date | None, *, on: datetime.date, soon: datetime.date) -> str:
    """Grade by the deadline: red once it has passed, yellow from ``soon`` on, green before."""
    if due_on is None or due_on > soon:
        return Grade.GREEN
    return Grade.RED if due_on < on else Grade.YELLOW


def soon_until(on: datetime.date, days: int) -> datetime.date:
    """The last due date that is yellow on ``on``: ``days`` working days ahead; with 0, only today.

    One rule for the grading pass and for the steps that regrade one item, so an item never
    changes colour between a step and the next tick.
    """
    return add_working_days(on, days) if days else on


def effective_due(item: Item) -> datetime.date | None:
    """The earlier of the item's deadline and its supervision deadline."""
    dates = [d for d in (item.deadline, item.supervise_deadline if item.supervised else None) if d]
    return min(dates) if dates else None


def status_label(status: str) -> str:
    """A status as people read it; a value no longer in ItemStatus shows as stored instead of failing."""
    return str(ItemStatus(status).label) if status in ItemStatus.values else status


def conflict(current_version: int) -> ItemConflict:
    """The refusal of a write based on a stale version, naming the version now stored."""
    return ItemConflict(_("Someone else changed this item since you opened it (now version %(v)d). "
                          "Reload it and try again.") % {"v": current_version})


def audit_refusal(actor: Actor, item: Item, *, attempt: str, code: str, version: int | None, **extra: Any) -> None:
    """Record a refused attempt in its own transaction, so it outlives the refused one."""
    with transaction.atomic():
        audit_record(actor=actor, action="dockets.item_refused", obj=item, unit_path=item.lead_unit.path,
                     after={"attempt": attempt, "code": code, "version": version, **extra})


def step(*, actor: Actor, item: Item, action: str, allowed: Iterable[str] | None,
         permitted: Callable[[Any, Item], bool], version: int | None = None,
         change: Callable[[Item], dict | None], check: Callable[[Item], None] | None = None,
         then: Callable[[Item], None] | None = None, refused: dict[str, Any] | None = None,
         durable: bool = True) -> Item:
    """Take one step of the loop on a fresh, locked copy of the item: the one write path of items.

    The checks run in this order: permission, the version the caller read (a stale one is a
    conflict), the state, then ``check`` (further rules on the locked copy; an ``ItemInvalid`` it
    raises is a refusal like the others). ``change`` mutates the locked item and returns what to
    audit; ``then`` writes what reads the saved item (a parent's progress), in the same
    transaction. A refused attempt is itself audited, in its own transaction, so the log shows
    both sides of a race; ``refused`` adds context to that entry, and a refusal from ``check``
    names its fields.

    The step is one durable transaction (the write pipeline, docs/architecture.md): called
    inside another one it raises, so a step never quietly becomes a savepoint of something
    bigger. Only a service that takes a step as part of its own action (the follow-up's
    reopening) passes ``durable=False``, inside its own durable transaction.
    """
    checked: ItemInvalid | None = None
    try:
        with transaction.atomic(durable=durable):
            current = (Item.objects.select_for_update().select_related("docket", "lead_unit")
                       .get(pk=item.pk))
            if not permitted(actor, current):
                raise PermissionDenied(_("You may not do this on this item."))
            if version is not None and current.version != version:
                raise conflict(current.version)
            if allowed is not None and current.status not in allowed:
                raise TransitionRefused(_("This step is not possible while the item is “%(status)s”.")
                                        % {"status": status_label(current.status)})
            if check is not None:
                try:
                    check(current)
                except ItemInvalid as invalid:
                    checked = invalid
                    raise
            before = {"status": current.status, "version": current.version}
            was = snapshot(current)
            after = change(current) or {}
            current.version += 1
            current.save()
            if then is not None:
                then(current)
            item_changed.send(sender=Item, item=current, action=action, before=was, after=snapshot(current))
            audit_item(actor, action, current, before=before,
                       after={"status": current.status, "version": current.version, **after})
            return current
    except (ItemConflict, TransitionRefused, PermissionDenied) as refusal:
        if not is_system(actor) or isinstance(refusal, ItemConflict):
            audit_refusal(actor, item, attempt=action, code=refusal.code, version=version, **(refused or {}))
        raise
    except ItemInvalid as refusal:
        if refusal is checked:
            audit_refusal(actor, item, attempt=action, code=refusal.code, version=version,
                          fields=sorted(refusal.fields))
        raise
