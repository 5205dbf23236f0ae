"""Survey pages: the organizer's builder and results, and the public questionnaire. Thin shells."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import get_usage

from qingdan.core.downloads import harden_download
from qingdan.core.errors import ApplicationError, error_text
from qingdan.core.tabular import csv_bytes
from qingdan.surveys import selectors, services
from qingdan.surveys.choices import QuestionKind, SurveyStatus
from qingdan.surveys.errors import SurveyInvalid
from qingdan.surveys.exporters import responses_export
from qingdan.surveys.forms import QuestionForm, SurveyForm, TokensForm
from qingdan.surveys.models import Survey
from qingdan.surveys.qr import qr_png, qr_svg
from qingdan.units.selectors import unit_get_for_user


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    return selectors.survey_get_for_user(request.user, survey_id=survey_id)


@login_required
@require_http_methods(["GET", "POST"])
def survey_list(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_get_for_user(request.user, code=data["unit"])
            survey = services.survey_create(actor=request.user, unit=unit, title=data["title"], intro=data["intro"],
                                            identity=data["identity"])
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("surveys:detail", survey_id=survey.pk)
    surveys = selectors.survey_list_for_user(request.user).filter(submission__isnull=True)[:200]
    return render(request, "surveys/list.html", {"surveys": surveys, "form": form})


def public_url(request: HttpRequest, survey: Survey) -> str:
    return request.build_absolute_uri(reverse("survey_public:answer", args=[survey.slug]))


@login_required
def survey_detail(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    return render(request, "surveys/detail.html", {
        "survey": survey, "results": selectors.survey_results(survey), "question_form": QuestionForm(),
        "tokens_form": TokensForm(), "link": public_url(request, survey), "kinds": QuestionKind,
        "is_draft": survey.status == SurveyStatus.DRAFT, "is_open": survey.status == SurveyStatus.OPEN})


@login_required
@require_POST
def question_add(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        labels, good = form.parsed_choices()
        if data["kind"] == QuestionKind.SCALE:
            good = [data["good_from"]] if data["good_from"] else []
        try:
            services.question_add(actor=request.user, survey=survey, kind=data["kind"], text=data["text"],
                                  choices=labels, good=good, scale_max=data["scale_max"] or 5,
                                  required=data["required"])
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
    else:
        messages.error(request, _("Check the question's fields."))
    return redirect("surveys:detail", survey_id=survey.pk)


@login_required
@require_POST
def survey_status(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    try:
        services.survey_set_status(actor=request.user, survey=survey, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("surveys:detail", survey_id=survey.pk)


@login_required
@require_POST
def tokens_issue(request: HttpRequest, survey_id: int) -> HttpResponse:
    """Issue invitations and hand them over as a CSV of links (shown once, like API keys)."""
    survey = _survey(request, survey_id)
    form = TokensForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the number of invitations."))
        return redirect("surveys:detail", survey_id=survey.pk)
    try:
        unit = unit_get_for_user(request.user, code=form.cleaned_data["unit"]) if form.cleaned_data["unit"] else None
        tokens = services.tokens_issue(actor=request.user, survey=survey, count=form.cleaned_data["count"], unit=unit)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("surveys:detail", survey_id=survey.pk)
    base = public_url(request, survey)
    body = csv_bytes([f"{base}?t={t.token}"] for t in tokens)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    return harden_download(response, filename=f"{survey.title}-invitations.csv")


@login_required
def survey_qr(request: HttpRequest, survey_id: int) -> HttpResponse:
    survey = _survey(request, survey_id)
    # Our own drawing, shown in the survey page's <img>; sandboxed like every file if opened alone.
    return harden_download(HttpResponse(qr_svg(public_url(request, survey)), content_type="image/svg+xml"),
                           inline=True)


@login_required
def survey_qr_download(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    """The QR code as a file to save (PNG for notices and chat groups, SVG for print shops), named after the survey."""
    if fmt not in ("png", "svg"):
        raise Http404("Unknown format.")
    survey = _survey(request, survey_id)
    link = public_url(request, survey)
    body, kind = (qr_png(link), "image/png") if fmt == "png" else (qr_svg(link), "image/svg+xml")
    name = _("QR code")
    return harden_download(HttpResponse(body, content_type=kind), filename=f"{survey.title}-{name}.{fmt}")


@login_required
def survey_poster(request: HttpRequest, survey_id: int) -> HttpResponse:
    """An A4 poster to print and put up: the title, the unit, the QR code and the link to type in."""
    survey = _survey(request, survey_id)
    if survey.status == SurveyStatus.DRAFT:
        messages.warning(request, _("Open the questionnaire for answers before printing its poster."))
        return redirect("surveys:detail", survey_id=survey.pk)
    return render(request, "surveys/poster.html", {"survey": survey, "link": public_url(request, survey)})


@login_required
def survey_export(request: HttpRequest, survey_id: int, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "csv"):
        raise Http404("Unknown format.")
    survey = _survey(request, survey_id)
    data = responses_export(actor=request.user, survey=survey, fmt=fmt)
    kind = "text/csv; charset=utf-8" if fmt == "csv" else \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return harden_download(HttpResponse(data, content_type=kind), filename=f"{survey.title}.{fmt}")


def _answer_limited(request: HttpRequest) -> bool:
    """Count one answer attempt from this client address (in the cache only); tell whether it is too many.

    Kept here rather than borrowed from the portal, which sits above surveys in the dependencies.
    """
    header = getattr(settings, "QINGDAN_CLIENT_IP_HEADER", "") or ""
    forwarded = request.META.get(header, "") if header else ""
    address = (forwarded.split(",")[0].strip() if forwarded else "") or request.META.get("REMOTE_ADDR", "")
    usage = get_usage(request, group="surveys.answer.ip", key=lambda _group, _request: address or "-",
                      rate=getattr(settings, "QINGDAN_SURVEY_RATE_IP", "120/h"), increment=True)
    return bool(usage and usage["should_limit"])


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    """The public questionnaire, opened by link or QR code; no account needed; answers rate-limited per address."""
    survey = selectors.survey_public_get(slug=slug)
    token = request.POST.get("t") or request.GET.get("t", "")
    questions = list(survey.questions.all())
    errors: dict[str, str] = {}
    if request.method == "POST" and _answer_limited(request):
        errors = {"": _("Too many answers from your network; please try again later.")}
    elif request.method == "POST":
        raw = {q.pk: (request.POST.getlist(f"q{q.pk}") if q.kind == QuestionKind.MULTIPLE
                      else request.POST.get(f"q{q.pk}", "")) for q in questions}
        try:
            _response, created = services.response_submit(survey=survey, answers=raw, token=token,
                                                          phone=request.POST.get("phone", ""))
        except SurveyInvalid as exc:
            errors = exc.fields
        except ApplicationError as exc:
            errors = {"": exc.message}
        else:
            return render(request, "surveys/thanks.html", {"survey": survey, "created": created})
    return render(request, "surveys/answer.html", {
        "survey": survey, "questions": questions, "token": token, "errors": errors, "posted": request.POST,
        "closed": survey.status != SurveyStatus.OPEN},
        status=400 if errors else 200)
