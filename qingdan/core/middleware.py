"""Page-wide middleware: domain errors mapped to HTTP once, and who may cache what (no-store)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_max_age, has_vary_header, patch_cache_control

from qingdan.core.errors import NotFound, PermissionDenied


class ApplicationErrorMiddleware:
    """NotFound becomes a 404 and PermissionDenied a 403 (the API maps its own, as JSON)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied(exception.message) from exception


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
