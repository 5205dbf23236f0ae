"""The one versioned REST API. Each app brings a Router; domain errors map to HTTP here, once."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.throttling import AuthRateThrottle

from qingdan.api.auth import api_auth
from qingdan.core.errors import ApplicationError, ImportRejected

api = NinjaAPI(
    title="qingdan API",
    version="1",
    description="Problem lists for public bodies. Every answer is limited to the caller's units.",
    auth=api_auth,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    throttle=[AuthRateThrottle("600/m")],
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    body: dict = {"code": exc.code, "detail": exc.message}
    if isinstance(exc, ImportRejected):
        body["errors"] = [{"row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors]
    return api.create_response(request, body, status=exc.http_status)


def _mount() -> None:
    from qingdan.people.api import router as people_router
    from qingdan.units.api import router as units_router

    api.add_router("/units", units_router)
    api.add_router("/people", people_router)


_mount()
