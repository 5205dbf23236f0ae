"""Ledger pages: dashboard, coverage, visits (phone first), liaison, study. Thin shells over services."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingdan.core.downloads import harden_download
from qingdan.core.errors import ApplicationError, ImportRejected, NotFound, error_text, error_to_form
from qingdan.core.files import read_uploads
from qingdan.core.params import query_date
from qingdan.dockets.projects import project_counts
from qingdan.dockets.selectors import docket_queryset_for_user, item_get_for_user
from qingdan.ledgers import selectors, services, tabular
from qingdan.ledgers.choices import STUDIED, Attendance, TeamFilter
from qingdan.ledgers.errors import LedgerInvalid
from qingdan.ledgers.forms import LiaisonForm, SessionForm, TopicForm, VisitForm, WritingForm
from qingdan.ledgers.tabular import ledger_export as export
from qingdan.surveys.selectors import survey_figures
from qingdan.units.models import Unit
from qingdan.units.selectors import unit_get_for_user, unit_roots_for_user

MAX_UNIT_CHOICES = 400


def _unit(request: HttpRequest) -> Unit:
    """The unit named by ?unit=code in the user's scope, else the top of their scope."""
    code = request.GET.get("unit", "").strip()
    try:
        if code:
            return unit_get_for_user(request.user, code=code)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    roots = unit_roots_for_user(request.user)
    if not roots:
        raise Http404(_("Nothing in your scope."))
    return roots[0]


def _period(request: HttpRequest) -> tuple[datetime.date, datetime.date]:
    """?from=&to= (ISO dates); the default is the current year up to today."""
    today = timezone.localdate()
    start = query_date(request.GET, "from", default=today.replace(month=1, day=1))
    end = query_date(request.GET, "to", default=today)
    return start, end  # type: ignore[return-value]  # both have a default


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    start, end = _period(request)
    teams = request.GET.get("teams", "") if request.GET.get("teams") in TeamFilter.values else TeamFilter.ALL
    required = _required_days(request)
    board = selectors.dashboard(unit=unit, start=start, end=end, teams=teams, required_days=required)
    cover = selectors.coverage(unit=unit, start=start, end=end)
    # The dashboard gathers every ledger's figures, survey rates and livelihood projects included
    # (read through their own selectors; surveys sits beside ledgers, so it is imported here only).

    extra: dict[str, Any] = {"projects": project_counts(user=request.user, unit=unit),
                             "surveys": survey_figures(unit=unit, start=start, end=end)}
    return render(request, "ledgers/dashboard.html", {"board": board, "cover": cover, "unit": unit,
                                                      "start": start, "end": end, "team_filters": TeamFilter.choices,
                                                      **extra})


