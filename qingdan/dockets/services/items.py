"""Make campaigns, dockets and items, and edit them without overwriting anyone's work."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import PermissionDenied
from qingdan.dockets.choices import (
    CLOSED_STATUSES,
    DocketKind,
    DocketSource,
    EventKind,
    ItemStatus,
    Priority,
)
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.models import Campaign, Docket, Item, ItemSubmission
from qingdan.dockets.permissions import (
    WORK_ROLES,
    locked_fields,
    may_list,
    may_manage_docket,
    may_name_verifier,
    verifier_allowed,
)
from qingdan.dockets.services.common import audit_item, effective_due, event, step, today
from qingdan.dockets.signals import item_changed, snapshot, submissions_linked
from qingdan.intake.casework import submission_dispatch
from qingdan.intake.choices import SubmissionKind
from qingdan.units.choices import MANAGE_ROLES, Role
from qingdan.units.models import Unit
from qingdan.units.scopes import is_inside, is_system, may, scope_for_user

MAX_TITLE = 300
MAX_TEXT = 20_000
MAX_WORKING_DAYS = 366
# Fields item_update may change, and the simple ones written as they come.
EDITABLE = frozenset({"title", "description", "commitment", "deadline", "deadline_working_days", "priority",
                      "category", "measures", "leader", "handler", "co_units", "parent", "published", "weight"})


def _text(value: Any, limit: int) -> str:
    return str(value or "").replace("\x00", "").strip()[:limit]


def campaign_create(*, actor: Actor, name: str, unit: Unit, starts_on: datetime.date,
                    ends_on: datetime.date | None = None, description: str = "",
                    units: Iterable[Unit] = ()) -> Campaign:
    """Start a campaign: a period and the units taking part."""
    if not may(actor, unit, MANAGE_ROLES | {Role.SUPERVISOR}):
        raise PermissionDenied(_("You may not run campaigns for this unit."))
    errors = {}
    if not _text(name, 200):
        errors["name"] = _("A campaign needs a name.")
    if ends_on and ends_on < starts_on:
        errors["ends_on"] = _("The campaign ends before it starts.")
    units = list(units)
    if any(not is_inside(u, unit) for u in units):
        errors["units"] = _("Participating units must lie inside the organizing unit.")
    if errors:
        raise ItemInvalid(errors)
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.create(name=_text(name, 200), unit=unit, starts_on=starts_on, ends_on=ends_on,
                                           description=_text(description, MAX_TEXT),
                                           created_by=user_of(actor))
        campaign.units.set(units)
        audit_record(actor=actor, action="dockets.campaign_created", obj=campaign, unit_path=unit.path,
                     after={"name": campaign.name, "units": len(units)})
    return campaign


def docket_create(*, actor: Actor, name: str, owner_unit: Unit, kind: str = DocketKind.PROBLEM,
                  source: str = DocketSource.SELF_CHECK, campaign: Campaign | None = None, description: str = "",
                  published: bool = False, fallback_after_returns: int = 2, fallback_after_hours: int = 72,
                  due_soon_days: int = 3, verifier_unit: Unit | None = None, leader_review: bool = False) -> Docket:
    """Open a list owned by a unit; its level is the owner's, fixed from now on."""
    probe = Docket(owner_unit=owner_unit)
    if not may_manage_docket(actor, probe):
        raise PermissionDenied(_("You may not make lists for this unit."))
    errors: dict[str, str] = {}
    if verifier_unit is not None:
        _check_verifier(actor, probe, verifier_unit, errors)
        if verifier_unit.pk == owner_unit.pk:
            verifier_unit = None  # naming the owner is the default: stored as empty
    if not _text(name, 200):
        errors["name"] = _("A list needs a name.")
    if kind not in DocketKind.values:
        errors["kind"] = _("Unknown kind of list.")
    if source not in DocketSource.values:
        errors["source"] = _("Unknown source.")
    if not owner_unit.is_active:
        errors["owner_unit"] = _("This unit has been retired.")
    if not 1 <= fallback_after_returns <= 10:
        errors["fallback_after_returns"] = _("Between 1 and 10 returns.")
    if not 1 <= fallback_after_hours <= 24 * 60:
        errors["fallback_after_hours"] = _("Between 1 hour and 60 days.")
    if not 0 <= due_soon_days <= 30:
        errors["due_soon_days"] = _("Between 0 and 30 working days.")
    if errors:
        raise ItemInvalid(errors)
    with transaction.atomic(durable=True):
        docket = Docket.objects.create(
            name=_text(name, 200), owner_unit=owner_unit, level=owner_unit.level, kind=kind, source=source,
            campaign=campaign, description=_text(description, MAX_TEXT), published=published,
            fallback_after_returns=fallback_after_returns, fallback_after_hours=fallback_after_hours,
            due_soon_days=due_soon_days, verifier_unit=verifier_unit, leader_review=bool(leader_review),
            created_by=user_of(actor))
        audit_record(actor=actor, action="dockets.docket_created", obj=docket, unit_path=owner_unit.path,
                     after={"name": docket.name, "kind": kind, "source": source,
                            "verifier_unit": verifier_unit.code if verifier_unit else None,
                            "leader_review": bool(leader_review)})
    return docket


