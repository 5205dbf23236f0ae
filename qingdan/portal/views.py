"""Public pages: submit, receipt, track. Plain HTML forms that work without JavaScript.

Thin views: parse the form, read through the portal and intake selectors, write through the
intake services, render. Every write redirects (post/redirect/get) so a refresh never posts
twice; the idempotency key in the form catches the double click that comes before the
redirect. Nothing here stores the client's address: rate limits count in the cache only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingdan.core.downloads import harden_download
from qingdan.core.errors import NotFound
from qingdan.core.files import MAX_FILES
from qingdan.dockets.services import submission_rate
from qingdan.intake import codes
from qingdan.intake.choices import RATEABLE_STATUSES, Channel, EventKind, SubmissionKind, SubmissionStatus
from qingdan.intake.errors import SubmissionInvalid, SubmissionStateError, TrackingCodeMistyped
from qingdan.intake.models import Submission
from qingdan.intake.selectors import public_timeline, submission_get_public
from qingdan.intake.services import (
    normalise_phone,
    submission_add_info,
    submission_create,
    submission_holder,
)
from qingdan.portal import pending, ratelimits, selectors, uploads
from qingdan.portal.forms import InfoForm, RatingForm, SubmissionForm, TrackForm, new_idempotency_key

RECEIPT_SALT = "qingdan.portal.receipt"
RECEIPT_MAX_AGE = 7 * 24 * 3600
# Page order of the form's fields: after an error the cursor goes to the first wrong one.
SUBMIT_ORDER = ("kind", "subject", "text", "place", "place_text", "attachments", "name", "phone", "email")
CLOSED = frozenset({SubmissionStatus.CLOSED, SubmissionStatus.REJECTED})
# On a report's page only the submitter's own words and the answer are shown: a dispatch or a
# note could name the unit reported.
REPORT_EVENT_TEXT = frozenset({EventKind.INFO_ADDED, EventKind.REPLIED, EventKind.RATED})


# --- submit --------------------------------------------------------------------------------

def _labelled(units: list) -> list[tuple[Any, str]]:
    labels = selectors.place_labels(units)
    return [(unit, labels.get(unit.pk, unit.name)) for unit in units]


def _render_submit(request: HttpRequest, form: SubmissionForm, *, status: int = 200,
                   searched: bool = False, kept: list | None = None) -> HttpResponse:
    data = form.data if form.is_bound else {}
    query = (data.get("place_q") or "").strip()
    chosen = selectors.place_get(code=data.get("place") or "") if data.get("place") else None
    if chosen is None and query and not searched:
        chosen = selectors.place_resolve(query=query)  # what the submission would take: show it chosen
    places = selectors.place_search(query=query) if (searched or query) and not chosen else []
    if chosen is not None and chosen not in places:
        places = [chosen, *places]
    return render(request, "portal/submit.html", {
        "form": form, "places": _labelled(places), "chosen": chosen,
        "searched": searched or bool(query), "key": form.key() or new_idempotency_key(),
        "focus": next((f for f in SUBMIT_ORDER if f in form.errors), ""), "max_files": MAX_FILES,
        "kinds": SubmissionKind.choices, "kept": kept or [],
    }, status=status)


def _too_large(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/too_large.html", status=413)


def receipt_url(code: str) -> str:
    """Return the receipt address for a code, signed so the page shows only codes this site issued."""
    return reverse("portal:receipt", args=[signing.dumps(code, salt=RECEIPT_SALT)])


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    """Refuse oversized bodies before Django reads them, then run the CSRF-protected form view.

    The size check must sit in front of the upload handlers, which CSRF's middleware would
    otherwise run first by reading request.POST; so CSRF is applied by the inner view instead.
    """
    handler = None
    if request.method == "POST":
        if uploads.body_too_large(request):
            return _too_large(request)
        handler = uploads.install_limits(request)
        try:
            request.POST  # noqa: B018 - read the body now, under the limits
        except uploads.BODY_ERRORS:
            return _too_large(request)
    return _submit(request, handler)


@csrf_protect
def _submit(request: HttpRequest, handler: uploads.SizeLimitHandler | None) -> HttpResponse:
    if request.method != "POST" or handler is None:
        return _render_submit(request, SubmissionForm())
    form = SubmissionForm(request.POST)
    form.is_valid()
    if form.is_robot():
        # Look exactly like success to whatever filled the hidden field; store nothing.
        return redirect(receipt_url(codes.new_code()))
    kept = _claim_kept(request)
    if request.POST.get("action") == "find_place":
        if ratelimits.places_limited(request):
            return render(request, "portal/limited.html", status=429)
        files, _too_big = uploads.read_files(request, handler)
        kept += pending.pending_store(session=request.session, files=files, room=MAX_FILES - len(kept))
        return _render_submit(request, form, searched=True, kept=kept)

    data: dict[str, Any] = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    anonymous = bool(data.get("anonymous"))
    phone = "" if anonymous else (data.get("phone") or "")
    try:
        phone_key = normalise_phone(phone) if phone else ""
    except ValueError:
        phone_key = ""
    if ratelimits.submit_limited(request, phone=phone_key):
        form.add_error(None, _("Too many submissions from this connection or phone number. Please try again "
                               "later, or call the 12345 hotline."))
        return _render_submit(request, form, status=429)

    place = None
    if data.get("place"):
        place = selectors.place_get(code=data["place"])
        if place is None:
            form.add_error("place", _("This place cannot be chosen; please search again."))
    elif (data.get("place_q") or "").strip():
        place = selectors.place_resolve(query=data["place_q"])
        if place is None:
            form.add_error("place", _("Choose the place from the list below, or clear the search box."))
    files, too_big = uploads.read_files(request, handler)
    for name in too_big:
        form.add_error("attachments", _("%(name)s is larger than 10 MB.") % {"name": name})
    unit = submission_holder(kind=data.get("kind") or "", place=place, default=selectors.portal_default_unit())
    if unit is None:
        form.add_error(None, _("The form is not available yet: no unit takes submissions."))
    if form.errors or unit is None:
        return _sent_back(request, form, kept=kept, files=files)

    try:
        submission, _created = submission_create(
            actor=None, channel=Channel.WEB, kind=data.get("kind") or "", subject=data.get("subject") or "",
            text=data.get("text") or "", unit=unit, place_unit=place, place_text=data.get("place_text") or "",
            accused_unit=place if data.get("kind") == SubmissionKind.REPORT else None,
            anonymous=anonymous, name=data.get("name") or "", phone=phone, email=data.get("email") or "",
            attachments=[(u.name, bytes(u.data)) for u in kept] + files, idempotency_key=form.key(),
        )
    except SubmissionInvalid as exc:
        form.add_service_errors(exc)
        return _sent_back(request, form, kept=kept, files=files)
    pending.pending_delete(uploads=kept)
    return redirect(receipt_url(submission.tracking_code))


def _claim_kept(request: HttpRequest) -> list:
    """Return the session's kept files the form still names, and drop those the citizen removed."""
    owner = pending.owner_for(request.session, create=False)
    claimed = pending.pending_claim(owner=owner, tokens=request.POST.getlist("pending"))
    remove = set(request.POST.getlist("pending_remove"))
    removed = [u for u in claimed if u.token in remove]
    pending.pending_delete(uploads=removed)
    return [u for u in claimed if u.token not in remove]


