"""Form posts from the livelihood-project block of an item page (dockets/_project.html). Thin shells."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingdan.core.errors import ApplicationError, error_text
from qingdan.core.params import date_parse
from qingdan.dockets import projects
from qingdan.dockets.models import Item
from qingdan.dockets.selectors import item_get_for_user


def _item(request: HttpRequest, item_id: int) -> Item:
    return item_get_for_user(request.user, pk=item_id)


def _version(request: HttpRequest) -> int | None:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _done(request: HttpRequest, item_id: int, call: Callable[[], object]) -> HttpResponse:
    try:
        call()
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("dockets:item", pk=item_id)


@login_required
@require_POST
def milestone_add(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    return _done(request, item_id, lambda: projects.milestone_add(
        actor=request.user, item=item, title=request.POST.get("title", ""),
        due_on=date_parse(request.POST.get("due_on"), name=_("Planned for")), version=_version(request)))


@login_required
@require_POST
def milestone_reach(request: HttpRequest, item_id: int, milestone_id: int) -> HttpResponse:
    item = _item(request, item_id)
    milestone = item.milestones.filter(pk=milestone_id).first()
    if milestone is None:
        raise Http404("No such milestone.")
    return _done(request, item_id, lambda: projects.milestone_reach(
        actor=request.user, milestone=milestone, done_on=date_parse(request.POST.get("done_on"), name=_("Reached on")),
        version=_version(request)))


@login_required
@require_POST
def project_figures(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _item(request, item_id)
    households = request.POST.get("beneficiaries", "").strip()
    return _done(request, item_id, lambda: projects.project_figures_update(
        actor=request.user, item=item, planned_investment=request.POST.get("planned_investment", "").strip(),
        actual_investment=request.POST.get("actual_investment", "").strip(),
        beneficiaries=int(households) if households.isdigit() else None, version=_version(request)))
