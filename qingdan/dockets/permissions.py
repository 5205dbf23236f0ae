"""Who may take which step of the loop on an item they can already see.

Listing and dispatching belong to the offices that run lists (operators of a 12345 centre,
supervisors, organizers) over the docket's owner unit; the work belongs to handlers and
leaders of the lead unit; verification (销号) belongs to the body that issued the list (谁交办谁验收):
supervisors and organizers of the docket's verifier unit (its owner unit unless the owner named
another), never to the lead unit's own supervisors, and never to the person who did the work or
asked for the closure.
"""

from __future__ import annotations

from typing import Any

from qingdan.dockets.models import Docket, Item
from qingdan.units.choices import MANAGE_ROLES, Role
from qingdan.units.scopes import is_inside, is_system, may, scope_for_user

LIST_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR, Role.ORGANIZER, Role.ADMIN})
WORK_ROLES = frozenset({Role.HANDLER, Role.LEADER})
VERIFY_ROLES = frozenset({Role.SUPERVISOR, Role.ORGANIZER, Role.ADMIN})
MANAGE_DOCKET_ROLES = frozenset({Role.SUPERVISOR, Role.ORGANIZER, Role.ADMIN})


def may_manage_docket(user: Any, docket: Docket) -> bool:
    """Create, publish and configure dockets: supervisors and organizers of the owner unit."""
    return may(user, docket.owner_unit, MANAGE_DOCKET_ROLES)


def may_list(user: Any, docket: Docket) -> bool:
    """Add items to a docket and dispatch them."""
    return may(user, docket.owner_unit, LIST_ROLES)


def may_work(user: Any, item: Item) -> bool:
    """Accept, return, record progress and ask for closure: handlers and leaders of the lead unit."""
    return may(user, item.lead_unit, WORK_ROLES)


REVIEW_ROLES = frozenset({Role.LEADER})


def may_lead_review(user: Any, item: Item) -> bool:
    """Approve or send back a closure request before it goes up (单位领导审核): leaders of the lead unit."""
    return may(user, item.lead_unit, REVIEW_ROLES)


def verifier_unit(docket: Docket) -> Any:
    """The unit that signs off the list's items: the one the owner named, else the owner itself."""
    return docket.verifier_unit if docket.verifier_unit_id else docket.owner_unit


def may_verify(user: Any, item: Item) -> bool:
    """Close, send back, urge, supervise and decide change requests: the issuer side (谁交办谁验收).

    The scope must contain the docket's verifier unit, not merely the lead unit: a supervisor
    of 西湖区 sees 杭州's items led by 西湖区 but does not sign them off.
    """
    if is_system(user):
        return True
    scope, unit = scope_for_user(user, roles=VERIFY_ROLES), verifier_unit(item.docket)
    if not item.docket.verifier_unit_id or scope.is_global:
        return scope.contains(unit)
    # A named verifier may sit inside the lead unit's subtree (its own 纪检组, say): a role held
    # there is still the lead unit's own side, so only a role held above the lead unit counts.
    lead = item.lead_unit.path
    return any(is_inside(unit, root) and not is_inside(root, lead) for root in scope.paths)


def may_name_verifier(user: Any, docket: Docket) -> bool:
    """Name the docket's verifier unit: organizers (and administrators) of the owner unit only.

    Supervisors run and verify lists but do not choose who verifies them.
    """
    return may(user, docket.owner_unit, MANAGE_ROLES)


def verifier_allowed(docket: Docket, unit: Any) -> bool:
    """A verifier is the owner unit or an active unit inside it (keep simple: no unit beside or above)."""
    return unit.is_active and is_inside(unit, docket.owner_unit)


def may_request_change(user: Any, item: Item) -> bool:
    """Ask for an extension or change: the lead unit's people, or the list's office; asking is not deciding."""
    return may_work(user, item) or may_list(user, item.docket)


def may_decide_change(user: Any, item: Item, requested_by_id: int | None) -> bool:
    """Approve or refuse an extension or change request: the issuer side, never the one who asked.

    The one rule the service, the pages and the API ask: ``may_verify`` (the docket's verifier
    unit, so never the lead unit's own supervisors), and not the person who filed it.
    """
    if not may_verify(user, item):
        return False
    return is_system(user) or requested_by_id is None or requested_by_id != user.pk


# A promise once made does not move by itself: after dispatch these change only through an
# extension or change request decided by the issuer.
ITEM_LOCKED_AFTER_DISPATCH = frozenset({"commitment", "deadline", "deadline_working_days", "lead_unit"})


def locked_fields(item: Item, changes: Any) -> list[str]:
    """The fields of ``changes`` that the item's dispatch has locked (none before dispatch)."""
    if item.dispatched_at is None:
        return []
    return sorted(set(changes) & ITEM_LOCKED_AFTER_DISPATCH)


def is_own_work(user: Any, item: Item) -> bool:
    """Tell whether the user did the work or asked for the closure, and so may not sign it off."""
    if is_system(user):
        return False
    pk = user.pk
    return pk in {item.handler_id, item.leader_id, item.closure_requested_by_id}
