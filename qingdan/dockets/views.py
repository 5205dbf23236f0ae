"""Staff pages of the loop: queues, lists, the item page with its timeline and its next steps.

Thin: parse with a form, read through the scoped selectors, call one service, show the result
or the service's refusal. Evidence leaves only through ``evidence_download``, which checks the
reader's view of the item.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingdan.core.downloads import harden_download
from qingdan.core.errors import ApplicationError, ImportRejected, NotFound, error_text, form_error_text
from qingdan.core.files import MAX_BYTES
from qingdan.dockets import permissions, selectors, services
from qingdan.dockets.choices import (
    ANSWERABLE,
    CHANGEABLE,
    DISPATCHABLE,
    IN_LEADER_REVIEW,
    OPEN_STATUSES,
    URGEABLE,
    WORKING,
    ChangeStatus,
    ItemStatus,
)
from qingdan.dockets.errors import ItemInvalid
from qingdan.dockets.exporters import import_template_xlsx, items_export_xlsx
from qingdan.dockets.forms import (
    ActionForm,
    ChangeDecisionForm,
    ChangeRequestForm,
    DocketForm,
    DocketSettingsForm,
    EditForm,
    FilterForm,
    ItemForm,
    resolve_unit,
    uploaded_files,
)
from qingdan.dockets.importers import items_import, split_units
from qingdan.dockets.models import Item
from qingdan.intake.selectors import ratings_for_user, submission_get_for_user, submission_queryset_for_user
from qingdan.units.selectors import unit_get_for_user

PAGE_SIZE = 50


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """My queue, my unit's queue, or everything in view — with filters and Chinese search."""
    form = FilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    view = data.get("view") or "mine"
    base = {"mine": selectors.my_queue, "unit": selectors.unit_queue}.get(view, selectors.item_queryset_for_user)
    try:
        filters = selectors.item_filters_for(request.user, **data)
    except NotFound:
        messages.warning(request, _("Unit %(code)s is not in your scope.") % {"code": data["unit"]})
        filters = selectors.item_filters_for(request.user, **{**data, "unit": ""})
    items = selectors.items_filter(base(request.user), filters).select_related(
        "docket", "lead_unit", "handler").order_by("due_on", "pk")
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "dockets/queue.html", {
        "form": form, "view": view, "page": page, "query": query.urlencode(),
        "counts": selectors.docket_counts(base(request.user)),
        "to_decide": selectors.change_requests_to_decide(request.user).count(),
    })


def _actions(user: Any, item: Item) -> list[str]:
    """The steps this user may take on the item now (the page shows only these)."""
    steps = []
    if item.status in DISPATCHABLE and permissions.may_list(user, item.docket):
        steps.append("dispatch")
    if permissions.may_work(user, item):
        if item.status in ANSWERABLE:
            steps += ["accept", "return"]
        if item.status in WORKING:
            steps += ["progress", "request_closure"]
        if item.status in {ItemStatus.ACCEPTED, ItemStatus.RECTIFYING}:
            steps.append("stage_result")
    if item.status in IN_LEADER_REVIEW and permissions.may_lead_review(user, item):
        if user.pk not in {item.closure_requested_by_id, item.handler_id}:
            steps.append("leader_approve")
        steps.append("leader_send_back")
    if permissions.may_verify(user, item):
        if item.status == ItemStatus.CLOSURE_REQUESTED and not permissions.is_own_work(user, item):
            steps += ["close", "send_back"]
        if item.status == ItemStatus.CLOSED:
            steps.append("reopen")
        if item.status in URGEABLE:
            steps += ["urge", "supervise"]
    return steps


def _item_context(request: HttpRequest, item: Item, **extra: Any) -> dict[str, Any]:
    linked = submission_queryset_for_user(request.user).filter(item_link__item=item)
    # Every follow-up rating of its answers, newest first: an unhappy citizen's reason is what
    # the lead unit works on after a reopening.
    ratings = ratings_for_user(request.user, submissions=linked)[:50]
    editable = item.status in OPEN_STATUSES and (permissions.may_list(request.user, item.docket))
    changes = list(selectors.change_requests_for_item(item))
    pending = next((c for c in changes if c.status == ChangeStatus.PENDING), None)
    return {
        "change_requests": changes, "pending_change": pending,
        "may_request_change": pending is None and item.dispatched_at is not None
        and item.status in CHANGEABLE and permissions.may_request_change(request.user, item),
        "may_decide_change": pending is not None and permissions.may_decide_change(
            request.user, item, pending.requested_by_id),
        "change_form": extra.pop("change_form", None) or ChangeRequestForm(),
        "item": item, "events": selectors.item_timeline(item), "actions": _actions(request.user, item),
        "evidence": item.evidence.all(), "submissions": linked, "ratings": ratings,
        "children": item.children.select_related("lead_unit"),
        "co_units": item.co_units.all(), "editable": editable, "hot_issues": item.hot_issues.all()[:20],
        "edit_form": extra.pop("edit_form", None) or EditForm(initial={
            "version": item.version, "title": item.title, "commitment": item.commitment, "deadline": item.deadline,
            "priority": item.priority, "category": item.category, "published": item.published}),
        **extra,
    }


