"""Tell staff and outside systems what happened: the inbox, e-mail, and signed webhooks.

``notify`` is the one call the rest of the code makes. In the caller's transaction it writes one
inbox row per recipient and one outbox row per matching webhook endpoint; after commit it
enqueues the e-mail and the webhook POSTs, so a rolled-back change never notifies anyone and a
slow receiver never holds a transaction open.

Nothing that leaves the system (e-mail, webhook) carries contact details: titles, bodies and
payloads are passed through ``qingdan.core.logging.redact`` and payload keys naming contact
fields are dropped (see ``qingdan.intake.privacy`` for who may see them inside the system).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import re
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor, user_of
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.core.logging import redact
from qingdan.notifications import signing
from qingdan.notifications.choices import DeliveryStatus
from qingdan.notifications.models import Notification, NotificationPreference, WebhookDelivery, WebhookEndpoint
from qingdan.notifications.selectors import email_wanted, notification_get_for_user
from qingdan.notifications.tasks import notification_email_task, webhook_deliver_task
from qingdan.units.choices import MANAGE_ROLES
from qingdan.units.models import Unit
from qingdan.units.scopes import may

logger = logging.getLogger(__name__)

KIND_PATTERN = re.compile(r"^[a-z][a-z0-9_.:-]{0,63}$")
# Payload keys that name a person's contact details: dropped before anything leaves the system.
CONTACT_KEY_PATTERN = re.compile(r"phone|mobile|tel|email|e_mail|submitter|contact|id_card|idcard|reporter",
                                 re.IGNORECASE)
# Seconds to wait before attempt 2, 3, …; after the last, the delivery is marked failed.
DEFAULT_BACKOFF = (60, 300, 1800, 7200, 21600, 43200)


# --- the one entry point ----------------------------------------------------------------------

def notify(*, recipients: Iterable[Any], kind: str, title: str, body: str = "", url: str = "",
           object_type: str = "", object_id: str = "", unit_path: str = "",
           payload: dict | None = None) -> list[Notification]:
    """Write an inbox row per active recipient and queue e-mail and webhooks for after commit.

    ``kind`` is a dotted event name such as ``item.dispatched`` (webhooks subscribe by it);
    ``unit_path`` places the event in the tree (webhook endpoints of that unit and its
    ancestors receive it; without one no webhook fires). ``url`` is a site path such as
    ``/items/42/``. Returns the rows written (one event id shared by all of them).
    """
    if not KIND_PATTERN.match(kind or ""):
        raise ApplicationError(_("A notification kind is a lower-case dotted name, like item.dispatched."),
                               code="notification_invalid")
    title = (title or "").strip()
    if not title:
        raise ApplicationError(_("A notification needs a title."), code="notification_invalid")
    # Through JSON once: refuses what cannot be stored, now rather than later, and stores what reads back.
    payload = json.loads(json.dumps(dict(payload or {}), cls=DjangoJSONEncoder))
    people = {user.pk: user for user in recipients if getattr(user, "is_active", False)}
    event_id = uuid.uuid4()
    fields = {"event_id": event_id, "kind": kind, "title": title[:200], "body": body or "", "url": url[:500],
              "object_type": object_type[:64], "object_id": str(object_id)[:64], "unit_path": unit_path or "",
              "payload": payload}
    with transaction.atomic():
        rows = Notification.objects.bulk_create([Notification(recipient_id=pk, **fields) for pk in people])
        deliveries = _outbox(event_id=event_id, fields=fields)
        to_email = email_wanted(list(people.values()))
        email_ids = [row.pk for row in rows if row.recipient_id in to_email]
        delivery_ids = [delivery.pk for delivery in deliveries]
        transaction.on_commit(lambda: _enqueue(email_ids, delivery_ids))
    return rows


def _enqueue(email_ids: list[int], delivery_ids: list[int]) -> None:
    """Hand the work to the task queue; a broker outage leaves webhooks for ``webhook_deliver_due``."""
    try:
        if email_ids:
            notification_email_task.enqueue(email_ids)
        for delivery_id in delivery_ids:
            webhook_deliver_task.enqueue(delivery_id)
    except Exception:
        logger.exception("could not enqueue notification delivery; webhooks stay due for the retry sweep")


# --- e-mail ------------------------------------------------------------------------------------

def site_url(path: str) -> str:
    """Return an absolute link for a site path (QINGDAN_SITE_URL), leaving absolute URLs alone."""
    if not path or urlsplit(path).scheme:
        return path
    base = str(getattr(settings, "QINGDAN_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def notification_email_send(*, notification_ids: list[int]) -> int:
    """E-mail each notification not yet e-mailed to its recipient, if they still want e-mail.

    One message per recipient (never a shared To: line), in the site's language (Chinese by
    default), contact details redacted. Returns the number sent.
    """
    rows = list(Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
                .select_related("recipient"))
    wanted = email_wanted([row.recipient for row in rows])
    rows = [row for row in rows if row.recipient_id in wanted]
    if not rows:
        return 0
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            context = {"title": redact(row.title), "body": redact(row.body), "link": site_url(row.url),
                       "inbox": site_url("/inbox/"), "recipient": row.recipient}
            subject = _("[qingdan] %(title)s") % {"title": context["title"]}
            text = render_to_string("notifications/email.txt", context)
            messages.append(EmailMessage(subject=subject.replace("\n", " ")[:200], body=text,
                                         to=[row.recipient.email]))
    sent = get_connection().send_messages(messages) or 0
    Notification.objects.filter(pk__in=[row.pk for row in rows]).update(emailed_at=timezone.now())
    return sent


# --- webhooks: the outbox ------------------------------------------------------------------------

def _ancestor_paths(unit_path: str, steplen: int = 4) -> list[str]:
    return [unit_path[:end] for end in range(steplen, len(unit_path) + 1, steplen)]


def scrub(value: Any) -> Any:
    """Return ``value`` without contact details: contact-named keys dropped, strings redacted."""
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items() if not CONTACT_KEY_PATTERN.search(str(key))}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return redact(value)
    return value


def _outbox(*, event_id: uuid.UUID, fields: dict[str, Any]) -> list[WebhookDelivery]:
    """Write one pending delivery per active endpoint of the event's unit or an ancestor."""
    unit_path = fields["unit_path"]
    if not unit_path:
        return []
    endpoints = [endpoint for endpoint in WebhookEndpoint.objects.filter(
        is_active=True, unit__path__in=_ancestor_paths(unit_path)) if endpoint.wants(fields["kind"])]
    if not endpoints:
        return []

    unit = Unit.objects.filter(path=unit_path).values("code", "name").first()
    document = {
        "event": str(event_id),
        "kind": fields["kind"],
        "created_at": timezone.now().isoformat(),
        "title": redact(fields["title"]),
        "body": redact(fields["body"]),
        "url": site_url(fields["url"]),
        "object": {"type": fields["object_type"], "id": fields["object_id"]},
        "unit": unit,
        "data": scrub(fields["payload"]),
    }
    body = json.dumps(document, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    now = timezone.now()
    return WebhookDelivery.objects.bulk_create([
        WebhookDelivery(endpoint=endpoint, event_id=event_id, kind=fields["kind"], body=body, next_try=now)
        for endpoint in endpoints])


# --- webhooks: sending ---------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: a receiver that moves must be re-registered, not followed blindly."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect, urllib.request.ProxyHandler({}))


def _internal_address(host: str, port: int) -> str:
    """The first address ``host`` resolves to that is not public (loopback, private, link-local…), or "".

    A webhook URL is typed by an organizer; without this check it could make the server post to
    its own database port or the cloud's metadata address (server-side request forgery).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return ""  # unresolvable: the POST fails and says so
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            return str(address)
    return ""


def _post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST once; return (status code or None, error text or "")."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None, "only http and https URLs are allowed"
    if not getattr(settings, "QINGDAN_WEBHOOK_ALLOW_PRIVATE", False):
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return None, "invalid port"
        internal = _internal_address(parts.hostname or "", port)
        if internal:
            return None, f"refused: {parts.hostname} is an internal address ({internal})"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - scheme checked
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            response.read(65536)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        exc.close()
        reason = "redirect not followed" if 300 <= exc.code < 400 else f"HTTP {exc.code}"
        return exc.code, reason
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        cause = getattr(exc, "reason", None) or exc
        return None, str(cause)[:500] or exc.__class__.__name__


def _backoff() -> tuple[int, ...]:
    return tuple(getattr(settings, "QINGDAN_WEBHOOK_BACKOFF", DEFAULT_BACKOFF))


def webhook_delivery_attempt(*, delivery_id: int, now: dt.datetime | None = None) -> WebhookDelivery | None:
    """Try one delivery once, if it is due and no other worker holds it; record the outcome.

    The claim is one conditional UPDATE that pushes ``next_try`` past the request's timeout, so
    two workers never send the same delivery at once and a crashed worker's claim expires.
    Returns the delivery, or None when it was not due or already taken.
    """
    now = now or timezone.now()
    timeout = float(getattr(settings, "QINGDAN_WEBHOOK_TIMEOUT", 5))
    claimed = WebhookDelivery.objects.filter(
        Q(next_try__isnull=True) | Q(next_try__lte=now), pk=delivery_id, status=DeliveryStatus.PENDING,
    ).update(next_try=now + dt.timedelta(seconds=timeout * 3 + 30))
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = time.monotonic()
    if endpoint.is_active:
        raw = delivery.body.encode("utf-8")
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "qingdan-webhooks/1",
            "X-Qingdan-Event": delivery.kind,
            "X-Qingdan-Delivery": str(delivery.delivery_id),
            signing.HEADER: signing.sign(endpoint.secret, raw),
        }
        status_code, error = _post(endpoint.url, raw, headers, timeout)
    else:
        status_code, error = None, "endpoint deactivated"
    finished = timezone.now()
    delivery.attempts += 1
    delivery.last_status_code = status_code
    delivery.last_error = error[:500]
    delivery.log = [*delivery.log, {"at": finished.isoformat(), "status_code": status_code, "error": error[:200],
                                    "ms": round((time.monotonic() - started) * 1000)}][-20:]
    backoff = _backoff()
    if status_code is not None and 200 <= status_code < 300:
        delivery.status, delivery.delivered_at, delivery.next_try = DeliveryStatus.DELIVERED, finished, None
    elif not endpoint.is_active or delivery.attempts > len(backoff):
        delivery.status, delivery.next_try = DeliveryStatus.FAILED, None
    else:
        delivery.next_try = now + dt.timedelta(seconds=backoff[delivery.attempts - 1])
    delivery.save(update_fields=["attempts", "last_status_code", "last_error", "log", "status", "delivered_at",
                                 "next_try"])
    if delivery.status == DeliveryStatus.FAILED:
        logger.warning("webhook delivery %s to endpoint %s failed after %s attempts: %s",
                       delivery.delivery_id, endpoint.pk, delivery.attempts, error)
    return delivery


def webhook_deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come; return how many were attempted.

    The safety net behind the queue: run by ``qingdan webhooks_retry`` (cron or ``--loop``), it
    also sends retries when the task engine cannot defer a task.
    """
    now = now or timezone.now()
    due = list(WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_try__lte=now)
               .order_by("next_try").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in due if webhook_delivery_attempt(delivery_id=pk, now=now) is not None)