def _check_verifier(actor: Actor, docket: Docket, unit: Unit | None, errors: dict) -> None:
    """Only the owner's organizers name the verifier, and only the owner unit or a unit inside it."""
    if not may_name_verifier(actor, docket):
        raise PermissionDenied(_("Only an organizer of the list's unit names who verifies its items."))
    if unit is not None and not verifier_allowed(docket, unit):
        errors["verifier_unit"] = _("The verifier is the list's own unit or an active unit inside it "
                                    "(%(code)s is not).") % {"code": unit.code}


# Docket settings docket_update may change after the list is made.
DOCKET_EDITABLE = frozenset({"verifier_unit", "leader_review"})


def docket_update(*, actor: Actor, docket: Docket, changes: dict[str, Any]) -> Docket:
    """Change who signs off a list's items and whether a leader reviews closure requests first.

    ``verifier_unit`` verifies (None is the owner unit itself); with ``leader_review`` the lead
    unit's leader reviews closure requests before the verifier.

    Audited with the values before and after: who signs off is part of the list's promise. Items
    already waiting for a leader when review is switched off still wait for one (nothing moves by itself).
    """
    if not may_manage_docket(actor, docket):
        raise PermissionDenied(_("You may not change this list."))
    unknown = set(changes) - DOCKET_EDITABLE
    if unknown:
        raise ItemInvalid({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    errors: dict[str, str] = {}
    changes = dict(changes)
    if "verifier_unit" in changes:
        unit = changes["verifier_unit"]
        if unit is not None and unit.pk == docket.owner_unit_id:
            unit = changes["verifier_unit"] = None  # naming the owner is the default: stored as empty
        if (unit.pk if unit is not None else None) == docket.verifier_unit_id:
            del changes["verifier_unit"]  # unchanged: a supervisor saving the other settings is not naming
        else:
            _check_verifier(actor, docket, unit, errors)
    if "leader_review" in changes:
        changes["leader_review"] = bool(changes["leader_review"])
    if errors:
        raise ItemInvalid(errors)
    with transaction.atomic(durable=True):
        current = Docket.objects.select_for_update().get(pk=docket.pk)
        before = {name: _shown(getattr(current, name)) for name in changes}
        after = {name: _shown(value) for name, value in changes.items()}
        changed = sorted(name for name in changes if before[name] != after[name])
        for name in changed:
            setattr(current, name, changes[name])
        if changed:
            current.save(update_fields=changed)
            audit_record(actor=actor, action="dockets.docket_updated", obj=current, unit_path=docket.owner_unit.path,
                         before={n: before[n] for n in changed}, after={n: after[n] for n in changed})
    for name in changes:
        setattr(docket, name, getattr(current, name))
    return docket


def _shown(value: Any) -> Any:
    return value.code if isinstance(value, Unit) else value


def docket_publish(*, actor: Actor, docket: Docket, published: bool) -> Docket:
    """Show or hide a list on the public pages (its items still need their own publish flag)."""
    if not may_manage_docket(actor, docket):
        raise PermissionDenied(_("You may not publish this list."))
    with transaction.atomic(durable=True):
        Docket.objects.filter(pk=docket.pk).update(published=published)
        docket.published = published
        audit_record(actor=actor, action="dockets.docket_published" if published else "dockets.docket_unpublished",
                     obj=docket, unit_path=docket.owner_unit.path, after={"published": published})
    return docket


def _check_unit(unit: Unit | None, docket: Docket, field: str, errors: dict) -> None:
    if unit is None:
        errors[field] = _("Choose a unit.")
    elif not unit.is_active:
        errors[field] = _("Unit %(code)s has been retired.") % {"code": unit.code}
    elif not is_inside(unit, docket.owner_unit):
        errors[field] = _("Unit %(code)s is outside this list's unit.") % {"code": unit.code}


def report_lead_refusal(lead_unit: Unit | None, *, item: Item | None = None,
                        submissions: Sequence[Any] = ()) -> str:
    """Why ``lead_unit`` may not lead an item that answers a report (举报), or "" when it may.

    A report is never handed to the unit it accuses, nor to a unit under it: the accused would
    read the report's item and judge its own case. The one rule for listing, linking, dispatch
    and change requests alike.
    """
    if lead_unit is None:
        return ""
    accused = [s.accused_unit for s in submissions if s.kind == SubmissionKind.REPORT and s.accused_unit_id]
    if item is not None and item.pk:
        accused += [link.submission.accused_unit for link in ItemSubmission.objects.filter(
            item=item, submission__kind=SubmissionKind.REPORT, submission__accused_unit__isnull=False)
            .select_related("submission__accused_unit")]
    for unit in accused:
        if is_inside(lead_unit, unit):
            return _("A report is never led by the unit it names or a unit under it (%(unit)s).") % {
                "unit": unit.name}
    return ""


def item_draft(submission: Any) -> dict[str, str]:
    """The item form's starting values for listing a submission.

    An ordinary message lends its subject, text and place. A report lends nothing: its words and
    the unit it names stay with the discipline desk, so the lister writes the item afresh.
    """
    if submission.kind == SubmissionKind.REPORT:
        return {"submission": submission.tracking_code}
    return {"title": submission.subject, "description": submission.text, "submission": submission.tracking_code,
            "lead_unit": (submission.place_unit or submission.unit).code}


def _check_parent(item: Item | None, parent: Item | None, docket: Docket, errors: dict) -> None:
    """A parent lies in the same docket, and an item never becomes its own ancestor."""
    if parent is None:
        return
    if parent.docket_id != docket.pk:
        errors["parent"] = _("The parent item belongs to another list.")
        return
    if item is None:
        return
    seen = set()
    node: Item | None = parent
    while node is not None:
        if node.pk == item.pk:
            errors["parent"] = _("An item cannot be placed under itself or under one of its own sub-items.")
            return
        if node.pk in seen:  # pragma: no cover - a cycle already in the data
            break
        seen.add(node.pk)
        node = node.parent


def _check_person(user: Any, unit: Unit | None, field: str, errors: dict) -> None:
    if user is None or unit is None:
        return
    if not user.is_active or not scope_for_user(user, roles=WORK_ROLES).contains(unit):
        errors[field] = _("%(name)s is not a handler or leader of the lead unit.") % {"name": user.username}


def _check_dates(deadline: datetime.date | None, working_days: int | None, errors: dict,
                 on: datetime.date) -> None:
    if deadline and working_days:
        errors["deadline"] = _("Give a date or a number of working days, not both.")
    if deadline and deadline < on:
        errors["deadline"] = _("The deadline %(date)s is in the past.") % {"date": deadline.isoformat()}
    if working_days is not None and not 1 <= working_days <= MAX_WORKING_DAYS:
        errors["deadline_working_days"] = _("Between 1 and %(max)d working days.") % {"max": MAX_WORKING_DAYS}


def item_create(*, actor: Actor, docket: Docket, title: str, lead_unit: Unit | None, description: str = "",
                co_units: Sequence[Unit] = (), leader: Any = None, handler: Any = None, commitment: str = "",
                deadline: datetime.date | None = None, deadline_working_days: int | None = None,
                priority: str = Priority.NORMAL, category: str = "", parent: Item | None = None,
                submissions: Sequence[Any] = (), published: bool = False, weight: int = 1,
                measures: str = "", hot_issues: Sequence[Any] = ()) -> Item:
    """List a problem (拉单列项): validate everything first, then save it all or nothing."""
    if not may_list(actor, docket):
        raise PermissionDenied(_("You may not add items to this list."))
    errors: dict[str, str] = {}
    title = _text(title, MAX_TITLE + 1)
    if not title:
        errors["title"] = _("An item needs a title.")
    elif len(title) > MAX_TITLE:
        errors["title"] = _("The title is too long (at most %(max)d characters).") % {"max": MAX_TITLE}
    _check_unit(lead_unit, docket, "lead_unit", errors)
    for unit in co_units:
        _check_unit(unit, docket, "co_units", errors)
    if lead_unit is not None and any(u.pk == lead_unit.pk for u in co_units):
        errors["co_units"] = _("The lead unit is not also a co-operating unit.")
    _check_dates(deadline, deadline_working_days, errors, today())
    if priority not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if not 1 <= weight <= 100:
        errors["weight"] = _("Between 1 and 100.")
    _check_parent(None, parent, docket, errors)
    _check_person(leader, lead_unit, "leader", errors)
    _check_person(handler, lead_unit, "handler", errors)
    _check_submissions(submissions, None, errors)
    refusal = report_lead_refusal(lead_unit, submissions=submissions)
    if refusal and "lead_unit" not in errors:
        errors["lead_unit"] = refusal
    if errors:
        raise ItemInvalid(errors)
    assert lead_unit is not None  # _check_unit refused a missing one
    with transaction.atomic():
        number = (Docket.objects.select_for_update().filter(pk=docket.pk).aggregate(  # serialise numbering
            n=Max("items__number"))["n"] or 0) + 1
        item = Item(docket=docket, number=number, title=title, description=_text(description, MAX_TEXT),
                    lead_unit=lead_unit, leader=leader, handler=handler, commitment=_text(commitment, MAX_TEXT),
                    deadline=deadline, deadline_working_days=deadline_working_days, priority=priority,
                    category=_text(category, 64), parent=parent, published=published, weight=weight,
                    measures=_text(measures, MAX_TEXT), created_by=user_of(actor))
        item.due_on = effective_due(item)
        item.save()
        item.co_units.set(co_units)
        event(item, EventKind.LISTED, actor=actor, to_status=item.status)
        for submission in submissions:
            ItemSubmission.objects.create(item=item, submission=submission)
        item.hot_issues.set([*hot_issues, *_hot_issues_of(submissions)])
        item_changed.send(sender=Item, item=item, action="item_listed", before=None, after=snapshot(item))
        audit_item(actor, "item_listed", item, after={"docket": docket.pk, "number": number,
                                                       "lead_unit": lead_unit.code,
                                                       "submissions": [s.pk for s in submissions]})
        if parent is not None:
            rollup_progress(parent)
    return item


def _check_submissions(submissions: Sequence[Any], item: Item | None, errors: dict) -> None:
    taken = ItemSubmission.objects.filter(submission__in=[s.pk for s in submissions])
    if item is not None:
        taken = taken.exclude(item=item)
    codes = [link.submission.tracking_code for link in taken.select_related("submission")]
    if codes:
        errors["submissions"] = _("Already answered by another item: %(codes)s") % {"codes": ", ".join(codes)}


def _hot_issues_of(submissions: Sequence[Any]) -> list[Any]:
    """The hot issues triage grouped these submissions into: an item answering them answers those too."""
    if not submissions or not apps.is_installed("qingdan.triage"):
        return []
    # triage is an optional app: its models load only when it is installed
    from qingdan.triage.selectors import triage_for_submission  # noqa: PLC0415 (optional app)

    found = (triage_for_submission(s) for s in submissions if s.kind != SubmissionKind.REPORT)
    return [t.hot_issue for t in found if t is not None and t.hot_issue is not None]


def item_link_submissions(*, actor: Actor, item: Item, submissions: Sequence[Any]) -> int:
    """Attach more submissions to an item (many people, one problem); returns how many were new."""
    if not may_list(actor, item.docket):
        raise PermissionDenied(_("You may not change this list."))
    errors: dict[str, str] = {}
    _check_submissions(submissions, item, errors)
    refusal = report_lead_refusal(item.lead_unit, submissions=submissions)
    if refusal:
        errors["submissions"] = refusal
    if errors:
        raise ItemInvalid(errors)
    added: list[int] = []
    with transaction.atomic(durable=True):
        for submission in submissions:
            _link, created = ItemSubmission.objects.get_or_create(submission=submission, defaults={"item": item})
            if not created:
                continue
            added.append(submission.pk)
            item.hot_issues.add(*_hot_issues_of([submission]))
            event(item, EventKind.LINKED, actor=actor, text=submission.tracking_code)
            if item.dispatched_at and item.status not in CLOSED_STATUSES:
                submission_dispatch(actor=actor, submission=submission, unit=item.lead_unit)
        if added:
            submissions_linked.send(sender=Item, item=item, submission_ids=added)
            audit_item(actor, "item_linked", item, after={"submissions": [s.pk for s in submissions]})
    return len(added)


def item_update(*, actor: Actor, item: Item, version: int, changes: dict[str, Any]) -> Item:
    """Edit an item's fields, but only if nobody changed it since ``version`` was read.

    A step like the loop's (``step``): one lock on the item, one version check, one audit entry,
    one ``item_changed``, so of two people saving at once exactly one wins; the other gets
    ``ItemConflict`` and the attempt is audited. Fields the dispatch fixed are refused (and the
    refusal audited) on the locked copy; the passed ``item`` is brought up to date as well.
    """
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ItemInvalid({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    if item.status in CLOSED_STATUSES and set(changes) - {"published"}:
        raise ItemInvalid({"status": _("A closed item is reopened before it is edited.")})
    errors: dict[str, str] = {}
    values = dict(changes)
    for name, limit in (("title", MAX_TITLE), ("description", MAX_TEXT), ("commitment", MAX_TEXT),
                        ("measures", MAX_TEXT), ("category", 64)):
        if name in values:
            values[name] = _text(values[name], limit + 1)
            if len(values[name]) > limit:
                errors[name] = _("Too long (at most %(max)d characters).") % {"max": limit}
    if "title" in values and not values["title"]:
        errors["title"] = _("An item needs a title.")
    if "deadline" in values or "deadline_working_days" in values:
        _check_dates(values.get("deadline"), values.get("deadline_working_days"), errors, today())
    if "priority" in values and values["priority"] not in Priority.values:
        errors["priority"] = _("Unknown priority.")
    if "parent" in values:
        _check_parent(item, values["parent"], item.docket, errors)
    for person in ("leader", "handler"):
        if person in values:
            _check_person(values[person], item.lead_unit, person, errors)
    co_units = values.pop("co_units", None)
    if co_units is not None:
        for unit in co_units:
            _check_unit(unit, item.docket, "co_units", errors)
    if errors and not locked_fields(item, changes):  # a locked field is refused first, and audited, below
        raise ItemInvalid(errors)

    def check(current: Item) -> None:
        if current.status in CLOSED_STATUSES and set(changes) - {"published"}:
            raise ItemInvalid({"status": _("A closed item is reopened before it is edited.")})
        locked = locked_fields(current, changes)
        if locked:
            raise ItemInvalid({name: _("Fixed at dispatch: ask for an extension or a change instead.")
                               for name in locked})
        if errors:
            raise ItemInvalid(errors)

    def change(current: Item) -> dict:
        if "deadline" in values or "deadline_working_days" in values:
            # The newer kind of deadline replaces the other: a date clears the working days, and
            # working days clear the date of an item not yet dispatched (dispatch computes it).
            if values.get("deadline"):
                values["deadline_working_days"] = None
            elif values.get("deadline_working_days") and current.dispatched_at is None:
                values["deadline"] = None
        for name, value in values.items():
            setattr(current, name, value)
        if "deadline" in values:
            current.due_on = effective_due(current)
        if co_units is not None:
            current.co_units.set(co_units)
        event(current, EventKind.EDITED, actor=actor, text=field_labels(changes), data={"fields": sorted(changes)})
        return {"fields": sorted(changes)}

    def then(current: Item) -> None:
        if values.get("parent") is not None:
            rollup_progress(values["parent"])

    def permitted(who: Actor, current: Item) -> bool:
        return may_list(who, current.docket) or _may_edit_as_leader(who, current)

    current = step(actor=actor, item=item, action="item_edited", allowed=None, permitted=permitted,
                   version=version, check=check, change=change, then=then, refused={"fields": sorted(changes)})
    for field in Item._meta.concrete_fields:
        setattr(item, field.attname, getattr(current, field.attname))
    item._state.fields_cache.clear()  # the parent, leader or handler may have changed
    return item


def field_labels(names: Iterable[str]) -> str:
    """The changed fields as people read them (完成时限、优先级), not as the code names them."""
    return "、".join(str(Item._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # Item's own fields
                    for name in sorted(names))


def _may_edit_as_leader(actor: Actor, item: Item) -> bool:
    return not is_system(actor) and scope_for_user(actor, roles={Role.LEADER}).contains(item.lead_unit)


def rollup_progress(parent: Item) -> None:
    """Set a parent's progress to its children's weighted mean, and so on up the tree."""
    node: Item | None = parent
    while node is not None:
        children = list(Item.objects.filter(parent=node).values_list("progress", "weight", "status"))
        if not children:
            return
        total = sum(w for _, w, _ in children) or 1
        mean = round(sum((100 if s == ItemStatus.CLOSED else p) * w for p, w, s in children) / total)
        Item.objects.filter(pk=node.pk).update(progress=mean)
        node.progress = mean
        node = Item.objects.filter(pk=node.parent_id).first() if node.parent_id else None