@login_required
@require_GET
def item_page(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for_user(request.user, pk=pk)
    return render(request, "dockets/item.html", _item_context(request, item))


# Lazy: the message is told in the language of the request that took the step.
DONE = {
    "dispatch": gettext_lazy("Dispatched."), "accept": gettext_lazy("Accepted."), "return": gettext_lazy("Returned."),
    "progress": gettext_lazy("Progress recorded."), "stage_result": gettext_lazy("Stage result recorded."),
    "request_closure": gettext_lazy("Closure requested."), "close": gettext_lazy("Closed (销号)."),
    "leader_approve": gettext_lazy("Approved: the closure request goes to the verifier."),
    "leader_send_back": gettext_lazy("Sent back to the handler."),
    "send_back": gettext_lazy("Sent back."), "reopen": gettext_lazy("Reopened."),
    "urge": gettext_lazy("Reminder sent."), "supervise": gettext_lazy("Put under supervision."),
}


def _unit(request: HttpRequest, item: Item, text: str | None) -> Any:
    if not text:
        return None
    unit, error = resolve_unit(request.user, item.docket, text)
    if unit is None:
        raise ItemInvalid({"lead_unit": error})
    return unit


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """Take one step of the loop; on refusal show the page again with the reason and what was typed."""
    item = selectors.item_get_for_user(request.user, pk=pk)
    if step not in services.STEPS:
        raise NotFound("No such step.")
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_text(form))
        return render(request, "dockets/item.html", _item_context(request, item, typed=request.POST, step=step),
                      status=400)
    try:
        data = form.cleaned_data
        services.item_take_step(
            actor=request.user, item=item, step=step, version=data["version"], text=data["text"],
            progress=data["progress"], measures=data["measures"] or None, deadline=data["deadline"],
            lead_unit=_unit(request, item, data["lead_unit"]) if step == "dispatch" else None,
            files=uploaded_files(request))
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return render(request, "dockets/item.html", _item_context(request, item, typed=request.POST, step=step),
                      status=exc.http_status)
    messages.success(request, str(DONE[step]))
    return redirect("dockets:item", pk=item.pk)


@login_required
@require_POST
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_get_for_user(request.user, pk=pk)
    form = EditForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        changes = {k: v for k, v in data.items() if v != getattr(item, k)}
        try:
            if changes:
                services.item_update(actor=request.user, item=item, version=version, changes=changes)
            messages.success(request, _("Saved."))
            return redirect("dockets:item", pk=item.pk)
        except ItemInvalid as exc:
            form.add_service_errors(exc)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            item = selectors.item_get_for_user(request.user, pk=pk)
            return render(request, "dockets/item.html", _item_context(request, item, edit_form=form, edit_open=True),
                          status=exc.http_status)
    return render(request, "dockets/item.html", _item_context(request, item, edit_form=form, edit_open=True),
                  status=400)


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get_for_user(request.user, pk=pk)
    # Photos open in the browser; a PDF is saved, never rendered at our address (docs/security.md).
    return evidence.download()