# --- the inbox -----------------------------------------------------------------------------------

def notification_mark_read(*, user: Any, notification_id: int) -> Notification:
    """Mark one of the user's own notifications read (idempotent). Personal state: not audited."""
    row = notification_get_for_user(user, notification_id=notification_id)
    if row.read_at is None:
        row.read_at = timezone.now()
        Notification.objects.filter(pk=row.pk, read_at__isnull=True).update(read_at=row.read_at)
    return row


def notification_mark_all_read(*, user: Any) -> int:
    """Mark all of the user's unread notifications read; return how many changed."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_set(*, user: Any, email_enabled: bool) -> NotificationPreference:
    """Opt the user in to or out of e-mail copies of their notifications."""
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"email_enabled": bool(email_enabled)})
    return preference


# --- webhook endpoints (organizers) -------------------------------------------------------------

def _ensure_manages(actor: Actor, unit: Any) -> None:
    if not may(actor, unit, MANAGE_ROLES):
        raise PermissionDenied(_("You may manage webhooks only for units you manage."))


def _clean_kinds(kinds: Iterable[str]) -> list[str]:
    cleaned = sorted({kind.strip() for kind in kinds if kind and kind.strip()})
    bad = [kind for kind in cleaned if not KIND_PATTERN.match(kind)]
    if bad:
        raise ApplicationError(_("Unknown event kind: %(kinds)s.") % {"kinds": ", ".join(bad)},
                               code="webhook_invalid")
    return cleaned


def _clean_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ApplicationError(_("A webhook URL starts with https:// (or http://)."), code="webhook_invalid")
    return url


def _endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    return {"name": endpoint.name, "url": endpoint.url, "kinds": endpoint.kinds, "is_active": endpoint.is_active,
            "unit": endpoint.unit.code}  # never the secret


def new_secret() -> str:
    """Return a fresh signing secret."""
    return "whsec_" + secrets.token_urlsafe(32)


def webhook_endpoint_create(*, actor: Actor, unit: Any, name: str, url: str, kinds: Iterable[str] = (),
                            is_active: bool = True) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint for ``unit``'s subtree; return it and its secret (show it once)."""
    _ensure_manages(actor, unit)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the receiving system."), code="webhook_invalid")
    secret = new_secret()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            unit=unit, name=name[:80], url=_clean_url(url), secret=secret, kinds=_clean_kinds(kinds),
            is_active=is_active, created_by=user_of(actor))
        audit_record(actor=actor, action="notifications.webhook_created", obj=endpoint,
                     after=_endpoint_snapshot(endpoint))
    return endpoint, secret


