"""Import staff and their roles from CSV or XLSX: every bad row reported, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from qingdan.core.actors import Actor
from qingdan.core.errors import RowError, RowErrors
from qingdan.core.tabular import read_table
from qingdan.people.models import RoleAssignment, User
from qingdan.people.services import role_grant, user_create
from qingdan.units.choices import MANAGE_ROLES, ROLE_ALIASES, Role
from qingdan.units.models import Unit
from qingdan.units.permissions import may_grant_role, may_manage_user
from qingdan.units.scopes import GLOBAL, is_system, scope_for_user

COLUMNS = {
    "username": ["用户名", "账号", "登录名", "帐号"],
    "name": ["姓名", "display_name", "名字"],
    "unit": ["单位编码", "所属单位编码", "所属单位", "单位", "unit_code"],
    "role": ["角色"],
    "scope": ["管辖单位编码", "管辖单位", "scope_unit", "范围"],
    "phone": ["手机", "手机号", "电话", "联系电话"],
    "email": ["邮箱", "电子邮箱", "e-mail"],
}
# Checked here so a long value is a row error, not a database error (PostgreSQL enforces lengths).
_MAX_LENGTH = {column: User._meta.get_field(field).max_length  # type: ignore[union-attr]  # CharFields
               for column, field in (("name", "display_name"), ("phone", "phone"), ("email", "email"))}
_USERNAME_OK = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@.+-_")


@dataclass
class PeopleImportResult:
    """What a people file changed."""

    created: list[str] = field(default_factory=list)
    roles_granted: int = 0
    unchanged_roles: int = 0


def _parse_role(raw: str) -> str | None:
    value = raw.strip()
    if value.lower() in Role.values:
        return value.lower()
    return ROLE_ALIASES.get(value)


def _account_problems(row: Any, *, units: dict[str, Unit], manage: Any, errors: RowErrors) -> Unit | None:
    """Check a row's username and unit; return the unit when the row may place someone there."""
    username = row.get("username")
    if not username:
        errors.append(RowError(row.number, "username", "empty username"))
    elif len(username) > 150 or not set(username) <= _USERNAME_OK:
        errors.append(RowError(row.number, "username", "use letters, digits and @ . + - _ only"))
    unit = units.get(row.get("unit"))
    if not row.get("unit"):
        errors.append(RowError(row.number, "unit", "empty unit code"))
    elif unit is None:
        errors.append(RowError(row.number, "unit", f"unknown unit {row.get('unit')}"))
    elif not manage.contains(unit):
        errors.append(RowError(row.number, "unit", f"unit {unit.code} is outside the units you manage"))
    return unit


def _role_problems(row: Any, *, actor: Actor, units: dict[str, Unit], manage: Any,
                   errors: RowErrors) -> tuple[str | None, str, Unit | None]:
    """Check a row's role and the unit it covers; the actor may grant only what their own rights allow."""
    role = _parse_role(row.get("role"))
    if role is None:
        errors.append(RowError(row.number, "role", f"unknown role {row.get('role')!r}"))
    scope_code = row.get("scope") or row.get("unit")
    scope_unit = units.get(scope_code)
    if row.get("scope"):
        if scope_unit is None:
            errors.append(RowError(row.number, "scope", f"unknown unit {scope_code}"))
        elif not manage.contains(scope_unit):
            errors.append(RowError(row.number, "scope", f"unit {scope_code} is outside the units you manage"))
    if role and scope_unit is not None and manage.contains(scope_unit) and not may_grant_role(actor, scope_unit,
                                                                                                role):
        errors.append(RowError(row.number, "role", "only an administrator may make another administrator"
                               if role == Role.ADMIN else "you may grant only roles below your own "
                               "(discipline bodies: superusers only)"))
    return role, scope_code, scope_unit


