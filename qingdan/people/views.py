"""The people picker's JSON: the only page of the accounts app besides Django's own login views."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from qingdan.people import selectors


@login_required
@require_GET
def person_suggest(request: HttpRequest) -> JsonResponse:
    """People in the reader's scope matching ?q= (user name or display name), for the person pickers (site.js)."""
    people = selectors.people_suggest_for_user(request.user, query=request.GET.get("q", ""))
    return JsonResponse({"people": [
        {"username": p.username, "name": p.display_name or p.username, "unit": p.home_unit.name if p.home_unit else ""}
        for p in people]})
