"""Change the unit tree: every write is checked against the actor's scope and audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.units.choices import MANAGE_ROLES, UnitKind, UnitLevel
from qingdan.units.errors import UnitInvalid
from qingdan.units.models import Unit
from qingdan.units.permissions import may_add_root, may_set_unit_kind
from qingdan.units.scopes import may, within
from qingdan.units.validators import NAME_MAX, unit_code_problem

UNIT_AUDIT_FIELDS = ("code", "name", "kind", "level", "is_active")


def unit_snapshot(unit: Unit) -> dict[str, Any]:
    """Return the audited fields of a unit."""
    return {f: getattr(unit, f) for f in UNIT_AUDIT_FIELDS} | {"path": unit.path}


def ensure_may_manage(actor: Any, unit: Unit) -> None:
    """Refuse unless the actor holds a managing role over ``unit``."""
    if not may(actor, unit, MANAGE_ROLES):  # the system (commands run on the server) may
        raise PermissionDenied("You may not change units outside the part of the tree you manage.")


def discipline_bodies_above(unit: Unit) -> list[Unit]:
    """Return the discipline bodies overseeing ``unit``: those hanging off any strict ancestor.

    A 纪委监委 sits as a child of the region it watches, so the bodies above a unit are the
    discipline children of each of its ancestors (the unit itself excluded), nearest first.
    """
    prefixes = [unit.path[:end] for end in range(unit.steplen, len(unit.path), unit.steplen)]
    if not prefixes:
        return []
    candidates = Unit.objects.filter(kind=UnitKind.DISCIPLINE).exclude(pk=unit.pk)
    found = [u for u in within(candidates.filter(depth__lte=unit.depth), prefixes[0])
             if u.parent_path in prefixes or u.path in prefixes]
    return sorted(found, key=lambda u: -u.depth)


def discipline_change_notify(*, actor: Any, unit: Unit, title: str, body: str, kind: str) -> None:
    """Tell the discipline body above ``unit`` (else the superusers) that rights over one changed.

    The message goes out through the ``rights_changed`` signal: units sit below notifications
    (docs/architecture.md), and the notifications app turns the signal into inbox notices.
    """
    from django.contrib.auth import get_user_model

    from qingdan.units.signals import rights_changed

    users = get_user_model().objects.filter(is_active=True)
    bodies = discipline_bodies_above(unit)
    recipients: list[Any] = []
    if bodies:
        recipients = list(users.filter(role_assignments__unit=bodies[0]).distinct())
    if not recipients:
        recipients = list(users.filter(is_superuser=True))
    if recipients:
        rights_changed.send(sender=Unit, recipients=recipients, kind=kind, title=title, body=body, unit=unit,
                            actor_name=getattr(actor, "username", str(actor)))


def _ensure_may_set_kind(actor: Any, old_kind: str | None, new_kind: str) -> None:
    if not may_set_unit_kind(actor, old_kind, new_kind):
        raise PermissionDenied("Only a superuser may create a discipline body or change one's kind.")


def _unit_problems(*, code: str | None = None, name: str | None = None, kind: str | None = None) -> dict[str, str]:
    """The rules of a unit's own fields (those given), for the API and the admin; importers apply the code rule too."""
    problems = {}
    if code is not None and (problem := unit_code_problem(code)):
        problems["code"] = problem
    if name is not None and not name:
        problems["name"] = _("Give the unit a name.")
    elif name is not None and len(name) > NAME_MAX:
        problems["name"] = _("A name has at most %(max)d characters.") % {"max": NAME_MAX}
    if kind is not None and kind not in UnitKind.values:
        problems["kind"] = _("Unknown unit kind %(kind)s.") % {"kind": repr(kind)}
    return problems


def unit_create(*, actor: Any, parent: Unit | None, code: str, name: str, kind: str,
                level: int | None = None) -> Unit:
    """Add a unit under ``parent`` (or a new root). A department takes its parent's level."""
    code, name = code.strip(), name.strip()
    problems = _unit_problems(code=code, name=name, kind=kind)
    if problems:
        raise UnitInvalid(problems)
    if parent is None and not may_add_root(actor):
        raise PermissionDenied("Only an administrator of the whole system may add a root unit.")
    if parent is not None:
        ensure_may_manage(actor, parent)
        if not parent.is_active:
            raise ApplicationError(f"{parent.name} is retired: it takes no new units.", code="unit_parent_retired")
    _ensure_may_set_kind(actor, None, kind)
    resolved_level = level or (parent.level if parent is not None else UnitLevel.PROVINCE)
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise ApplicationError(f"A unit with code {code} already exists.", code="unit_duplicate_code")
        fields = {"code": code, "name": name, "kind": kind, "level": resolved_level}
        unit = (Unit.objects.add_child(parent, fields) if parent is not None else Unit.objects.add_root(fields))
        audit_record(actor=actor, action="units.unit_created", obj=unit, after=unit_snapshot(unit))
        if kind == UnitKind.DISCIPLINE:
            discipline_change_notify(actor=actor, unit=unit, kind="unit.discipline_changed",
                                     title=_("Discipline body created: %(name)s") % {"name": unit.name},
                                     body=f"{unit.code} · {actor}")
    return unit


def unit_update(*, actor: Any, unit: Unit, name: str | None = None, kind: str | None = None) -> Unit:
    """Rename a unit or change its kind."""
    ensure_may_manage(actor, unit)
    before = unit_snapshot(unit)
    problems = _unit_problems(name=None if name is None else name.strip(), kind=kind)
    if problems:
        raise UnitInvalid(problems)
    if name is not None:
        unit.name = name.strip()
    if kind is not None:
        _ensure_may_set_kind(actor, before["kind"], kind)
        unit.kind = kind
    with transaction.atomic():
        unit.save(update_fields=["name", "kind", "updated_at"])
        audit_record(actor=actor, action="units.unit_updated", obj=unit, before=before, after=unit_snapshot(unit))
        if UnitKind.DISCIPLINE in (before["kind"], unit.kind) and before["kind"] != unit.kind:
            discipline_change_notify(actor=actor, unit=unit, kind="unit.discipline_changed",
                                     title=_("A unit became or ceased to be a discipline body: %(name)s")
                                     % {"name": unit.name},
                                     body=f"{unit.code}: {before['kind']} → {unit.kind} · {actor}")
    return unit


def unit_retire(*, actor: Any, unit: Unit) -> Unit:
    """Retire a unit: it stays in the tree with its history but takes no new work."""
    ensure_may_manage(actor, unit)
    if not unit.is_active:
        raise ApplicationError("This unit is already retired.", code="unit_already_retired")
    before = unit_snapshot(unit)
    with transaction.atomic():
        unit.is_active = False
        unit.retired_at = timezone.now()
        unit.save(update_fields=["is_active", "retired_at", "updated_at"])
        audit_record(actor=actor, action="units.unit_retired", obj=unit, before=before, after=unit_snapshot(unit))
    return unit
