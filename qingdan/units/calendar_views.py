"""The working-day calendar page: everyone on the staff reads it, a province's organizers edit it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from qingdan.core.errors import ApplicationError, error_text, form_error_text
from qingdan.core.forms import CalendarDayForm, DeadlineCheckForm
from qingdan.core.params import query_year
from qingdan.core.workdays import add_working_days, get_calendar, working_days_between
from qingdan.units.calendar import calendar_day_delete, calendar_day_set, calendar_days_of_year, calendar_may_edit


def _year(request: HttpRequest) -> int:
    """?year= (or the posted year), 1900–2200; a year that cannot be read is a 400 with its message."""
    data = request.GET if request.GET.get("year") else request.POST
    return query_year(data, "year", default=timezone.localdate().year)


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    days = calendar_days_of_year(year)
    check = DeadlineCheckForm(request.GET if "start" in request.GET else None)
    answer = None
    if check.is_bound and check.is_valid():
        start, n = check.cleaned_data["start"], check.cleaned_data["n"]
        answer = add_working_days(start, n)
        answer = {"date": answer, "calendar_days": (answer - start).days,
                  "working_days": working_days_between(start, answer)}
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return render(request, "core/calendar.html", {
        "year": year, "days": days, "may_edit": calendar_may_edit(request.user), "form": CalendarDayForm(),
        "covered": get_calendar().covers(first), "check": check, "answer": answer,
        "working_days_in_year": working_days_between(first - dt.timedelta(days=1), last),
        "years": sorted(get_calendar().years),
    })


@login_required
@require_POST
def calendar_day_save(request: HttpRequest) -> HttpResponse:
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            calendar_day_set(actor=request.user, date=data["date"], kind=data["kind"], name=data["name"])
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
        return redirect(f"/calendar/?year={data['date'].year}")
    messages.error(request, form_error_text(form))
    return redirect(f"/calendar/?year={_year(request)}")


@login_required
@require_POST
def calendar_day_remove(request: HttpRequest, date: str) -> HttpResponse:
    try:
        day = dt.date.fromisoformat(date)
    except ValueError:
        day = None
    if day is not None:
        try:
            calendar_day_delete(actor=request.user, date=day)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
    return redirect(f"/calendar/?year={day.year if day else _year(request)}")