def _sent_back(request: HttpRequest, form: SubmissionForm, *, kept: list,
               files: list[tuple[str, bytes]]) -> HttpResponse:
    """Render the form with its errors, keeping every accepted file (new ones become pending uploads)."""
    room = MAX_FILES - len(kept)
    if len(files) <= room:  # more files than allowed: keep none of the new ones, the error says why
        kept = kept + pending.pending_store(session=request.session, files=files, room=room)
    return _render_submit(request, form, status=400, kept=kept)


@never_cache
@require_GET
def pending_file(request: HttpRequest, token: str) -> HttpResponse:
    """Show a kept photo's thumbnail, to the session that attached it only."""
    upload = pending.pending_get(owner=pending.owner_for(request.session, create=False), token=token)
    if upload is None or not upload.is_image:
        raise NotFound(_("This file is no longer kept."))
    return harden_download(HttpResponse(bytes(upload.data), content_type=upload.content_type), inline=True)


@require_GET
def places(request: HttpRequest) -> HttpResponse:
    """Return the place choices for a search (htmx fills them in as the person types)."""
    if ratelimits.places_limited(request):
        return HttpResponse(status=429)
    query = request.GET.get("place_q", "")
    found = selectors.place_search(query=query)
    return render(request, "portal/_place_choices.html", {
        "places": _labelled(found), "searched": bool(query.strip()), "chosen": None,
    })


@never_cache
@require_GET
def receipt(request: HttpRequest, token: str) -> HttpResponse:
    """Show the tracking code, large, with the advice to write it down."""
    try:
        code = signing.loads(token, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE)
    except signing.BadSignature:
        return redirect("portal:track")
    return render(request, "portal/receipt.html", {"code": code, "display": codes.display(code)})


# --- track ---------------------------------------------------------------------------------

