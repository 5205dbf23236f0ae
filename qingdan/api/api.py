"""The one versioned REST API. Each app brings a Router; domain errors map to HTTP here, once."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.throttling import AuthRateThrottle

from qingdan.api.auth import api_auth
from qingdan.core.errors import ApplicationError, ImportRejected
from qingdan.dockets.api import followup_router
from qingdan.dockets.api import public_router as public_dockets_router
from qingdan.dockets.api import router as dockets_router
from qingdan.intake.api import router as intake_router
from qingdan.ledgers.api import router as ledgers_router
from qingdan.notifications.api import router as notifications_router
from qingdan.people.api import router as people_router
from qingdan.supervision.api import router as supervision_router
from qingdan.surveys.api import router as surveys_router
from qingdan.units.api import router as units_router

api = NinjaAPI(
    title="qingdan API",
    version="1",
    description="Problem lists for public bodies. Every answer is limited to the caller's units.",
    auth=api_auth,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # Per caller, counted in the cache (share it between processes with CACHE_URL); QINGDAN_API_THROTTLE.
    throttle=[AuthRateThrottle(settings.QINGDAN_API_THROTTLE)],
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body: dict = {"code": exc.code, "detail": exc.message}
    # Extra context a client can act on, e.g. SubmissionInvalid's {"fields": {name: message}}.
    body.update({key: value for key, value in exc.extra.items() if key not in body})
    if isinstance(exc, ImportRejected):
        body["errors"] = [{"row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors]
    return api.create_response(request, body, status=exc.http_status)


def _mount() -> None:
    api.add_router("/units", units_router)
    api.add_router("/people", people_router)
    api.add_router("/submissions", intake_router)
    api.add_router("/submissions", followup_router)  # the follow-up rating: dockets' action
    api.add_router("/dockets", dockets_router)
    api.add_router("/public", public_dockets_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/ledgers", ledgers_router)
    api.add_router("/surveys", surveys_router)
    api.add_router("/supervision", supervision_router)


_mount()
