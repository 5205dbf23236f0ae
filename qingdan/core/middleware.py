"""Page-wide middleware: domain errors mapped to HTTP once, and who may cache what (no-store)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import get_max_age, has_vary_header, patch_cache_control

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


class PrivateCacheMiddleware:
    """Keep pages made for one person out of every cache: ``Cache-Control: private, no-store``.

    A staff page, or anything answered to a logged-in user, is never stored (a shared proxy or the
    browser of the next person at a shared desk would show it); API answers
    (``QINGDAN_NO_STORE_PREFIXES``) likewise, whoever calls. An anonymous page that varies on the
    cookie (it carries a CSRF token, or reads the session) is at most cached by that visitor's own
    browser: ``public`` becomes ``private``, and without a declared max-age it is not stored either.
    Anonymous pages that depend on no cookie keep whatever the view declared.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "QINGDAN_NO_STORE_PREFIXES", ()))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or request.path_info.startswith(self.prefixes):
            _no_store(response)
        elif has_vary_header(response, "Cookie"):
            declared = get_max_age(response)
            if declared:
                _drop_directives(response, "public", "s-maxage")
                patch_cache_control(response, private=True)
            else:
                _no_store(response)
        return response


def _drop_directives(response: HttpResponse, *names: str) -> None:
    """Remove directives that would let a shared cache keep the answer."""
    header = response.get("Cache-Control")
    if not header:
        return
    kept = [part.strip() for part in header.split(",")
            if part.strip() and part.strip().split("=", 1)[0].lower() not in names]
    if kept:
        response["Cache-Control"] = ", ".join(kept)
    else:
        del response["Cache-Control"]


def _no_store(response: HttpResponse) -> None:
    _drop_directives(response, "public", "s-maxage", "max-age", "immutable")
    patch_cache_control(response, private=True, no_store=True, max_age=0)
