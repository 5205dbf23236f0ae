"""A unit's weekly report: a page of the site (week picker, archive, navigation), or the file (HTML, XLSX, PDF).

``?format=html`` is the report itself, one self-contained file (what is mailed and printed);
without a format the same report sits in the site's page, with the weeks that have data.
"""

from __future__ import annotations

import datetime

from csp.constants import HEADER
from csp.utils import build_policy
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render as render_page
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from qingdan.core.downloads import harden_download
from qingdan.core.errors import NotFound, PermissionDenied
from qingdan.core.periods import period_containing, period_parse
from qingdan.reports.render import CONTENT_TYPES, filename, render, style_source
from qingdan.reports.selectors import week_to_open, weeks_with_data
from qingdan.reports.services import last_full_week
from qingdan.reports.weekly import weekly_build
from qingdan.supervision.selectors import unit_get_for_figures
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_get_for_user


def _unit(request: HttpRequest, code: str) -> Unit:
    """The unit if the reader may read its figures; 403 saying why if it is merely theirs; 404 otherwise.

    The report is made of the subtree's figures, so it follows the figures' rule (supervisors,
    organizers, leaders, administrators: ``supervision.selectors.FIGURE_ROLES``). A handler of
    the unit knows the unit exists; they are told in words that the report is not theirs to read
    and where their work is, rather than "not found". A unit outside every role stays unnamed.
    """
    try:
        return unit_get_for_figures(user=request.user, code=code)
    except NotFound as exc:
        try:
            unit = unit_get_for_user(request.user, code=code)  # theirs, by any role
        except NotFound:
            raise Http404(exc.message) from exc
        raise PermissionDenied(_(
                "The weekly report of %(unit)s is read by its supervisors, organizers, leaders and "
                "administrators; your role in this unit is not one of them. Your unit's items are under "
                "「Items」; to read the report, ask your unit's organizer for one of those roles.")
                % {"unit": unit.name}) from exc


@login_required
@require_GET
def weekly(request: HttpRequest, code: str) -> HttpResponse:
    """The weekly report of a unit in the reader's scope; ``?week=2026-W47&format=pdf``.

    Without ``week`` it opens on the last full week if it had data, else the newest week that had
    (``week_to_open``): a quiet Monday must not greet the reader with a page of zeros.
    """
    unit = _unit(request, code)
    fmt = request.GET.get("format", "")
    page = fmt not in CONTENT_TYPES
    typed = request.GET.get("week", "").strip()
    # A week that cannot be read is a 400 with its message (the page middleware renders it).
    week = period_parse(typed, name="week") if typed else None
    weeks = weeks_with_data(unit=unit) if page or week is None else []
    report = weekly_build(unit=unit, week=week or week_to_open(weeks, last_full_week()))
    if page:
        following = period_containing("week", report.week.end + datetime.timedelta(days=1))
        return render_page(request, "reports/weekly_page.html", {
            "report": report, "unit": unit, "weeks": weeks, "week": report.week,
            "previous": report.week.previous(),
            "next": following if following.start <= timezone.localdate() else None})
    response = HttpResponse(render(report, fmt), content_type=CONTENT_TYPES[fmt])
    if fmt != "html":
        harden_download(response, filename=filename(report, fmt))
    else:
        # The site's policy, plus the hash of the report's own <style> (reports.render.style_source).
        response[HEADER] = build_policy(update={"style-src": [style_source()]})
    return response
