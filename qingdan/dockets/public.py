"""Public disclosure (公示): published lists and items, nothing else, with personal data left out.

Every query here starts from ``selectors.public_items``/``public_dockets``; the templates show
only the fields of ``PUBLIC_FIELDS`` (no handler, leader, submitter or evidence).
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from qingdan.dockets import selectors


@require_GET
@cache_control(public=True, max_age=60)
def index(request: HttpRequest) -> HttpResponse:
    """The published lists with their counters: the disclosure (公示) anyone may read, cached for a minute."""
    dockets = list(selectors.public_dockets().order_by("-created_at")[:100])
    counts = selectors.docket_counts_by_docket(selectors.public_items(), dockets)
    rows = [(d, counts[d.pk]) for d in dockets]
    return render(request, "dockets/public_index.html", {"rows": rows})


@require_GET
@cache_control(public=True, max_age=60)
def docket(request: HttpRequest, pk: int) -> HttpResponse:
    """One published list with its published items, a hundred a page, and the list's counters."""
    found = selectors.public_docket_get(pk=pk)
    items = selectors.public_items(found).order_by("number")
    page = Paginator(items, 100).get_page(request.GET.get("page"))
    return render(request, "dockets/public_docket.html", {"docket": found, "page": page,
                                                          "counts": selectors.docket_counts(items)})


@require_GET
@cache_control(public=True, max_age=60)
def item(request: HttpRequest, pk: int) -> HttpResponse:
    """One published item with its public timeline and requests: when and what, never who."""
    found = selectors.public_item_get(pk=pk)
    return render(request, "dockets/public_item.html", {"item": found, "result": selectors.public_result(found),
                                                        "steps": selectors.public_timeline(found),
                                                        "changes": selectors.public_changes(found)})
