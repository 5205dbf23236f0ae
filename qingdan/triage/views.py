"""The operator's view of triage on a submission: category, place, hot issue and units to send it to.

A fragment the submission page loads (htmx) — and a plain page without JavaScript. Reading
goes through intake's scoped selector; the correction is ``services.triage_correct`` (audited,
and used by the next training). The units are ``routing.route_suggest``'s top three with
their reasons, so the operator sees why before dispatching.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingdan.core.errors import ApplicationError
from qingdan.intake.selectors import submission_get_for_user
from qingdan.triage.routing import route_suggest
from qingdan.triage.selectors import triage_for_submission
from qingdan.triage.services import categories, triage_correct


@login_required
@require_http_methods(["GET", "POST"])
def suggestion(request: HttpRequest, code: str) -> HttpResponse:
    submission = submission_get_for_user(request.user, code=code)
    error = ""
    if request.method == "POST":
        try:
            triage_correct(actor=request.user, submission=submission, category=request.POST.get("category", ""))
            if not request.headers.get("HX-Request"):
                messages.success(request, _("Category saved."))
                return redirect("desk:submission_detail", code=submission.tracking_code)
        except ApplicationError as exc:
            error = exc.message
    triage = triage_for_submission(submission)
    reasons = [r if isinstance(r, str) else str(r[0] if isinstance(r, list | tuple) else r)
               for r in (triage.reasons if triage else [])][:8]
    template = "triage/_suggestion.html" if request.headers.get("HX-Request") else "triage/suggestion_page.html"
    return render(request, template, {
        "submission": submission, "triage": triage, "reasons": reasons, "categories": categories(),
        "error": error, "hot_issue": triage.hot_issue if triage else None,
        "suggestions": route_suggest(submission=submission) if triage else [],
    }, status=400 if error else 200)
