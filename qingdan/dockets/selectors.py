"""Read dockets and items through the reader's scope, and the public's view of what was published.

A staff user sees an item when its lead unit, one of its co-operating units, its docket's owner
or its docket's verifier unit lies inside the user's scope: the unit doing the work, the units
helping, the office running the list and the one signing it off. Nobody else, and a
neighbouring unit never.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from qingdan.core.errors import NotFound
from qingdan.dockets.choices import (
    ANSWERABLE,
    AWAITING_SIGN_OFF,
    DISPATCHABLE,
    GRADED_STATUSES,
    IN_LEADER_REVIEW,
    OPEN_STATUSES,
    WITH_UNIT,
    WORKING,
    ChangeKind,
    ChangeStatus,
    Grade,
    ItemStatus,
)
from qingdan.dockets.models import Docket, Evidence, Item, ItemChangeRequest, ItemEvent, ItemSubmission
from qingdan.dockets.permissions import LIST_ROLES, REVIEW_ROLES, VERIFY_ROLES, WORK_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import scope_for_user, within, within_q
from qingdan.units.selectors import unit_get_for_user


def item_queryset_for_user(user: Any) -> QuerySet[Item]:
    """Return every item the user may see."""
    scope = scope_for_user(user)
    if scope.is_global:
        return Item.objects.all()
    if scope.is_empty:
        return Item.objects.none()
    co = Item.co_units.through.objects.filter(item_id=OuterRef("pk")).filter(scope.q("unit"))
    # The docket's verifier unit sees what it signs off, even when it lies beside the lead unit.
    return Item.objects.filter(scope.q("lead_unit") | scope.q("docket__owner_unit")
                               | scope.q("docket__verifier_unit") | Q(Exists(co)))


MAX_ID = 2**31 - 1


def item_get_for_user(user: Any, *, pk: int) -> Item:
    """Return one item, or NotFound when it is missing or outside the user's view (not told apart)."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such item in your scope.")
    item = item_queryset_for_user(user).select_related(
        "docket", "docket__owner_unit", "lead_unit", "leader", "handler", "parent").filter(pk=pk).first()
    if item is None:
        raise NotFound("No such item in your scope.")
    return item


def evidence_get_for_user(user: Any, *, pk: int) -> Evidence:
    """Return one evidence file of an item the user may see, or NotFound (missing and hidden look the same)."""
    evidence = Evidence.objects.filter(pk=pk, item__in=item_queryset_for_user(user)).first() \
        if 0 < pk <= MAX_ID else None
    if evidence is None:
        raise NotFound("No such file in your scope.")
    return evidence


def item_answering_for_user(user: Any, submission: Any) -> Item | None:
    """The item that answers a submission, when there is one and the user may see it."""
    link = ItemSubmission.objects.filter(submission=submission).first()
    return item_queryset_for_user(user).filter(pk=link.item_id).first() if link is not None else None


def docket_queryset_for_user(user: Any) -> QuerySet[Docket]:
    """Dockets the user runs (owner in scope) or works on (an item of theirs is in it)."""
    scope = scope_for_user(user)
    if scope.is_global:
        return Docket.objects.all()
    visible_items = item_queryset_for_user(user).filter(docket_id=OuterRef("pk"))
    return Docket.objects.filter(scope.q("owner_unit") | Q(Exists(visible_items)))


