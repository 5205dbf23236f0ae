"""Login lock-out: per (account, address) by django-axes, plus a per-account ceiling across addresses.

django-axes locks one username from one client address (``AXES_LOCKOUT_PARAMETERS``) after
``AXES_FAILURE_LIMIT`` failures, so a stranger cannot lock a colleague out from the colleague's
own desk. Against guessing from many addresses, ``account_lock_remaining`` adds a ceiling for
the account as a whole: past ``QINGDAN_LOGIN_ACCOUNT_CEILING`` failures within
``QINGDAN_LOGIN_ACCOUNT_WINDOW_HOURS``, each further attempt waits a delay that doubles with
every failure (capped). Both locks are audited and notified.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.clientip import client_ip
from qingdan.notifications.services import notify
from qingdan.people.models import User


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def account_failures(username: str) -> tuple[int, dt.datetime | None]:
    """Return the account's failures within the window, over every address, and the latest time."""
    since = timezone.now() - dt.timedelta(hours=_setting("QINGDAN_LOGIN_ACCOUNT_WINDOW_HOURS", 24))
    row = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        total=Sum("failures_since_start"), last=Max("attempt_time"))
    return int(row["total"] or 0), row["last"]


def account_delay(failures: int) -> dt.timedelta | None:
    """Return the wait imposed after ``failures`` failures of one account: none below the ceiling."""
    ceiling = _setting("QINGDAN_LOGIN_ACCOUNT_CEILING", 30)
    if failures < ceiling:
        return None
    base = _setting("QINGDAN_LOGIN_ACCOUNT_DELAY_SECONDS", 60)
    cap = _setting("QINGDAN_LOGIN_ACCOUNT_DELAY_MAX_SECONDS", 6 * 3600)
    return dt.timedelta(seconds=min(base * 2 ** min(failures - ceiling, 20), cap))


def account_lock_remaining(username: str) -> dt.timedelta | None:
    """Return how long the account still waits before any address may try it, or None."""
    failures, last = account_failures(username)
    delay = account_delay(failures)
    if delay is None or last is None:
        return None
    remaining = last + delay - timezone.now()
    return remaining if remaining.total_seconds() > 0 else None


def _record_lock(*, username: str, ip: str, reason: str) -> None:
    """Audit every lock; notify the account's owner once per lock period."""
    audit_record(actor="anonymous", action="people.login_locked", object_type="people.user",
                 object_id=username[:64], after={"ip": ip, "reason": reason})
    owner = User.objects.filter(username=username, is_active=True).first()
    minutes = max(1, int(_setting("QINGDAN_LOGIN_COOLOFF_MINUTES_NOTIFY", 15)))
    if owner is not None and cache.add(f"qingdan:lock-notified:{reason}:{owner.pk}", 1, timeout=minutes * 60):
        notify(recipients=[owner], kind="people.login_locked", title=_("Your account's logins are locked for a while"),
               body=_("Too many failed logins (%(reason)s) from address %(ip)s. If this was not you, tell an "
                      "administrator.") % {"reason": reason, "ip": ip},
               unit_path=owner.home_unit.path if owner.home_unit else "")


class AccountCeilingBackend:
    """Refuse any password for an account past its ceiling, before a hash is even checked.

    No get_user on purpose: force_login and sessions then pick ModelBackend. Raising axes'
    PermissionDenied stops Django trying the other backends, and marking the request makes
    axes' middleware answer with the lock page.
    """

    def authenticate(self, request: Any, username: str | None = None, password: str | None = None,
                     **kwargs: Any) -> None:
        if not username or request is None:
            return None
        remaining = account_lock_remaining(username)
        if remaining is None:
            return None
        request.axes_locked_out = True
        _record_lock(username=username, ip=client_ip(request), reason="account_ceiling")
        raise AxesBackendPermissionDenied("This account is waiting out too many failed logins.")


def _on_axes_lock(sender: Any, request: Any = None, username: str | None = None,
                  ip_address: str | None = None, **kwargs: Any) -> None:
    _record_lock(username=username or "", ip=ip_address or "", reason="account_address")


def connect() -> None:
    """Hook the audit and notification to axes' lock signal (called from PeopleConfig.ready)."""
    from axes.signals import user_locked_out  # noqa: PLC0415 (axes' signals need the app registry (connected from ready()))

    receiver(user_locked_out, dispatch_uid="qingdan_login_locked")(_on_axes_lock)
