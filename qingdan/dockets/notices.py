"""Who is told of what in the loop, and in which words; delivery is the notifications app's job.

Called inside the step's transaction: the in-app notices commit with the step, and e-mail
and webhooks go out only after the commit.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext as _

from qingdan.dockets.models import Item
from qingdan.dockets.permissions import LIST_ROLES, REVIEW_ROLES, VERIFY_ROLES, WORK_ROLES, may_verify, verifier_unit
from qingdan.people.selectors import users_holding
from qingdan.units.models import Unit


def _send(recipients: Iterable[Any], kind: str, title: str, body: str, item: Item | None = None,
          url: str = "") -> None:
    if not apps.is_installed("qingdan.notifications"):  # a deployment may leave notices out
        return
    from qingdan.notifications.services import notify  # noqa: PLC0415 (only when notifications is installed)

    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return
    notify(recipients=list(people.values()), kind=kind, title=title, body=body,
           url=url or (reverse("dockets:item", args=[item.pk]) if item else ""),
           object_type="dockets.item" if item else "", object_id=str(item.pk) if item else "",
           unit_path=item.lead_unit.path if item else "",
           payload={"item": item.pk, "number": item.number, "status": item.status, "grade": item.grade}
           if item else None)


def _workers(item: Item) -> list[Any]:
    """The item's handler and leader, or, when it has none, the lead unit's handlers and leaders."""
    named = [user for user in (item.handler, item.leader) if user is not None]
    return named or list(users_holding(unit=item.lead_unit, roles=WORK_ROLES))


def _label(item: Item) -> str:
    return f"〔{item.docket.name}〕{item.number}. {item.title}"


def item_dispatched(item: Item) -> None:
    """Tell the item's workers (or the lead unit's) that it is theirs now, and by when they must answer."""
    deadline = item.deadline.isoformat() if item.deadline else _("none")
    _send(_workers(item), "item.dispatched", _("New item for your unit: %(item)s") % {"item": _label(item)},
          _("Deadline: %(date)s. Please accept it or return it with a reason.") % {"date": deadline}, item)


def item_returned(item: Item, reason: str) -> None:
    """Tell the list's owners a unit returned the item (退单) with its reason, so they can dispatch it again."""
    owner = item.docket.owner_unit

    _send(users_holding(unit=owner, roles=LIST_ROLES), "item.returned",
          _("Item returned: %(item)s") % {"item": _label(item)}, reason, item)


def closure_requested(item: Item) -> None:
    """Tell whoever signs the item off (谁交办谁验收) that a closure waits for them, with the reply to verify."""
    _send(_issuers(item), "item.closure_requested",
          _("Closure requested: %(item)s") % {"item": _label(item)}, item.reply, item)


def leader_review_requested(item: Item) -> None:
    """The item's accountable leader, or the lead unit's leaders: a closure request waits for them."""
    asker = item.closure_requested_by_id
    people = [item.leader] if item.leader is not None and item.leader_id != asker else \
        [u for u in users_holding(unit=item.lead_unit, roles=REVIEW_ROLES) if u.pk != asker]
    _send(people, "item.leader_review", _("Closure request to review: %(item)s") % {"item": _label(item)},
          item.reply, item)


def item_closed(item: Item) -> None:
    """Tell the item's workers it is closed out (销号): nothing more is asked of them."""
    _send(_workers(item), "item.closed", _("Item closed: %(item)s") % {"item": _label(item)}, "", item)


def item_sent_back(item: Item, reason: str) -> None:
    """Tell the item's workers their closure request was refused, and why: the work goes on."""
    _send(_workers(item), "item.sent_back", _("Closure refused: %(item)s") % {"item": _label(item)}, reason, item)


def item_reopened(item: Item, reason: str) -> None:
    """Tell the item's workers it is open again (an unhappy rating or the verifier), and why."""
    _send(_workers(item), "item.reopened", _("Item reopened: %(item)s") % {"item": _label(item)}, reason, item)


def item_urged(item: Item, text: str) -> None:
    """Pass an urging (催办) on to the item's workers in the urger's own words."""
    _send(_workers(item), "item.urged", _("Reminder (催办): %(item)s") % {"item": _label(item)}, text, item)


def items_late(yellow: list[int], red: list[int]) -> None:
    """One notice per person, however many of their items turned yellow or red today.

    Counted from ids, never model instances: a grading run may turn half a million items at
    once, and building an Item, its unit and two users for each took most of the run's time.
    Items with no handler or leader reach the lead unit's workers, looked up once per unit.
    """
    per_person: dict[int, Counter[str]] = defaultdict(Counter)
    per_unit: dict[int, Counter[str]] = defaultdict(Counter)
    for grade, ids in (("yellow", yellow), ("red", red)):
        for start in range(0, len(ids), 5000):
            rows = Item.objects.filter(pk__in=ids[start:start + 5000]).values_list(
                "handler_id", "leader_id", "lead_unit_id")
            for handler_id, leader_id, unit_id in rows:
                named = {pk for pk in (handler_id, leader_id) if pk is not None}
                for pk in named:
                    per_person[pk][grade] += 1
                if not named:
                    per_unit[unit_id][grade] += 1
    for unit in Unit.objects.filter(pk__in=list(per_unit)):
        for user in users_holding(unit=unit, roles=WORK_ROLES):
            per_person[user.pk].update(per_unit[unit.pk])
    people = get_user_model().objects.filter(pk__in=list(per_person), is_active=True).order_by("pk")
    for user in people:
        counts = per_person[user.pk]
        body = _("%(red)d of your items are overdue and %(yellow)d are due soon.") % {
            "red": counts["red"], "yellow": counts["yellow"]}
        _send([user], "items.late", _("Reminder (催办): items due"), body,
              url=reverse("dockets:queue") + "?grade=" + ("red" if counts["red"] else "yellow"))


def _issuers(item: Item) -> list[Any]:
    """Who signs off and decides requests (谁交办谁验收): supervisors of the docket's verifier unit.

    Found from the verifier unit up, so a list whose own unit has no supervisor reaches the one
    above; the lead unit's own supervisors are never asked (they may not sign off).
    """
    unit = verifier_unit(item.docket)
    while unit is not None:
        people = [u for u in users_holding(unit=unit, roles=VERIFY_ROLES) if may_verify(u, item)]
        if people:
            return people
        unit = Unit.objects.filter(path=unit.parent_path).first() if unit.depth > 1 else None
    return []


def change_requested(item: Item, request: Any) -> None:
    """Tell the issuer side the lead unit asks for an extension or a change, with its reason."""
    _send(_issuers(item), "item.change_requested",
          _("Extension or change requested: %(item)s") % {"item": _label(item)}, request.reason, item)


def change_decided(item: Item, request: Any) -> None:
    """Tell the item's workers and the asker how the issuer decided the request, with the decision's note."""
    approved = request.status == "approved"
    title = (_("Request approved: %(item)s") if approved else _("Request refused: %(item)s")) % {"item": _label(item)}
    _send([*_workers(item), request.requested_by], "item.change_decided", title, request.note, item)
