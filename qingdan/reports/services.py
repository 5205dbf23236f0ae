"""Writes of reports: subscriptions, and sending the weekly report to subscribers by e-mail."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingdan.audit.services import audit_record
from qingdan.core.actors import Actor
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.core.periods import Period, period_containing
from qingdan.reports.models import ReportFormat, Subscription
from qingdan.reports.render import CONTENT_TYPES, filename, render
from qingdan.reports.weekly import WeeklyReport, weekly_build
from qingdan.supervision.selectors import figure_scope
from qingdan.units.models import Unit


def subscription_create(*, actor: Actor, user: Any, unit: Unit, fmt: str = ReportFormat.PDF) -> Subscription:
    """Subscribe ``user`` to ``unit``'s weekly report; the unit must lie in the user's figure scope."""
    if fmt not in ReportFormat.values:
        raise ApplicationError(_("Unknown report format."), code="report_format")
    if not figure_scope(user).contains(unit):
        raise PermissionDenied(_("This unit's figures are outside the subscriber's scope."))
    if not getattr(user, "email", ""):
        raise ApplicationError(_("The subscriber has no e-mail address."), code="subscription_invalid")
    with transaction.atomic(durable=True):
        sub, _created = Subscription.objects.update_or_create(user=user, unit=unit, format=fmt,
                                                              defaults={"active": True})
        audit_record(actor=actor, action="reports.subscription_created", obj=sub, unit_path=unit.path,
                     after={"user": user.pk, "format": fmt})
    return sub


def last_full_week(today: datetime.date | None = None) -> Period:
    """The last complete ISO week (the report goes out on Monday about the week before)."""
    today = today or timezone.localdate()
    return period_containing("week", today - datetime.timedelta(days=7))


def weekly_send(*, week: Period | None = None) -> int:
    """E-mail the weekly report to every active subscriber not yet sent this week; return how many."""
    week = week or last_full_week()
    sent = 0
    subscriptions = (Subscription.objects.filter(active=True, user__is_active=True)
                     .exclude(last_sent_week=week.key).select_related("user", "unit"))
    # Many leaders subscribe to one unit: build each unit's report once and render each format once.
    reports: dict[int, WeeklyReport] = {}
    files: dict[tuple[int, str], bytes] = {}
    for sub in subscriptions:
        if not figure_scope(sub.user).contains(sub.unit):
            continue  # the subscriber lost the role: nothing leaves the building
        if sub.unit_id not in reports:
            reports[sub.unit_id] = weekly_build(unit=sub.unit, week=week)
        report = reports[sub.unit_id]
        if (sub.unit_id, sub.format) not in files:
            files[(sub.unit_id, sub.format)] = render(report, sub.format)
        message = EmailMessage(subject=report.title, body=report.sentence or report.title,
                               from_email=settings.DEFAULT_FROM_EMAIL, to=[sub.user.email])
        message.attach(filename(report, sub.format), files[(sub.unit_id, sub.format)],
                       CONTENT_TYPES[sub.format].split(";")[0])
        message.send()
        Subscription.objects.filter(pk=sub.pk).update(last_sent_week=week.key)
        sent += 1
    if sent:
        audit_record(actor="system", action="reports.weekly_sent", object_type="reports.subscription",
                     unit_path="", after={"week": week.key, "sent": sent})
    return sent
