"""The production URL map plus one bare view: the baseline the API's throughput is measured against."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from config.urls import urlpatterns as production_urlpatterns


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """Parse a JSON body and answer a receipt-sized JSON: Django's own cost for a POST, and nothing else."""
    body = json.loads(request.body or b"{}")
    return JsonResponse({"tracking_code": "0" * 14, "tracking_code_display": "0000-0000-0000-00", "status": "received",
                         "unit": str(body.get("unit", "")), "created_at": "2026-01-01T00:00:00+08:00"}, status=201)


urlpatterns = [path("bench/bare/", bare), *production_urlpatterns]