def docket_get_for_user(user: Any, *, pk: int) -> Docket:
    """The list if the user's scope holds it; a missing or out-of-scope id is one NotFound, so ids leak nothing."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such list in your scope.")
    docket = docket_queryset_for_user(user).select_related("owner_unit", "campaign").filter(pk=pk).first()
    if docket is None:
        raise NotFound("No such list in your scope.")
    return docket


@dataclass(frozen=True)
class ItemFilters:
    """What the queue pages and the API filter items by."""

    status: str = ""
    grade: str = ""
    source: str = ""
    category: str = ""
    docket: int | None = None
    unit_path: str = ""  # a unit subtree
    since: datetime.date | None = None
    until: datetime.date | None = None
    q: str = ""
    supervised: bool | None = None
    # What a dashboard figure counts, so that its link lists exactly those items (supervision.figures):
    # ``level="top"`` the list's own items (no sub-items), ``overdue`` open items graded red now,
    # ``own`` only the items the unit in ``unit_path`` leads itself (its 「本级」 row), not its children's.
    level: str = ""
    overdue: bool = False
    own: bool = False


def item_filters_for(user: Any, *, unit: str = "", **values: Any) -> ItemFilters:
    """Build the queue filters from form or query values; a unit code is resolved in the user's scope.

    Keys that are not filters (the page's view, paging) are ignored. A unit outside the scope
    is NotFound, as everywhere else.
    """
    fields = {name: value for name, value in values.items()
              if name in ItemFilters.__dataclass_fields__ and value not in (None, "")}
    if unit:
        fields["unit_path"] = unit_get_for_user(user, code=unit).path
    return ItemFilters(**fields)


def search_terms(text: str) -> list[str]:
    """Split a Chinese query into words (jieba's search mode), dropping one-character noise."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    import jieba  # noqa: PLC0415 (jieba loads only when a search term is segmented)

    words = [w.strip() for w in jieba.cut_for_search(text) if w.strip()]
    long_words = [w for w in words if len(w) > 1]
    # Keep the longest words that cover the query; a query of single characters stays as typed.
    return sorted(set(long_words), key=len, reverse=True)[:6] or [text]


def items_filter(queryset: QuerySet[Item], filters: ItemFilters) -> QuerySet[Item]:
    """Apply the queue filters; the text search needs every word in the title, text or commitment."""
    if filters.status == "open":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status in ItemStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.grade:
        queryset = queryset.filter(grade=filters.grade)
    if filters.source:
        queryset = queryset.filter(docket__source=filters.source)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.docket:
        queryset = queryset.filter(docket_id=filters.docket)
    if filters.unit_path:
        queryset = (queryset.filter(lead_unit__path=filters.unit_path) if filters.own
                    else within(queryset, filters.unit_path, "lead_unit"))
    if filters.level == "top":
        queryset = queryset.filter(TOP_LEVEL)
    if filters.overdue:
        queryset = queryset.filter(status__in=GRADED_STATUSES, grade=Grade.RED)
    if filters.since:
        queryset = queryset.filter(created_at__date__gte=filters.since)
    if filters.until:
        queryset = queryset.filter(created_at__date__lte=filters.until)
    if filters.supervised is not None:
        queryset = queryset.filter(supervised=filters.supervised)
    for term in search_terms(filters.q):
        queryset = queryset.filter(Q(title__icontains=term) | Q(description__icontains=term)
                                   | Q(commitment__icontains=term) | Q(measures__icontains=term))
    return queryset


def issuer_q(scope: Any, prefix: str = "") -> Q:
    """Rows whose docket's verifier unit lies in ``scope``: the named one, else the owner unit.

    ``permissions.may_verify`` as a filter, but for its guard on a verifier named inside the lead
    unit, which only the service's check applies.
    """
    return (scope.q(f"{prefix}docket__verifier_unit")
            | (Q(**{f"{prefix}docket__verifier_unit__isnull": True}) & scope.q(f"{prefix}docket__owner_unit")))


def _own_units(user: Any, roles: frozenset[str]) -> QuerySet[Unit]:
    """The units where the user holds one of ``roles`` themselves, not the units below them.

    Work waits on the unit it was sent to: a district handler is not asked to sign for what
    was dispatched to one of the district's streets, that street's handlers are.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return Unit.objects.none()
    return Unit.objects.filter(role_assignments__user_id=user.pk, role_assignments__role__in=roles)


def items_awaiting(user: Any) -> QuerySet[Item]:
    """Items waiting for this person to act (「我的待办」), by state and who it waits on.

    - listed, returned (``DISPATCHABLE``): the list office, i.e. operators, supervisors and
      organizers of the docket's owner unit itself — it dispatches, re-dispatches to
      another unit or lets the parent take it. A return sits in no unit's queue otherwise.
    - dispatched (``ANSWERABLE``): the handlers and leaders of the lead unit itself — sign for
      it (签收) or return it; nobody has been named yet, so the unit is who it waits on.
    - accepted, rectifying (also after a send back), stage result (``WORKING``): the lead unit's
      handlers and leaders, and the item's own handler and leader.
    - leader review (``IN_LEADER_REVIEW``): the leaders over the lead unit (``may_lead_review``).
    - closure requested (``AWAITING_SIGN_OFF``): supervisors and organizers over the verifier
      unit (``may_verify``, as a filter: ``issuer_q``).
    - any other open state: still shown to the item's named handler and leader, who follow it.
    - closed: nobody.

    Always within what the user may see (``item_queryset_for_user``): nobody outside the
    item's scope is ever waited on.
    """
    verify_scope = scope_for_user(user, roles=VERIFY_ROLES)
    review_scope = scope_for_user(user, roles=REVIEW_ROLES)
    nothing = Q(pk__in=[])
    named = (Q(handler=user) | Q(leader=user)) & Q(status__in=OPEN_STATUSES) if user.is_authenticated else nothing
    # The list's own office, not every office above it: a province supervisor's queue would
    # otherwise hold every return in the province.
    to_dispatch = Q(status__in=DISPATCHABLE, docket__owner_unit__in=_own_units(user, LIST_ROLES))
    for_unit = Q(status__in=ANSWERABLE | WORKING, lead_unit__in=_own_units(user, WORK_ROLES))
    to_verify = Q(status__in=AWAITING_SIGN_OFF) & issuer_q(verify_scope) if not verify_scope.is_empty \
        else nothing
    to_review = Q(status__in=IN_LEADER_REVIEW) & review_scope.q("lead_unit") if not review_scope.is_empty \
        else nothing
    return item_queryset_for_user(user).filter(named | to_dispatch | for_unit | to_verify | to_review)


def my_queue(user: Any) -> QuerySet[Item]:
    """The queue page's 「我的待办」 tab: ``items_awaiting``."""
    return items_awaiting(user)


def unit_queue(user: Any) -> QuerySet[Item]:
    """Items the units this person works for hold: dispatched to them (accepted or not), not yet closed.

    Items still being listed, or returned by the unit, are the list office's, not the unit's.
    """
    scope = scope_for_user(user, roles=WORK_ROLES)
    if scope.is_empty:
        return Item.objects.none()
    return item_queryset_for_user(user).filter(scope.q("lead_unit"), status__in=WITH_UNIT)


def item_timeline(item: Item) -> QuerySet[ItemEvent]:
    """An item's steps with who took them, where, and their evidence, fetched together for the timeline."""
    return item.events.select_related("actor", "unit").prefetch_related("evidence")


# The counting rule, written once: a list's counters count its top-level items; a sub-item (a
# part of one item, split among units) is counted apart, never as one more problem or project.
# Pages, the API, the public pages, the ledgers' project counts and supervision's running
# figures (``supervision.figures.item_counters``) all follow it.
TOP_LEVEL = Q(parent__isnull=True)
SUB_ITEM = Q(parent__isnull=False)


def is_top_level(parent_id: int | None) -> bool:
    """Tell whether an item (by its ``parent_id``) counts as one of its list's items."""
    return parent_id is None


@dataclass(frozen=True)
class ItemCounts:
    """One set of counters over items: listed, closed, with a stage result (now), open, overdue."""

    listed: int = 0
    closed: int = 0
    stage_results: int = 0
    open: int = 0
    overdue: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"listed": self.listed, "closed": self.closed, "stage_results": self.stage_results,
                "open": self.open, "overdue": self.overdue}


@dataclass(frozen=True)
class DocketCounts(ItemCounts):
    """The counters the seeds print: "44 listed, 38 closed, 6 with stage results".

    The figures count top-level items only; ``sub_items`` counts the sub-items the same way.
    Stage results are items whose status is "stage result" now: they count apart from closed
    ones, so listed = closed + stage results + the other open ones.
    """

    sub_items: ItemCounts = ItemCounts()

    def as_dict(self) -> dict[str, Any]:  # adds the nested sub-item counts
        return {**super().as_dict(), "sub_items": self.sub_items.as_dict()}


_CONDITIONS = {"listed": Q(), "closed": Q(status=ItemStatus.CLOSED), "stage": Q(status=ItemStatus.STAGE_RESULT),
               "open": Q(status__in=OPEN_STATUSES), "overdue": Q(status__in=OPEN_STATUSES, grade="red")}


def _count_expressions() -> dict[str, Count]:
    expressions = {}
    for name, condition in _CONDITIONS.items():
        expressions[name] = Count("pk", filter=TOP_LEVEL & condition)
        expressions[f"sub_{name}"] = Count("pk", filter=SUB_ITEM & condition)
    return expressions


def _item_counts(figures: dict[str, Any], prefix: str = "") -> ItemCounts:
    return ItemCounts(listed=figures.get(f"{prefix}listed") or 0, closed=figures.get(f"{prefix}closed") or 0,
                      stage_results=figures.get(f"{prefix}stage") or 0, open=figures.get(f"{prefix}open") or 0,
                      overdue=figures.get(f"{prefix}overdue") or 0)


def _counts(figures: dict[str, Any]) -> DocketCounts:
    top = _item_counts(figures)
    return DocketCounts(**top.__dict__, sub_items=_item_counts(figures, "sub_"))


def docket_counts(queryset: QuerySet[Item]) -> DocketCounts:
    """Count a set of items in one query: top-level items, and sub-items apart (``TOP_LEVEL``)."""
    return _counts(queryset.aggregate(**_count_expressions()))


def docket_counts_by_docket(queryset: QuerySet[Item], dockets: Sequence[Docket]) -> dict[int, DocketCounts]:
    """``docket_counts`` for each of several dockets in one query (a page of lists, not one query a row)."""
    ids = [docket.pk for docket in dockets]
    rows = (queryset.filter(docket_id__in=ids).order_by().values("docket_id").annotate(**_count_expressions()))
    found = {row["docket_id"]: _counts(row) for row in rows}
    return {pk: found.get(pk) or _counts({}) for pk in ids}


# -- the public's view ------------------------------------------------------------------------

def public_dockets() -> QuerySet[Docket]:
    """Published dockets only."""
    return Docket.objects.filter(published=True).select_related("owner_unit")


def public_items(docket: Docket | None = None) -> QuerySet[Item]:
    """Published items of published dockets: the only items any public page, feed or API may show."""
    queryset = Item.objects.filter(published=True, docket__published=True).select_related("lead_unit", "docket")
    return queryset.filter(docket=docket) if docket is not None else queryset


def public_docket_get(*, pk: int) -> Docket:
    """A published list for the public pages; a draft and a missing list are one NotFound, so drafts stay hidden."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such published list.")
    docket = public_dockets().filter(pk=pk).first()
    if docket is None:
        raise NotFound("No such published list.")
    return docket


def public_item_get(*, pk: int) -> Item:
    """A published item of a published list; anything else is NotFound, so no unpublished item shows by its id."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such published item.")
    item = public_items().filter(pk=pk).first()
    if item is None:
        raise NotFound("No such published item.")
    return item


