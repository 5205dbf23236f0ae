"""Staff workspace pages for the unit tree. Thin: parse, select through the scope, render."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from qingdan.audit.services import audit_record
from qingdan.core.downloads import harden_download
from qingdan.core.tabular import csv_lines
from qingdan.units import selectors
from qingdan.units.models import Unit

EXPORT_LIMIT = 200_000


def _get(request: HttpRequest, code: str) -> Unit:
    return selectors.unit_get_for_user(request.user, code=code)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roots = selectors.unit_roots_for_user(request.user)
    return render(request, "units/home.html", {"roots": roots, "names": selectors.unit_path_names(roots)})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = _get(request, code)
    children = list(selectors.unit_children(unit)[:1000])
    return render(request, "units/unit_detail.html", {
        "unit": unit,
        "children": children,
        "breadcrumbs": selectors.unit_breadcrumbs_for_user(request.user, unit),
        "subtree_count": selectors.unit_subtree_count(unit),
        "staff": list(selectors.role_assignments_for_unit(request.user, unit=unit)[:100]),
    })


@login_required
def unit_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:50]
    within_code = request.GET.get("within", "").strip()
    within = _get(request, within_code) if within_code else None
    results = selectors.unit_search_for_user(request.user, query=query, within=within) if query else []
    live = bool(request.headers.get("HX-Request"))
    exact = [unit for unit in results if unit.name == query or unit.code == query]
    if not live and len(exact) == 1:
        return redirect("workspace:unit_detail", code=exact[0].code)  # typed a whole name: go there
    template = "units/_results.html" if live else "units/search.html"
    return render(request, template, {"query": query, "results": results, "within": within,
                                      "names": selectors.unit_path_names(results)})


@login_required
def unit_export(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """Export a subtree the user may see as CSV (UTF-8 with BOM so Excel opens the Chinese)."""
    unit = _get(request, code)
    audit_record(actor=request.user, action="units.subtree_exported", obj=unit, after={"code": unit.code})
    rows = selectors.unit_subtree(unit).order_by("path").values_list(
        "code", "name", "kind", "level", "depth", "is_active").iterator(chunk_size=5000)

    def records() -> Iterator[Sequence[object]]:
        yield ["code", "name", "kind", "level", "depth", "active"]
        for count, row in enumerate(rows):
            if count >= EXPORT_LIMIT:
                break
            yield row

    stamp = timezone.localtime().strftime("%Y%m%d")
    response = StreamingHttpResponse(csv_lines(records()), content_type="text/csv; charset=utf-8")
    return harden_download(response, filename=f"units-{unit.code}-{stamp}.csv")


@login_required
def unit_suggest(request: HttpRequest) -> HttpResponse:
    """Units in the reader's scope matching ?q= (name or code), as JSON for the unit pickers (site.js)."""
    units = selectors.unit_suggest_for_user(request.user, query=request.GET.get("q", ""))
    names = selectors.unit_path_names(units)
    return JsonResponse({"units": [{"code": u.code, "name": u.name, "path": names.get(u.pk, u.name)} for u in units]})
