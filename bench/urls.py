"""The production URL map plus two bare views: the baselines the API's throughput is measured against.

``bare`` is Django's own cost for a JSON POST. ``bare_store`` adds the least a view must do to
keep what it was sent: one INSERT of the message into a plain table, committed, before the
receipt is answered. Neither checks anything, encrypts, audits or queues; they are floors.
"""

from __future__ import annotations

import json
import secrets

from django.db import connection, transaction
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


STORE_TABLE = "bench_bare_store"


def store_ddl(vendor: str) -> str:
    """The plain table ``bare_store`` writes to, for this database."""
    key = "id bigserial PRIMARY KEY" if vendor == "postgresql" else "id INTEGER PRIMARY KEY AUTOINCREMENT"
    return (f"CREATE TABLE IF NOT EXISTS {STORE_TABLE} ({key}, code char(14) NOT NULL UNIQUE, "
            "unit varchar(24) NOT NULL, subject varchar(200) NOT NULL, text text NOT NULL, "
            "created_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP)")


@csrf_exempt
def bare_store(request: HttpRequest) -> HttpResponse:
    """Parse the JSON body, INSERT it into a plain table and commit, answer the receipt."""
    body = json.loads(request.body or b"{}")
    code = secrets.token_hex(7)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {STORE_TABLE} (code, unit, subject, text) VALUES (%s, %s, %s, %s)",
                       [code, str(body.get("unit", ""))[:24], str(body.get("subject", ""))[:200],
                        str(body.get("text", ""))])
    return JsonResponse({"tracking_code": code, "tracking_code_display": code, "status": "received",
                         "unit": str(body.get("unit", "")), "created_at": "2026-01-01T00:00:00+08:00"}, status=201)


urlpatterns = [path("bench/bare/", bare), path("bench/bare-store/", bare_store), *production_urlpatterns]