def _field_problems(row: Any, errors: RowErrors) -> None:
    """Check lengths and the e-mail address here, so a bad value is a row error rather than a database error."""
    for column, limit in _MAX_LENGTH.items():
        if limit is not None and len(row.get(column)) > limit:
            errors.append(RowError(row.number, column, f"longer than {limit} characters"))
    if row.get("email"):
        try:
            validate_email(row.get("email"))
        except ValidationError:
            errors.append(RowError(row.number, "email", "not an e-mail address"))


def _existing_problems(people: dict[str, dict[str, Any]], existing: dict[str, User], *, actor: Actor, manage: Any,
                       errors: RowErrors) -> None:
    """An existing account stays in its unit and may be changed only by someone who may manage it."""
    for key, person in people.items():
        user = existing.get(key)
        if user is None:
            continue
        if user.home_unit_id and user.home_unit_id != person["unit"].pk:
            errors.append(RowError(person["row"], "unit", f"{person['username']} exists in another unit"))
        if user.home_unit and not manage.contains(user.home_unit):
            errors.append(RowError(person["row"], "username",
                                   f"{person['username']} belongs to a unit outside your scope"))
        elif not may_manage_user(actor, user):
            errors.append(RowError(person["row"], "username",
                                   f"{person['username']} holds rights outside or above your own"))


def people_import(*, actor: Actor, source: str | Path | bytes) -> PeopleImportResult:
    """Create staff accounts and grant roles. One row is one role; a person may have several rows.

    The role covers the ``scope`` unit's subtree, or the person's own unit when no scope is given.
    New accounts get no password: they set one through the reset link or an administrator.
    """
    table = read_table(source, COLUMNS, required=["username", "unit", "role"])
    errors = RowErrors()
    codes = {r.get("unit") for r in table.rows} | {r.get("scope") for r in table.rows if r.get("scope")}
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    manage = GLOBAL if is_system(actor) else scope_for_user(actor, roles=MANAGE_ROLES)
    people: dict[str, dict[str, Any]] = {}
    grants: list[tuple[str, str, str, int]] = []
    for row in table.rows:
        username = row.get("username")
        unit = _account_problems(row, units=units, manage=manage, errors=errors)
        role, scope_code, scope_unit = _role_problems(row, actor=actor, units=units, manage=manage, errors=errors)
        _field_problems(row, errors)
        if not username or unit is None:
            continue
        seen = people.get(username.lower())
        if seen is None:
            people[username.lower()] = {"username": username, "unit": unit, "name": row.get("name"),
                                         "phone": row.get("phone"), "email": row.get("email"), "row": row.number}
        elif seen["unit"].pk != unit.pk:
            errors.append(RowError(row.number, "unit",
                                   f"{username} is already placed in {seen['unit'].code} on row {seen['row']}"))
        if role and scope_unit is not None:
            grants.append((username.lower(), role, scope_code, row.number))

    # Usernames are unique whatever their case (user_create checks iexact): match them the same way.
    existing: dict[str, User] = {u.username.lower(): u for u in User.objects.select_related("home_unit")
                .annotate(username_lower=Lower("username")).filter(username_lower__in=list(people))}
    _existing_problems(people, existing, actor=actor, manage=manage, errors=errors)
    errors.reject_if_any()

    result = PeopleImportResult()
    with transaction.atomic():
        accounts: dict[str, User] = {}
        for key, person in people.items():
            user = existing.get(key)
            if user is None:
                user = user_create(actor=actor, username=person["username"], home_unit=person["unit"],
                                   display_name=person["name"], email=person["email"], phone=person["phone"])
                result.created.append(user.username)
            accounts[key] = user
        for key, role, scope_code, _row in grants:
            user = accounts[key]
            if RoleAssignment.objects.filter(user=user, role=role, unit=units[scope_code]).exists():
                result.unchanged_roles += 1
                continue
            role_grant(actor=actor, user=user, role=role, unit=units[scope_code])
            result.roles_granted += 1
    return result