def public_result(item: Item) -> str:
    """The result the public pages show for a closed item: its close-out text, or nothing.

    The item's reply goes to the citizens whose submissions it answers (they read it on
    /track/): written to them, it may name their case, so an item answering a submission shows
    no result publicly. An item answering nobody was closed with a reply to the public itself.
    """
    if item.status != ItemStatus.CLOSED or not item.reply:
        return ""
    if ItemSubmission.objects.filter(item=item).exists():
        return ""
    return item.reply


# Steps of the loop the public timeline shows (no notes of urging, grading or internal edits).
PUBLIC_STEPS = ("listed", "dispatched", "accepted", "stage_result", "closure_requested", "closed", "reopened",
                "change_requested", "change_approved", "change_refused")


def public_timeline(item: Item) -> QuerySet[ItemEvent]:
    """The public steps of a published item: when, and what; never who or why."""
    return item.events.filter(kind__in=PUBLIC_STEPS).only("kind", "at", "item_id")


def public_changes(item: Item) -> QuerySet[ItemChangeRequest]:
    """A published item's extension and change requests: what was asked, why, and the outcome; never who."""
    return (item.change_requests.select_related("lead_unit")
            .only("kind", "status", "reason", "deadline", "previous_deadline", "commitment", "lead_unit__name",
                  "requested_at", "decided_at", "item_id"))


