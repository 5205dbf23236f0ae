"""Map domain errors that escape a page view to HTTP once, instead of in every view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from qingdan.core.errors import ApplicationError, NotFound, PermissionDenied
from qingdan.core.params import ParameterInvalid, query_text_check

# The API renders its own errors as JSON (qingdan.api.api); a refusal made here before its view runs
# must answer in the same shape.
API_NAMESPACE = "api-v1"


class ApplicationErrorMiddleware:
    """NotFound becomes a 404, PermissionDenied a 403, any other refusal a page with its status (400).

    A query string carrying NUL is refused before any view reads it (PostgreSQL cannot even compare
    such a string, so a search for it would crash the page).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        if getattr(view_func, "checks_own_parameters", False):
            return None  # a surface with its own error format (Open311) calls query_text_check itself
        try:
            query_text_check(request.GET)
        except ParameterInvalid as exc:
            match = request.resolver_match
            if match is not None and API_NAMESPACE in match.namespaces:
                return JsonResponse({"code": exc.code, "detail": exc.message}, status=exc.http_status)
            return self._page(request, exc)
        return None

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception
        if isinstance(exception, ApplicationError):
            return self._page(request, exception)
        return None

    @staticmethod
    def _page(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return render(request, "core/refused.html", {"message": exc.message, "code": exc.code},
                      status=exc.http_status)
