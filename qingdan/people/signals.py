"""Record logins, logouts and failed logins in the audit trail; drop cached API tokens when people change."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from qingdan.audit.services import audit_record
from qingdan.core.clientip import client_ip
from qingdan.people.services import token_cache_clear


def _client(request: Any) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": client_ip(request), "agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="qingdan_audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Audit each login with the client's address: logins are among the events the trail must hold."""
    audit_record(actor=user, action="people.login", obj=user, after=_client(request))


@receiver(user_logged_out, dispatch_uid="qingdan_audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Audit a logout; a session that ended without a user has nobody to record."""
    if user is not None:
        audit_record(actor=user, action="people.logout", obj=user, after=_client(request))


@receiver(user_login_failed, dispatch_uid="qingdan_audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # Only the username: never the password, which Django already masks in ``credentials``.
    """Audit a failed login under the username tried, so guessing and lock-outs can be traced afterwards."""
    audit_record(actor="anonymous", action="people.login_failed", object_type="people.user",
                 object_id=str(credentials.get("username", ""))[:64], after=_client(request))


@receiver(post_save, sender="people.User", dispatch_uid="qingdan_tokens_user_saved")
@receiver(post_delete, sender="people.User", dispatch_uid="qingdan_tokens_user_deleted")
@receiver(post_save, sender="people.ApiToken", dispatch_uid="qingdan_tokens_token_saved")
@receiver(post_delete, sender="people.ApiToken", dispatch_uid="qingdan_tokens_token_deleted")
@receiver(post_save, sender="people.RoleAssignment", dispatch_uid="qingdan_tokens_role_saved")
@receiver(post_delete, sender="people.RoleAssignment", dispatch_uid="qingdan_tokens_role_deleted")
def forget_cached_tokens(sender: Any, **kwargs: Any) -> None:
    """A user, token or role changed: cached bearer tokens (and the scopes they carry) may be stale."""
    token_cache_clear()