# -- extension and change requests ----------------------------------------------------------------

def change_request_queryset_for_user(user: Any) -> QuerySet[ItemChangeRequest]:
    """Requests on items the user may see: the request is as visible as its item, no more."""
    return ItemChangeRequest.objects.filter(item__in=item_queryset_for_user(user))


def change_requests_for_item(item: Item) -> QuerySet[ItemChangeRequest]:
    """An item's requests, newest first, for a reader who already sees the item."""
    return item.change_requests.select_related("lead_unit", "requested_by", "decided_by").order_by(
        "-requested_at", "-id")


def change_request_get_for_user(user: Any, *, pk: int) -> ItemChangeRequest:
    """Return one request, or NotFound when it is missing or its item is outside the user's view."""
    if not 0 < pk <= MAX_ID:
        raise NotFound("No such request in your scope.")
    found = change_request_queryset_for_user(user).select_related(
        "item", "item__docket", "item__docket__owner_unit", "item__lead_unit", "lead_unit", "requested_by",
        "decided_by").filter(pk=pk).first()
    if found is None:
        raise NotFound("No such request in your scope.")
    return found


def change_requests_to_decide(user: Any) -> QuerySet[ItemChangeRequest]:
    """Pending requests this person may decide: the docket's verifier unit is in their scope, not theirs.

    The same rule as ``permissions.may_decide_change``, written as a filter: the verifier unit is
    the one the owner named, else the owner unit.
    """
    verify_scope = scope_for_user(user, roles=VERIFY_ROLES)
    if verify_scope.is_empty:
        return ItemChangeRequest.objects.none()
    return (change_request_queryset_for_user(user).filter(issuer_q(verify_scope, "item__"),
                                                          status=ChangeStatus.PENDING)
            .exclude(requested_by=user).select_related("item", "item__docket", "item__lead_unit", "lead_unit",
                                                       "requested_by")
            .order_by("requested_at", "pk"))


def approved_extensions_count(*, unit: Any, start: datetime.date, end: datetime.date) -> int:
    """Extensions approved in the days ``start``–``end`` for items led inside ``unit``'s subtree.

    Shown beside the on-time rate, which still counts the original deadline: an extension is
    visible, never a way to turn a late item into an on-time one.
    """
    return ItemChangeRequest.objects.filter(
        within_q(unit, "item__lead_unit"), kind=ChangeKind.EXTENSION, status=ChangeStatus.APPROVED,
        decided_at__date__gte=start, decided_at__date__lte=end).count()
