"""Error pages in the product's language and look, each with the navigation and a way back.

Django's own handlers render 400 without the request (so no navigation), and show whatever an
exception says, English included. These render 400, 403 and 404 with the request, and show an
exception's message only when it is one of ours (an ``ApplicationError`` behind the Http404 or
PermissionDenied), already translated; Django's internal messages stay out of the page. 500
keeps Django's handler: its template must not need the database or context processors.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from qingdan.core.errors import ApplicationError

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _back(request: HttpRequest) -> str:
    """Return the referring page when it is this site's (never send someone off-site), else ''."""
    referer = request.META.get("HTTP_REFERER", "")
    try:
        host = request.get_host()
    except Exception:
        return ""
    if referer and url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=request.is_secure()):
        return referer
    return ""


def _message(exception: BaseException | None) -> str:
    cause = getattr(exception, "__cause__", None)
    if not isinstance(cause, ApplicationError):
        return ""
    message = str(cause.message)
    # A message never marked for translation would put English on a Chinese page: the page's own
    # explanation says enough without it.
    if (get_language() or "").startswith("zh") and not _CJK.search(message):
        return ""
    return message


def _render(request: HttpRequest, template: str, status: int, exception: BaseException | None = None,
            **extra: object) -> HttpResponse:
    return render(request, template, {"message": _message(exception), "back": _back(request), **extra},
                  status=status)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """400: the request could not be read."""
    return _render(request, "400.html", 400, exception)


def permission_denied(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """403: the page exists but is not for this user."""
    return _render(request, "403.html", 403, exception)


def page_not_found(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """404: no such page, or nothing by that name in the user's scope (the two are not told apart)."""
    return _render(request, "404.html", 404, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """403 for a form sent without its security token: usually a page left open too long."""
    return _render(request, "403_csrf.html", 403)