def _required_days(request: HttpRequest) -> Decimal | None:
    """?required=N (study days, 0–366); anything else is the configured default."""
    try:
        value = Decimal(request.GET.get("required", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() and 0 <= value <= 366 else None


@login_required
def coverage(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    start, end = _period(request)
    return render(request, "ledgers/coverage.html", {
        "cover": selectors.coverage(unit=unit, start=start, end=end), "unit": unit, "start": start, "end": end})


def _visit_dockets(user: Any) -> list[Any]:
    return list(docket_queryset_for_user(user)[:100])


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    visits = selectors.visit_list_for_user(request.user, start=start, end=end)[:200]
    return render(request, "ledgers/visit_list.html", {"visits": visits, "start": start, "end": end})


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request: HttpRequest) -> HttpResponse:
    """Record a visit; the place defaults to the leader's liaison unit and is picked by name or code."""
    liaison_units = selectors.visit_liaison_units(request.user)
    dockets = _visit_dockets(request.user)
    initial = {"visited_on": timezone.localdate(), "unit": liaison_units[0].name if liaison_units else ""}
    form = VisitForm(request.POST or None, request.FILES or None, dockets=dockets, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        docket = next((d for d in dockets if str(d.pk) == data["docket"]), None)
        problems = [services.ProblemFound(text=line.strip(), route=data["route"], docket=docket)
                    for line in data["problems"].splitlines() if line.strip()]
        photos = read_uploads(request.FILES.getlist("photos"))
        try:
            unit = selectors.visit_unit_resolve(request.user, data["unit"])
            visit = services.visit_record(
                actor=request.user, unit=unit, visited_on=data["visited_on"], enterprise=data["enterprise"],
                households=data["households"], enterprises=data["enterprises"], heard=data["heard"],
                solved_on_spot=data["solved_on_spot"], problems=problems, photos=photos)
        except LedgerInvalid as exc:
            error_to_form(form, exc)
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("ledgers:visit", visit_id=visit.pk)
    # The page's own suggestions before anything is typed: liaison units first, then what the scope holds.
    liaison_ids = {u.pk for u in liaison_units}
    others = [u for u in selectors.visit_units_for_user(
        request.user, within_code=request.GET.get("within", "").strip()[:32], limit=MAX_UNIT_CHOICES)
        if u.pk not in liaison_ids]
    return render(request, "ledgers/visit_new.html", {"form": form, "liaison_units": liaison_units,
                                                      "other_units": others})


@login_required
def visit_detail(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(request.user, visit_id=visit_id)
    return render(request, "ledgers/visit.html", {"visit": visit})


@login_required
def visit_photo(request: HttpRequest, visit_id: int, photo_id: int) -> FileResponse:
    photo = selectors.visit_photo_get_for_user(request.user, visit_id=visit_id, photo_id=photo_id)
    return photo.download()


@login_required
@require_http_methods(["GET", "POST"])
def liaison_list(request: HttpRequest) -> HttpResponse:
    form = LiaisonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_get_for_user(request.user, code=data["unit"])
            # Only people the user may name: an account elsewhere is refused like one that does not exist.
            leader = selectors.staff_named(request.user, [data["leader"]]).get(data["leader"])
            services.liaison_assign(actor=request.user, leader=leader, unit=unit, starts_on=data["starts_on"],
                                    ends_on=data["ends_on"], note=data["note"])
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("ledgers:liaisons")
    liaisons = selectors.liaison_list_for_user(request.user)[:500]
    return render(request, "ledgers/liaisons.html", {"liaisons": liaisons, "form": form})


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    sessions = selectors.session_list_for_user(request.user, start=start, end=end)[:200]
    return render(request, "ledgers/session_list.html", {"sessions": sessions, "start": start, "end": end})


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    """Record a session for the chosen unit; the roll lists the unit's people, each present or absent."""
    unit = _unit(request)
    people = selectors.session_roll(unit)
    form = SessionForm(request.POST or None, request.FILES or None,
                       initial={"starts_on": timezone.localdate(), "leadership": True})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("photos", None)
        photos = read_uploads(request.FILES.getlist("photos"))
        attendees = []
        for person in people:
            status = request.POST.get(f"att-{person.pk}", "")
            if status in Attendance.values:
                attendees.append(services.Attendee(person=person, status=status))
        try:
            services.session_record(actor=request.user, unit=unit, attendees=attendees, photos=photos, **data)
        except LedgerInvalid as exc:
            error_to_form(form, exc)
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Session recorded."))
            return redirect(f"{request.path.rsplit('new/', 1)[0]}?unit={unit.code}")
    # ?all=present (「全部出席」) sets everyone on the roll present; the recorder then marks the few absent.
    preset = Attendance.PRESENT if request.GET.get("all") == Attendance.PRESENT else ""
    return render(request, "ledgers/session_new.html", {"form": form, "unit": unit, "people": people,
                                                       "statuses": Attendance.choices, "preset": preset})


def _session(request: HttpRequest, session_id: int) -> Any:
    return selectors.session_get_for_user(request.user, session_id=session_id)


@login_required
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """One session: what, when, where, who came (and who made it up later), its photos."""
    session = _session(request, session_id)
    attendances = selectors.session_attendances(session)
    return render(request, "ledgers/session.html", {
        "session": session, "attendances": attendances, "unrecorded": selectors.session_unrecorded(session),
        "may_record": services.may_record_for(request.user, session.unit), "today": timezone.localdate(),
        "studied": sum(1 for a in attendances if a.status in STUDIED)})


@login_required
def session_photo(request: HttpRequest, session_id: int, photo_id: int) -> FileResponse:
    photo = selectors.session_photo_get_for_user(request.user, session_id=session_id, photo_id=photo_id)
    return photo.download()


@login_required
@require_http_methods(["POST"])
def session_make_up(request: HttpRequest, session_id: int) -> HttpResponse:
    """补学: an absent person studied the session's material later, on the date given."""
    session = _session(request, session_id)
    raw = request.POST.get("attendance", "")
    attendance = session.attendances.filter(pk=int(raw)).select_related("session").first() if raw.isdigit() else None
    try:
        made_up_on = datetime.date.fromisoformat(request.POST.get("made_up_on", "").strip())
    except ValueError:
        made_up_on = None
    if attendance is None:
        messages.error(request, _("Choose a person on the roll."))
    elif made_up_on is None:
        messages.error(request, _("Give the date of the make-up study."))
    else:
        try:
            services.attendance_make_up(actor=request.user, attendance=attendance, made_up_on=made_up_on)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Make-up study recorded for %(name)s.") % {"name": attendance.person})
    return redirect("ledgers:session", session_id=session.pk)


@login_required
@require_http_methods(["POST"])
def session_all_present(request: HttpRequest, session_id: int) -> HttpResponse:
    """「全部出席」: everyone on the unit's roll not yet recorded is marked present."""
    session = _session(request, session_id)
    try:
        count = services.session_mark_all_present(actor=request.user, session=session,
                                                  people=selectors.session_unrecorded(session))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        if count:
            messages.success(request, _("%(n)d people marked present.") % {"n": count})
        else:
            messages.info(request, _("Everyone on the roll is already recorded."))
    return redirect("ledgers:session", session_id=session.pk)


@login_required
@require_http_methods(["GET", "POST"])
def topic_list(request: HttpRequest) -> HttpResponse:
    form = TopicForm(request.POST or None, initial={"started_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        names = [n.strip() for n in data["owners"].replace("，", ",").split(",") if n.strip()]
        owners = list(selectors.staff_named(request.user, names).values())  # out of scope reads as unknown
        try:
            unit = unit_get_for_user(request.user, code=data["unit"])
            if len(owners) != len(set(names)):
                raise LedgerInvalid({"owners": _("Unknown user name among the owners.")})
            topic = services.topic_create(actor=request.user, unit=unit, title=data["title"], owners=owners,
                                          started_on=data["started_on"])
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            return redirect("ledgers:topic", topic_id=topic.pk)
    topics = selectors.topic_list_for_user(request.user)[:200]
    return render(request, "ledgers/topic_list.html", {"topics": topics, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = selectors.topic_get_for_user(request.user, topic_id=topic_id)
    visits = list(selectors.visit_list_for_user(request.user, unit=topic.unit)[:100])
    form = WritingForm(request.POST or None, visits=visits, initial={"written_on": timezone.localdate()})
    if request.method == "POST" and request.POST.get("item"):
        try:
            item_id = int(request.POST["item"]) if request.POST["item"].isdigit() else 0
            item = item_get_for_user(request.user, pk=item_id)
            services.topic_link_item(actor=request.user, topic=topic, item=item)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        return redirect("ledgers:topic", topic_id=topic.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = [v for v in visits if str(v.pk) in data["visits"]]
        try:
            services.writing_add(actor=request.user, topic=topic, kind=data["kind"], title=data["title"],
                                 text=data["text"], written_on=data["written_on"], visits=chosen)
        except ApplicationError as exc:
            form.add_error(None, error_text(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect("ledgers:topic", topic_id=topic.pk)
    writings = topic.writings.select_related("author").prefetch_related("visits__unit")
    return render(request, "ledgers/topic.html", {"topic": topic, "form": form, "writings": writings})


LEDGERS = ("visits", "sessions", "liaisons", "topics")


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Upload a ledger spreadsheet: all rows saved, or none and every problem listed."""
    importers = {"visits": tabular.visits_import, "sessions": tabular.sessions_import,
                 "liaisons": tabular.liaisons_import, "topics": tabular.topics_import}
    errors: list[Any] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        ledger = request.POST.get("ledger", "")
        if upload is None or ledger not in importers:
            messages.error(request, _("Choose a ledger and a file."))
        else:
            try:
                result = importers[ledger](actor=request.user, name=upload.name or "", data=upload.read())
            except ImportRejected as exc:
                errors = exc.errors
                messages.error(request, _("The file was rejected; nothing was imported."))
            except ApplicationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("%(n)d records imported.") % {"n": result.created})
                return redirect("ledgers:import")
    return render(request, "ledgers/import.html", {"errors": errors, "ledgers": LEDGERS})


@login_required
def ledger_export(request: HttpRequest, ledger: str) -> HttpResponse:
    if ledger not in LEDGERS:
        raise Http404("Unknown ledger.")
    start, end = (_period(request) if request.GET.get("from") or request.GET.get("to") else (None, None))
    response = HttpResponse(export(user=request.user, ledger=ledger, start=start, end=end),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return harden_download(response, filename=f"{ledger}.xlsx")