@login_required
@require_GET
def docket_list(request: HttpRequest) -> HttpResponse:
    dockets = list(selectors.docket_queryset_for_user(request.user).select_related("owner_unit", "campaign")[:200])
    counts = selectors.docket_counts_by_docket(selectors.item_queryset_for_user(request.user), dockets)
    rows = [(d, counts[d.pk]) for d in dockets]
    return render(request, "dockets/docket_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def docket_new(request: HttpRequest) -> HttpResponse:
    form = DocketForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = unit_get_for_user(request.user, code=data["owner_unit"].strip())
            verifier = None
            if data["verifier_unit"].strip():
                try:
                    verifier = unit_get_for_user(request.user, code=data["verifier_unit"].strip())
                except NotFound:
                    raise ItemInvalid({"verifier_unit": _("No such unit in your scope.")}) from None
            docket = services.docket_create(
                actor=request.user, name=data["name"], owner_unit=unit, kind=data["kind"], source=data["source"],
                description=data["description"], due_soon_days=data["due_soon_days"],
                fallback_after_returns=data["fallback_after_returns"],
                fallback_after_hours=data["fallback_after_hours"], verifier_unit=verifier,
                leader_review=data["leader_review"])
            return redirect("dockets:docket", pk=docket.pk)
        except NotFound:
            form.add_error("owner_unit", _("No such unit in your scope."))
        except ApplicationError as exc:
            form.add_service_errors(exc)  # field errors on their fields, any other refusal on the form
    return render(request, "dockets/docket_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def docket_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A list with its counters, its items, bulk dispatch and the form to add an item."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    may_list = permissions.may_list(request.user, docket)
    submission = None
    code = request.GET.get("submission") or request.POST.get("submission") or ""
    if code:
        try:
            submission = submission_get_for_user(request.user, code=code)
        except ApplicationError:
            messages.error(request, _("No such submission in your scope."))
    initial = services.item_draft(submission) if submission else {}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and may_list and form.is_valid():
        item = _create_item(request, docket, form, submission)
        if item is not None:
            messages.success(request, _("Item %(n)d listed.") % {"n": item.number})
            return redirect("dockets:item", pk=item.pk)
    items = selectors.item_queryset_for_user(request.user).filter(docket=docket).select_related(
        "lead_unit", "handler").order_by("number")
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    return render(request, "dockets/docket.html", {
        "docket": docket, "page": page, "counts": selectors.docket_counts(items), "form": form,
        "may_list": may_list, "may_manage": permissions.may_manage_docket(request.user, docket),
        "submission": submission, **_settings_context(request, docket),
    }, status=400 if form.errors else 200)


def _settings_context(request: HttpRequest, docket: Any, form: DocketSettingsForm | None = None) -> dict[str, Any]:
    verifier = permissions.verifier_unit(docket)
    may_name = permissions.may_name_verifier(request.user, docket)
    form = form or DocketSettingsForm(initial={
        "verifier_unit": docket.verifier_unit.code if docket.verifier_unit_id else "",
        "leader_review": docket.leader_review})
    if not may_name:
        form.fields["verifier_unit"].disabled = True
    return {"verifier": verifier, "may_name_verifier": may_name, "settings_form": form}


@login_required
@require_POST
def docket_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Change who verifies the list's items (the owner's organizers only) and the leader's review."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    form = DocketSettingsForm(request.POST)
    if form.is_valid():
        changes: dict[str, Any] = {"leader_review": form.cleaned_data["leader_review"]}
        text = form.cleaned_data["verifier_unit"]
        verifier, error = resolve_unit(request.user, docket, text) if text else (None, "")
        if "verifier_unit" in request.POST:  # a disabled field is not sent: the verifier stays
            changes["verifier_unit"] = verifier
        if error:
            form.add_error("verifier_unit", error)
        else:
            try:
                services.docket_update(actor=request.user, docket=docket, changes=changes)
                messages.success(request, _("Saved."))
                return redirect("dockets:docket", pk=docket.pk)
            except ItemInvalid as exc:
                form.add_service_errors(exc)
            except ApplicationError as exc:
                messages.error(request, error_text(exc))
                return redirect("dockets:docket", pk=docket.pk)
    for errors in form.errors.values():
        for problem in errors:
            messages.error(request, str(problem))  # ErrorList yields messages, not ValidationErrors
    return redirect("dockets:docket", pk=docket.pk)


def _create_item(request: HttpRequest, docket: Any, form: ItemForm, submission: Any) -> Item | None:
    data = form.cleaned_data
    lead, error = resolve_unit(request.user, docket, data["lead_unit"])
    if lead is None:
        form.add_error("lead_unit", error or _("Choose a unit."))
    co_units = []
    for text in split_units(data["co_units"]):
        unit, unit_error = resolve_unit(request.user, docket, text)
        if unit is None:
            form.add_error("co_units", unit_error)
        else:
            co_units.append(unit)
    if form.errors:
        return None
    try:
        return services.item_create(
            actor=request.user, docket=docket, title=data["title"], description=data["description"],
            lead_unit=lead, co_units=co_units, commitment=data["commitment"], deadline=data["deadline"],
            deadline_working_days=data["deadline_working_days"], priority=data["priority"],
            category=data["category"], published=data["published"],
            submissions=[submission] if submission else [])
    except ApplicationError as exc:
        form.add_service_errors(exc)  # field errors on their fields, any other refusal on the form
    return None


@login_required
@require_POST
def docket_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """Bulk dispatch (批量交办) of the ticked items; each refusal is reported with its reason."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()][:500]
    items = list(selectors.item_queryset_for_user(request.user).filter(docket=docket, pk__in=ids))
    done, refused = services.items_dispatch(actor=request.user, items=items)
    if done:
        messages.success(request, _("%(n)d items dispatched.") % {"n": len(done)})
    numbers = {i.pk: i.number for i in items}
    for pk_, reason in refused.items():
        messages.error(request, _("Item %(n)d: %(reason)s") % {"n": numbers[pk_], "reason": reason})
    return redirect(reverse("dockets:docket", args=[docket.pk]))


@login_required
@require_POST
def docket_publish(request: HttpRequest, pk: int) -> HttpResponse:
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    try:
        services.docket_publish(actor=request.user, docket=docket, published=request.POST.get("published") == "1")
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    return redirect("dockets:docket", pk=docket.pk)


@login_required
@require_GET
def list_submission(request: HttpRequest, code: str) -> HttpResponse:
    """From a submission: open the item that answers it, or choose the list to add it to."""
    submission = submission_get_for_user(request.user, code=code)
    item = selectors.item_answering_for_user(request.user, submission)
    if item is not None:
        return redirect("dockets:item", pk=item.pk)
    dockets = [d for d in selectors.docket_queryset_for_user(request.user).select_related("owner_unit")[:200]
               if permissions.may_list(request.user, d)]
    return render(request, "dockets/list_submission.html", {"submission": submission, "dockets": dockets})


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def docket_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The list's items you may see, as an XLSX that re-imports into another list."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    data = items_export_xlsx(user=request.user, queryset=selectors.item_queryset_for_user(request.user).filter(
        docket=docket).order_by("number"))
    return harden_download(HttpResponse(data, content_type=XLSX), filename=f"{docket.name}.xlsx")


@login_required
@require_GET
def docket_import_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The import file to fill in (下载模板): the import's columns and a sample row for this list."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    return harden_download(HttpResponse(import_template_xlsx(docket), content_type=XLSX),
                           filename=f"{docket.name}-导入模板.xlsx")


@login_required
@require_POST
def docket_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Add items from an XLSX or CSV file: all rows or none, every bad row named."""
    docket = selectors.docket_get_for_user(request.user, pk=pk)
    upload = request.FILES.get("file")
    if upload is None or (upload.size or 0) > MAX_BYTES:  # the same 10 MB as every other upload
        messages.error(request, _("Choose an XLSX or CSV file of at most 10 MB."))
        return redirect("dockets:docket", pk=docket.pk)
    try:
        result = items_import(actor=request.user, docket=docket, name=upload.name or "", data=upload.read())
    except ImportRejected as exc:
        messages.error(request, error_text(exc))
        for error in exc.errors[:50]:
            messages.error(request, error.describe())
        return redirect("dockets:docket", pk=docket.pk)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("dockets:docket", pk=docket.pk)
    messages.success(request, _("%(n)d items imported.") % {"n": len(result.created)})
    return redirect("dockets:docket", pk=docket.pk)


@login_required
@require_POST
def item_change_request(request: HttpRequest, pk: int) -> HttpResponse:
    """File an extension or change request (延期申请/变更申请); the item moves only when the issuer agrees."""
    item = selectors.item_get_for_user(request.user, pk=pk)
    form = ChangeRequestForm(request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.item_change_request_create(
                actor=request.user, item=item, kind=data["kind"], reason=data["reason"], deadline=data["deadline"],
                commitment=data["commitment"] or None, lead_unit=_unit(request, item, data["lead_unit"]))
            messages.success(request, _("Request sent to the list's issuer."))
            return redirect("dockets:item", pk=item.pk)
        except ItemInvalid as exc:
            form.add_service_errors(exc)
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            status = exc.http_status
    return render(request, "dockets/item.html", _item_context(request, item, change_form=form, change_open=True),
                  status=status)


@login_required
@require_POST
def change_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The issuer approves or refuses a pending request; a refusal says why."""
    change = selectors.change_request_get_for_user(request.user, pk=pk)
    form = ChangeDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or refuse."))
        return redirect("dockets:item", pk=change.item_id)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.item_change_request_decide(actor=request.user, request=change, approve=approve,
                                            note=form.cleaned_data["note"])
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        item = selectors.item_get_for_user(request.user, pk=change.item_id)
        return render(request, "dockets/item.html", _item_context(request, item), status=exc.http_status)
    messages.success(request, _("Request approved.") if approve else _("Request refused."))
    return redirect("dockets:item", pk=change.item_id)


@login_required
@require_GET
def change_queue(request: HttpRequest) -> HttpResponse:
    """Extension and change requests waiting for this person's decision, oldest first."""
    pending = selectors.change_requests_to_decide(request.user)
    page = Paginator(pending, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dockets/changes.html", {"page": page})