def _lookup(request: HttpRequest, code: str) -> tuple[Submission | None, str, int]:
    """Return the submission, or an error message and status telling a typo from an unknown code."""
    try:
        return submission_get_public(code=code), "", 200
    except TrackingCodeMistyped:
        return None, _("This code has a typing mistake. Check it against your receipt: a code has 14 letters "
                       "and digits, like 7KQM-2XHV-9RT4-8W."), 400
    except NotFound:
        return None, _("No submission has this code. Check that you copied the whole code."), 404


def _render_track_form(request: HttpRequest, form: TrackForm, *, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "portal/track_form.html", {"form": form, "error": error}, status=status)


@never_cache
@require_GET
def track(request: HttpRequest) -> HttpResponse:
    """Ask for a code; on a good one go to its page, otherwise say what is wrong with it."""
    if "code" not in request.GET:
        return _render_track_form(request, TrackForm())
    form = TrackForm(request.GET)
    if not form.is_valid():
        return _render_track_form(request, form, status=400)
    if ratelimits.track_limited(request):
        return render(request, "portal/limited.html", status=429)
    submission, error, status = _lookup(request, form.cleaned_data["code"])
    if submission is None:
        return _render_track_form(request, form, error=error, status=status)
    return redirect("portal:track_detail", code=submission.tracking_code)


def _render_track(request: HttpRequest, submission: Submission, *, info_form: InfoForm | None = None,
                  rating_form: RatingForm | None = None, error: str = "", status: int = 200) -> HttpResponse:
    is_report = submission.kind == SubmissionKind.REPORT
    events = [(event, not is_report or event.kind in REPORT_EVENT_TEXT) for event in public_timeline(submission)]
    return render(request, "portal/track.html", {
        "submission": submission, "display": codes.display(submission.tracking_code), "is_report": is_report,
        "events": events, "may_add_info": submission.status not in CLOSED,
        "may_rate": submission.status in RATEABLE_STATUSES and not submission.rating,
        "last_rating": submission.ratings.order_by("-at", "-id").first() if submission.rating else None,
        "info_form": info_form or InfoForm(), "rating_form": rating_form or RatingForm(), "error": error,
    }, status=status)


def _track_or_error(request: HttpRequest, code: str) -> Submission | HttpResponse:
    if ratelimits.track_limited(request):
        return render(request, "portal/limited.html", status=429)
    submission, error, status = _lookup(request, code)
    if submission is None:
        return _render_track_form(request, TrackForm(initial={"code": code[:40]}), error=error, status=status)
    return submission


@never_cache
@require_GET
def track_detail(request: HttpRequest, code: str) -> HttpResponse:
    """Show status, public timeline and reply; offer to add information or rate the answer."""
    found = _track_or_error(request, code)
    if isinstance(found, HttpResponse):
        return found
    if code != found.tracking_code:
        return redirect("portal:track_detail", code=found.tracking_code)
    return _render_track(request, found)


@never_cache
@require_POST
def track_info(request: HttpRequest, code: str) -> HttpResponse:
    """Add information to an open case."""
    found = _track_or_error(request, code)
    if isinstance(found, HttpResponse):
        return found
    form = InfoForm(request.POST)
    form.is_valid()
    try:
        submission_add_info(submission=found, text=form.cleaned_data.get("text") or "")
    except SubmissionInvalid as exc:
        for message in exc.fields.values():
            form.add_error("text", message)
        return _render_track(request, found, info_form=form, status=400)
    except SubmissionStateError as exc:
        return _render_track(request, found, info_form=form, error=exc.message, status=409)
    messages.success(request, _("Thank you: your information was added."))
    return redirect("portal:track_detail", code=found.tracking_code)


@never_cache
@require_POST
def track_rate(request: HttpRequest, code: str) -> HttpResponse:
    """Rate the answer, once, after it has been given."""
    found = _track_or_error(request, code)
    if isinstance(found, HttpResponse):
        return found
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_track(request, found, rating_form=form, status=400)
    try:
        submission_rate(submission=found, rating=form.cleaned_data["rating"], solved=form.cleaned_data["solved"],
                        reason=form.cleaned_data["reason"])
    except SubmissionInvalid as exc:
        for field, message in exc.fields.items():
            form.add_error(field if field in form.fields else "rating", message)
        return _render_track(request, found, rating_form=form, status=400)
    except SubmissionStateError as exc:
        return _render_track(request, found, rating_form=form, error=exc.message, status=409)
    messages.success(request, _("Thank you for rating the answer."))
    return redirect("portal:track_detail", code=found.tracking_code)

