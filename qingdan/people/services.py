"""Create staff accounts, grant and revoke roles, issue API tokens. All audited."""

from __future__ import annotations

import hashlib
import secrets
import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.people.models import ApiToken, RoleAssignment, User
from qingdan.units.choices import ADMIN_SITE_ROLES, MANAGE_ROLES, Role, UnitKind
from qingdan.units.models import Unit
from qingdan.units.permissions import may_grant_role, may_manage_user
from qingdan.units.scopes import forget_scope, may
from qingdan.units.services import discipline_change_notify

TOKEN_PREFIX = "qd_"  # noqa: S105 - a marker, not a secret


def _ensure_may_manage(actor: Actor, unit: Unit) -> None:
    if not may(actor, unit, MANAGE_ROLES):
        raise PermissionDenied("You may not manage people outside the part of the tree you manage.")


def ensure_may_manage_user(actor: Actor, target: User) -> None:
    """Refuse unless ``may_manage_user``: the one check every surface touching an account makes."""
    if not may_manage_user(actor, target):
        raise PermissionDenied("You may not manage this account: it holds rights outside or above your own.")


def user_deactivate(*, actor: Actor, user: User) -> User:
    """Switch an account off: it can no longer log in; its history stays."""
    ensure_may_manage_user(actor, user)
    acting = user_of(actor)
    if acting is not None and acting.pk == user.pk:
        raise ApplicationError("You may not deactivate your own account.", code="user_self_deactivate")
    with transaction.atomic(durable=True):
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit_record(actor=actor, action="people.user_deactivated", obj=user,
                     unit_path=user.home_unit.path if user.home_unit else "", before={"is_active": True},
                     after={"is_active": False})
    return user


def user_create(*, actor: Actor, username: str, home_unit: Unit, display_name: str = "", email: str = "",
                phone: str = "", password: str | None = None) -> User:
    """Create a staff account in ``home_unit``. Without a password the account cannot log in yet."""
    _ensure_may_manage(actor, home_unit)
    username = username.strip()
    if not username:
        raise ApplicationError("A username is required.", code="user_invalid")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(f"The username {username} is taken.", code="user_duplicate")
    user = User(username=username, display_name=display_name.strip(), email=email.strip(), phone=phone.strip(),
                home_unit=home_unit)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="password_weak") from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        audit_record(actor=actor, action="people.user_created", obj=user, unit_path=home_unit.path,
                     after={"username": user.username, "home_unit": home_unit.code})
    return user


def _sync_staff_flag(user: User) -> None:
    wants_admin_site = user.is_superuser or user.role_assignments.filter(role__in=ADMIN_SITE_ROLES).exists()
    if user.is_staff != wants_admin_site:
        user.is_staff = wants_admin_site
        user.save(update_fields=["is_staff"])


def role_grant(*, actor: Actor, user: User, role: str, unit: Unit) -> RoleAssignment:
    """Give ``user`` a role over ``unit`` and its subtree. Granting twice changes nothing."""
    if role not in Role.values:
        raise ApplicationError(f"Unknown role {role!r}.", code="role_invalid")
    _ensure_may_manage(actor, unit)
    if not may_grant_role(actor, unit, role):
        raise PermissionDenied("You may grant only roles below your own, on units you manage "
                               "(discipline bodies: superusers only).")
    ensure_may_manage_user(actor, user)
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, unit=unit, defaults={"granted_by": actor if getattr(actor, "pk", None) else None})
        if created:
            _sync_staff_flag(user)
            audit_record(actor=actor, action="people.role_granted", obj=assignment, unit_path=unit.path,
                         after={"user": user.username, "role": role, "unit": unit.code})
            if unit.kind == UnitKind.DISCIPLINE:
                discipline_change_notify(actor=actor, unit=unit, kind="unit.discipline_changed",
                                         title=_("A role on a discipline body was granted: %(name)s")
                                         % {"name": unit.name},
                                         body=f"{user.username} · {Role(role).label} · {_actor_name(actor)}")
    forget_scope(user)
    return assignment


def role_revoke(*, actor: Actor, assignment: RoleAssignment) -> None:
    """Take a role away."""
    _ensure_may_manage(actor, assignment.unit)
    user = assignment.user
    if not may_grant_role(actor, assignment.unit, assignment.role):
        raise PermissionDenied("You may revoke only roles you could have granted.")
    ensure_may_manage_user(actor, user)
    with transaction.atomic(durable=True):
        before = {"user": user.username, "role": assignment.role, "unit": assignment.unit.code}
        audit_record(actor=actor, action="people.role_revoked", obj=assignment, unit_path=assignment.unit.path,
                     before=before)
        assignment.delete()
        _sync_staff_flag(user)
    forget_scope(user)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue an API token for ``user``; return it and the key, which is shown only this once."""
    ensure_may_manage_user(actor, user)
    if not user.is_active:
        raise ApplicationError(_("The account %(user)s is deactivated: a token for it would be refused.") % {
            "user": user.username}, code="token_user_inactive")
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic(durable=True):
        token = ApiToken.objects.create(user=user, name=name.strip()[:80] or "token", prefix=key[:10],
                                        digest=_digest(key))
        audit_record(actor=actor, action="people.token_created", obj=token,
                     after={"user": user.username, "name": token.name, "prefix": token.prefix})
    return token, key


# The scopes computed for a token's user, kept per process: token id -> (expires at, user id, scopes).
# The token row and its user are read from the database on EVERY request (one indexed SELECT), so
# a revocation, a deleted token or a deactivated account is refused at once by every process, however
# it was made (service, admin, command, another machine). Only the scope — the unit paths the user's
# roles reach — is reused for TOKEN_SCOPE_SECONDS; a role change made in this process clears it at
# once (``token_cache_clear``, from people.signals), one made in another process within those seconds.
TOKEN_SCOPE_SECONDS = 10.0
_scope_cache: dict[int, tuple[float, int, dict]] = {}


def token_cache_clear() -> None:
    """Forget every scope cached for a token in this process (after a role change or a saved user)."""
    _scope_cache.clear()


def token_authenticate(key: str) -> User | None:
    """Return the active user owning an unrevoked token, or None; the database decides, every time."""
    if not key or not key.startswith(TOKEN_PREFIX) or len(key) > 100 or not key.isascii():
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(digest=_digest(key), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    user = token.user
    clock = time.monotonic()
    cached = _scope_cache.get(token.pk)
    if cached is None or cached[0] < clock or cached[1] != user.pk:
        if len(_scope_cache) > 10_000:  # bounded: many tokens seen once must not grow the process
            _scope_cache.clear()
        cached = (clock + TOKEN_SCOPE_SECONDS, user.pk, {})
        _scope_cache[token.pk] = cached
    # scope_for_user keeps its answers in this dict: the scope read by one request serves the next.
    user.__dict__["_qingdan_scopes"] = cached[2]
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)  # throttled: not a write per request
    return user


def token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token; every process refuses it from its next request (they read the token each time)."""
    ensure_may_manage_user(actor, token.user)
    with transaction.atomic(durable=True):
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is not None:
            raise ApplicationError(_("Token %(name)s (%(prefix)s…) is already revoked.") % {
                "name": locked.name, "prefix": locked.prefix}, code="token_revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="people.token_revoked", obj=locked,
                     after={"user": token.user.username, "name": locked.name, "prefix": locked.prefix})
    token.revoked_at = locked.revoked_at
    token_cache_clear()
    return token


def _actor_name(actor: Actor) -> str:
    """Name the actor in a notice: a person by username, a server command (``actor="demo"``) as the system."""
    return getattr(actor, "username", None) or str(_("the system"))
