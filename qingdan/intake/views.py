"""The operator desk and the staff list of submissions. Thin: parse, select through the scope, call a service.

The desk is for speed on the telephone: one form, keyboard only, the caller's earlier
submissions found by phone number, and after saving the code is shown and the form is empty
for the next call. Attachments leave only through ``attachment_download``, which checks the
reader's view of the submission; MEDIA_ROOT is never served.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from qingdan.core.errors import NotFound
from qingdan.intake import codes, desk
from qingdan.intake.choices import SubmissionKind
from qingdan.intake.errors import SubmissionInvalid
from qingdan.intake.forms import DeskForm, SubmissionFilterForm, new_idempotency_key
from qingdan.intake.models import Submission
from qingdan.intake.privacy import contact_for
from qingdan.intake.selectors import submission_get_for_user, submissions_by_phone_for_user
from qingdan.intake.services import normalise_phone, submission_create, submission_holder

PAGE_SIZE = 50
# Page order of the desk's fields: after an error the cursor goes to the first wrong one.
DESK_ORDER = ("phone", "name", "kind", "channel", "subject", "text", "unit", "place_text", "email")


def _earlier(request: HttpRequest, phone: str) -> tuple[list[Submission], bool]:
    """Return the caller's earlier submissions in the user's view, and whether a usable number was given."""
    try:
        number = normalise_phone(phone)
    except ValueError:
        return [], False
    return submissions_by_phone_for_user(request.user, phone=number), True


def _render_desk(request: HttpRequest, form: DeskForm, *, status: int = 200, lookup: bool = False,
                 searched: bool = False, saved: Submission | None = None) -> HttpResponse:
    data = form.data if form.is_bound else {}
    query = (data.get("unit_q") or "").strip()
    chosen = desk.desk_unit_get(request.user, code=data.get("unit") or "") if data.get("unit") else None
    if chosen is None and query and not searched:
        chosen = desk.desk_unit_resolve(request.user, query=query)  # what saving would take: show it chosen
    units = desk.desk_unit_search(request.user, query=query) if (searched or query) and not chosen else []
    if chosen is not None and chosen not in units:
        units = [chosen, *units]
    phone = (data.get("phone") or "").strip()
    earlier, usable = _earlier(request, phone) if (lookup or phone) else ([], False)
    return render(request, "intake/desk.html", {
        "form": form, "units": desk.unit_labels(units), "chosen": chosen, "searched": searched or bool(query),
        "default_unit": desk.desk_default_unit(request.user), "key": new_idempotency_key() if not form.is_bound
        else (form.key() or new_idempotency_key()), "earlier": earlier, "phone_checked": bool(phone),
        "phone_usable": usable, "saved": saved, "saved_display": codes.display(saved.tracking_code) if saved else "",
        "focus": next((f for f in DESK_ORDER if f in form.errors), "phone"),
    }, status=status)


def _require_desk(request: HttpRequest) -> None:
    if not desk.desk_allowed(request.user):
        raise PermissionDenied(_("The desk is for operators."))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def desk_view(request: HttpRequest) -> HttpResponse:
    """Type in a call, visit or slip; save it; get the code; start the next one."""
    _require_desk(request)
    if request.method != "POST":
        initial = {"channel": request.GET.get("channel") or DeskForm.base_fields["channel"].initial}
        saved = None
        if request.GET.get("saved"):
            try:
                saved = submission_get_for_user(request.user, code=request.GET["saved"])
            except NotFound:
                saved = None
        return _render_desk(request, DeskForm(initial=initial), saved=saved)

    form = DeskForm(request.POST)
    form.is_valid()
    action = request.POST.get("action", "save")
    if action == "lookup":
        return _render_desk(request, form, lookup=True)
    if action == "find_unit":
        return _render_desk(request, form, searched=True)

    data = form.cleaned_data
    unit = None
    if data.get("unit"):
        unit = desk.desk_unit_get(request.user, code=data["unit"])
        if unit is None:
            form.add_error("unit", _("This unit is not in your scope."))
    elif (data.get("unit_q") or "").strip():
        unit = desk.desk_unit_resolve(request.user, query=data["unit_q"])
        if unit is None:
            form.add_error("unit", _("Choose the unit from the list, or clear the search box."))
    target = submission_holder(kind=data.get("kind") or "", place=unit, default=desk.desk_default_unit(request.user))
    if target is None:
        form.add_error(None, _("You hold no operator role over an active unit."))
    if form.errors or target is None:
        return _render_desk(request, form, status=400)
    try:
        submission, _created = submission_create(
            actor=request.user, channel=data["channel"], kind=data["kind"], subject=data.get("subject") or "",
            text=data.get("text") or "", unit=target, place_unit=unit, place_text=data.get("place_text") or "",
            accused_unit=unit if data["kind"] == SubmissionKind.REPORT else None,
            anonymous=bool(data.get("anonymous")), name=data.get("name") or "", phone=data.get("phone") or "",
            email=data.get("email") or "", idempotency_key=form.key(),
        )
    except SubmissionInvalid as exc:
        form.add_service_errors(exc)
        return _render_desk(request, form, status=400)
    query = urlencode({"channel": data["channel"], "saved": submission.tracking_code})
    return redirect(f"{reverse('desk:desk')}?{query}")


@login_required
@require_GET
def caller(request: HttpRequest) -> HttpResponse:
    """Return the caller's earlier submissions (htmx asks when the phone field loses focus)."""
    _require_desk(request)
    phone = request.GET.get("phone", "").strip()[:30]
    earlier, usable = _earlier(request, phone)
    return render(request, "intake/_caller.html", {"earlier": earlier, "phone_checked": bool(phone),
                                                   "phone_usable": usable})


