"""Every list surface has a query-count test: a new page, endpoint or admin model must join one list below.

The measures are in tests/test_query_counts_*.py (the frame is tests/query_counts.py). A new URL
name, API GET path or admin model fails here until it is measured (``@covers``) or named in one of
the tables below with the reason it shows no list whose length grows with the data.
"""

from __future__ import annotations

import importlib

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

from tests.query_counts import COVERED

MODULES = ["tests.test_query_counts_dockets", "tests.test_query_counts_intake", "tests.test_query_counts_ledgers",
           "tests.test_query_counts_other", "tests.test_query_counts_admin", "tests.test_query_counts_details"]

# URL names that render no list of rows: forms, writes, downloads, redirects, single objects.
# (One-object pages whose inner lists grow, such as an item's timeline, are measured in _details.)
NOT_A_LIST = {
    "set_language": "a language switch (POST, redirect)",
    "login": "a form", "logout": "a POST and redirect", "password_change": "a form",
    "dockets:docket_new": "a form",
    "dockets:docket_dispatch": "a POST (bulk dispatch, redirect)",
    "dockets:docket_publish": "a POST",
    "dockets:docket_settings": "a form",
    "dockets:docket_export": "an XLSX download, streamed row by row from one query",
    "dockets:docket_import": "an upload form",
    "dockets:docket_import_template": "an XLSX download of a header and one sample row",
    "dockets:item_edit": "a form",
    "dockets:item_change_request": "a form",
    "dockets:change_decide": "a POST",
    "dockets:item_act": "a POST (one step of the loop)",
    "dockets:evidence": "a file download",
    "dockets:list_submission": "a form prefilled from one submission",
    "desk:desk": "the operator's form; its lists are desk:caller and desk:units, measured",
    "desk:attachment": "a file download",
    "portal:pending_file": "one kept photo's thumbnail (a file download)",
    "ledgers:visit_new": "a form (unit and list choices capped, one query each)",
    "ledgers:visit_photo": "a file download",
    "ledgers:session_new": "a form (the roll is one query of the unit's people)",
    "ledgers:session_photo": "a file download",
    "ledgers:session_make_up": "a POST (补学, redirect)", "ledgers:session_all_present": "a POST (redirect)",
    "ledgers:import": "an upload form",
    "ledgers:export": "an XLSX download",
    "ledgers:milestone_add": "a POST", "ledgers:milestone_reach": "a POST",
    "ledgers:project_figures": "a POST",
    "inbox:count": "one count (the nav badge)",
    "inbox:read_all": "a POST", "inbox:preferences": "a form", "inbox:open": "a redirect to the notice's page",
    "inbox:read": "a POST",
    "open311:root": "the discovery document (fixed)", "open311:discovery": "the discovery document (fixed)",
    "open311:services": "the fixed catalogue of service categories, from code, not the database",
    "open311:service": "one service definition, from code",
    "open311:token": "one token's request id",
    "open311:request": "one service request",
    "open311:unknown": "a 404 document",
    "portal:submit": "the public form", "portal:receipt": "one tracking code", "portal:track": "a form",
    "portal:track_info": "a POST",
    "portal:track_rate": "a POST",
    "public:item": "one published item; its timeline is one query of kinds and dates, nothing related",
    "supervision:home": "a redirect to the reader's top unit",
    "supervision:export": "a CSV/XLSX download of the dashboard's children (measured as the dashboard)",
    "supervision:leaderboard_record": "a POST (records a snapshot)",
    "surveys:question_add": "a POST", "surveys:status": "a POST", "surveys:tokens": "a POST",
    "surveys:qr": "an SVG of one link", "surveys:qr_download": "a PNG/SVG download of one link",
    "surveys:poster": "one survey's poster (title, unit, QR code)", "surveys:export": "a CSV/XLSX download",
    "survey_public:answer": "the public questionnaire form of one survey",
    "workspace:unit_export": "a CSV download, streamed with iterator()",
    "calendar:save": "a POST", "calendar:delete": "a POST",
    "triage:suggestion": "the suggestions for one submission (capped lists of its own)",
}

# API GET paths that answer one object or one number.
API_NOT_A_LIST = {
    "/api/v1/units/{code}": "one unit",
    "/api/v1/units/{code}/count": "one count",
    "/api/v1/people/me": "the caller and their roles (capped by the roles one person holds)",
    "/api/v1/submissions/{code}": "one submission",
    "/api/v1/dockets/{docket_id}": "one list with its counters",
    "/api/v1/dockets/change-requests/{request_id}": "one request",
    "/api/v1/notifications/unread-count": "one count",
    "/api/v1/notifications/preferences": "one setting",
    "/api/v1/notifications/{notification_id}": "one notification",
}

# Admin models left out: third-party or empty in this platform's use, no foreign key in the list.
ADMIN_LEFT_OUT = {
    "auth.group": "unused (rights are role grants); no foreign key in its list",
    "axes.accessattempt": "django-axes' own; plain columns, no foreign key",
    "axes.accesslog": "django-axes' own; plain columns, no foreign key",
    "axes.accessfailurelog": "django-axes' own; plain columns, no foreign key",
    "django_tasks_database.dbtaskresult": "django-tasks' own; plain columns, no foreign key",
    "django_rq.dashboard": "django-rq's dashboard, not a model list",
}


def _names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace in ("admin", "api-v1"):
                continue  # measured below, from the admin registry and the API schema
            names |= _names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def _measured() -> set[str]:
    for module in MODULES:
        importlib.import_module(module)
    return COVERED


def test_every_page_is_measured_or_not_a_list():
    names = _names(get_resolver().url_patterns)
    measured = _measured()
    missing = sorted(names - measured - set(NOT_A_LIST))
    assert not missing, f"list pages without a query-count test (add one, or say why in NOT_A_LIST): {missing}"
    stale = sorted((set(NOT_A_LIST) | {m for m in measured if ":" in m and " " not in m}) - names)
    assert not stale, f"names that no longer exist: {stale}"
    assert not set(NOT_A_LIST) & measured, "a page is both measured and listed as not a list"


def test_every_api_list_is_measured_or_not_a_list():
    from qingdan.api.api import api

    paths = {path for path, operations in api.get_openapi_schema()["paths"].items() if "get" in operations}
    measured = {m.removeprefix("api GET ") for m in _measured() if m.startswith("api GET ")}
    missing = sorted(paths - measured - set(API_NOT_A_LIST))
    assert not missing, f"API lists without a query-count test (add one, or say why in API_NOT_A_LIST): {missing}"
    assert not (measured | set(API_NOT_A_LIST)) - paths, "measured or listed paths that no longer exist"


def test_every_admin_changelist_is_measured_or_left_out():
    models = {model._meta.label_lower for model in admin.site._registry}
    measured = {m.removeprefix("admin ") for m in _measured() if m.startswith("admin ")}
    missing = sorted(models - measured - set(ADMIN_LEFT_OUT))
    assert not missing, f"admin changelists without a query-count test: {missing}"
    assert not (measured | set(ADMIN_LEFT_OUT)) - models, "measured or listed models that are not registered"


def test_the_walk_finds_nested_names_and_leaves_admin_and_api_to_their_own_checks():
    from django.http import HttpResponse
    from django.urls import include, path

    def view(request):
        return HttpResponse()

    patterns = [path("a/", include(([path("x/", view, name="x"), path("y/", view)], "ns"))),
                path("b/", include([path("z/", view, name="z")])),
                path("admin/", include(([path("m/", view, name="m")], "admin"))),
                path("api/", include(([path("n/", view, name="n")], "api-v1")))]
    assert _names(patterns) == {"ns:x", "z"}