def webhook_endpoint_update(*, actor: Actor, endpoint: WebhookEndpoint, name: str | None = None,
                            url: str | None = None, kinds: Iterable[str] | None = None,
                            is_active: bool | None = None) -> WebhookEndpoint:
    """Change an endpoint's name, URL, subscribed kinds or switch it off."""
    _ensure_manages(actor, endpoint.unit)
    before = _endpoint_snapshot(WebhookEndpoint.objects.select_related("unit").get(pk=endpoint.pk))
    if name is not None:
        if not name.strip():
            raise ApplicationError(_("Name the receiving system."), code="webhook_invalid")
        endpoint.name = name.strip()[:80]
    if url is not None:
        endpoint.url = _clean_url(url)
    if kinds is not None:
        endpoint.kinds = _clean_kinds(kinds)
    if is_active is not None:
        endpoint.is_active = is_active
    with transaction.atomic():
        endpoint.save(update_fields=["name", "url", "kinds", "is_active"])
        audit_record(actor=actor, action="notifications.webhook_updated", obj=endpoint, before=before,
                     after=_endpoint_snapshot(endpoint))
    return endpoint


def webhook_endpoint_rotate_secret(*, actor: Actor, endpoint: WebhookEndpoint) -> str:
    """Give an endpoint a new secret; the old one stops working at once. Return the new one."""
    _ensure_manages(actor, endpoint.unit)
    secret = new_secret()
    with transaction.atomic():
        endpoint.secret = secret
        endpoint.save(update_fields=["secret"])
        audit_record(actor=actor, action="notifications.webhook_secret_rotated", obj=endpoint,
                     after={"unit": endpoint.unit.code, "name": endpoint.name})
    return secret