@login_required
@require_GET
def units(request: HttpRequest) -> HttpResponse:
    """Return the unit choices for a search inside the operator's scope (htmx, as the operator types)."""
    _require_desk(request)
    query = request.GET.get("unit_q", "").strip()
    found = desk.desk_unit_search(request.user, query=query) if query else []
    return render(request, "intake/_units.html", {"units": desk.unit_labels(found), "searched": bool(query),
                                                  "chosen": None})


@login_required
@require_GET
def submission_list(request: HttpRequest) -> HttpResponse:
    """List the submissions in the user's view, newest first, filtered by status, kind and channel."""
    filters = SubmissionFilterForm(request.GET or None)
    page = int(filters.value("page")) if filters.is_bound else 1
    rows = desk.submission_list_for_user(
        request.user, status=str(filters.value("status")) if filters.is_bound else "",
        kind=str(filters.value("kind")) if filters.is_bound else "",
        channel=str(filters.value("channel")) if filters.is_bound else "",
        offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "intake/submission_list.html", {
        "filters": filters, "rows": rows[:PAGE_SIZE], "page": page, "has_next": len(rows) > PAGE_SIZE,
        "query": params.urlencode(), "may_desk": desk.desk_allowed(request.user),
    })


@login_required
@never_cache
@require_GET
def submission_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show one submission with contacts as the user may see them, attachments and the whole timeline."""
    submission = submission_get_for_user(request.user, code=code)
    if code != submission.tracking_code:
        return redirect("desk:submission_detail", code=submission.tracking_code)
    return render(request, "intake/submission_detail.html", {
        "submission": submission, "display": codes.display(submission.tracking_code),
        "contact": contact_for(request.user, submission), "attachments": list(submission.attachments.all()),
        "events": list(desk.submission_events(submission)), "is_report": submission.kind == SubmissionKind.REPORT,
    })


@login_required
@never_cache
@require_GET
def attachment_download(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """Send an attachment to someone who may see its submission (images inline, PDF as a download)."""
    attachment = desk.attachment_get_for_user(request.user, code=code, pk=pk)
    return attachment.download()

