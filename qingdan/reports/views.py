"""Download a unit's weekly report (HTML, XLSX or PDF) from its dashboard."""

from __future__ import annotations

from csp.constants import HEADER
from csp.utils import build_policy
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from qingdan.core.downloads import harden_download
from qingdan.core.errors import NotFound
from qingdan.reports.render import CONTENT_TYPES, filename, render, style_source
from qingdan.reports.services import last_full_week
from qingdan.reports.weekly import weekly_build
from qingdan.supervision.periods import period_parse
from qingdan.supervision.selectors import unit_get_for_figures


@login_required
@require_GET
def weekly(request: HttpRequest, code: str) -> HttpResponse:
    """The weekly report of a unit in the reader's scope; ``?week=2026-W47&format=pdf``."""
    try:
        unit = unit_get_for_figures(user=request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    # A week that cannot be read is a 400 with its message (the page middleware renders it).
    week = period_parse(request.GET["week"], name="week") if request.GET.get("week", "").strip() else last_full_week()
    fmt = request.GET.get("format", "html")
    if fmt not in CONTENT_TYPES:
        fmt = "html"
    report = weekly_build(unit=unit, week=week)
    response = HttpResponse(render(report, fmt), content_type=CONTENT_TYPES[fmt])
    if fmt != "html":
        harden_download(response, filename=filename(report, fmt))
    else:
        # The site's policy, plus the hash of the report's own <style> (reports.render.style_source).
        response[HEADER] = build_policy(update={"style-src": [style_source()]})
    return response
