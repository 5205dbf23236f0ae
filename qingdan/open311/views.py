"""GeoReport v2 over HTTP: parse the arguments, call a selector or service, write the document.

Every failure, ours or the client's, is answered with the specification's error list in the
format the URL asked for: 404 for what does not exist, 403 for a missing, wrong or revoked
api_key, 400 for anything else.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from qingdan.core.errors import ApplicationError, FieldErrors, NotFound
from qingdan.core.params import YEAR_MAX, YEAR_MIN, query_text_check
from qingdan.open311 import catalogue, documents, formats
from qingdan.open311.errors import LookupLimited, RequestInvalid
from qingdan.open311.selectors import jurisdiction_get, parse_ids, request_get, request_list
from qingdan.open311.services import ServiceRequest, key_authenticate, request_create
from qingdan.portal import ratelimits

View = Callable[..., HttpResponse]
_SCALAR_ARGUMENTS = ("service_code", "jurisdiction_id", "lat", "long", "address_string", "address_id", "description",
                     "email", "first_name", "last_name", "phone", "account_id")


class BadBody(ApplicationError):
    """The POST body cannot be read: not UTF-8, too large or too many fields."""

    code = "open311_body_invalid"
    http_status = 400


def _errors_of(exc: ApplicationError) -> list[tuple[int, str]]:
    fields = exc.fields if isinstance(exc, FieldErrors) else {}
    if fields:
        return [(exc.http_status, f"{name}: {message}" if name != "location" else message)
                for name, message in fields.items()]
    return [(exc.http_status, exc.message)]


def open311_view(*methods: str) -> Callable[[View], View]:
    """Answer only ``methods`` and turn domain errors into the specification's error list."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            fmt = kwargs.get("fmt", "xml")
            allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)
            if request.method not in allowed:
                response = formats.render_errors(fmt, [(400, _("%(method)s is not allowed here; use %(allowed)s.") % {
                    "method": request.method, "allowed": " or ".join(methods)})], status=400)
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                query_text_check(request.GET)
                return view(request, *args, **kwargs)
            except ApplicationError as exc:
                status = exc.http_status if exc.http_status in (400, 403, 404, 429) else 400
                return formats.render_errors(fmt, _errors_of(exc), status=status)

        wrapper.checks_own_parameters = True  # type: ignore[attr-defined]  # the page middleware leaves NUL to us
        return wrapper

    return decorate


def _jurisdiction(request: HttpRequest) -> Any:
    code = request.GET.get("jurisdiction_id", "").strip()
    return jurisdiction_get(code) if code else None


def _key(raw: str | None) -> Any:
    return key_authenticate(raw) if raw is not None else None


def _count_lookup(request: HttpRequest) -> None:
    """Count a keyless lookup by id in the portal's /track/ bucket: one limit for every way to probe ids."""
    if ratelimits.track_limited(request):
        raise LookupLimited(_("Too many lookups from your address; wait a minute and try again."))


def _moment(name: str, value: str) -> datetime.datetime | None:
    """Parse a W3C datetime; a date alone or a time without offset is read in the server's time zone."""
    value = value.strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+", 1) if value.count(" ") == 1 and "T" in value else value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None or not YEAR_MIN <= moment.year <= YEAR_MAX:  # 0001-01-01 leaves the calendar in UTC
        raise RequestInvalid({name: _("Use the W3C format, e.g. 2026-01-01T00:00:00Z.")})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _commas(request: HttpRequest, name: str) -> list[str]:
    return [part.strip() for value in request.GET.getlist(name) for part in value.split(",") if part.strip()]


@open311_view("GET")
def discovery(request: HttpRequest, fmt: str = "xml") -> HttpResponse:
    """GET discovery.{format}: where the endpoint is, what it speaks, how to get a key."""
    url = request.build_absolute_uri(reverse("open311:root")).rstrip("/")
    contact = getattr(settings, "OPEN311_CONTACT", "") or _("Ask the operators of this qingdan installation.")
    return formats.render(fmt, "discovery", documents.discovery(url=url, contact=contact))


@open311_view("GET")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET services.{format}: the categories, the same in every jurisdiction."""
    _jurisdiction(request)  # validated when given: an unknown one is a 404
    return formats.render(fmt, "services", documents.service_list())


@open311_view("GET")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    """GET services/<service_code>.{format}: the attributes a request may carry."""
    _jurisdiction(request)
    service = catalogue.service_by_code(service_code)
    if service is None:
        raise NotFound(_("service_code %(code)s was not found.") % {"code": service_code[:64]})
    return formats.render(fmt, "service_definition", documents.service_definition(service))


def _post_arguments(request: HttpRequest) -> dict[str, list[str]]:
    """Read the form as UTF-8, refusing bytes that are not (the spec: 'assumed to be UTF-8')."""
    try:
        body = request.body
    except RequestDataTooBig:
        raise BadBody(_("The request body is too large.")) from None
    if request.content_type == "multipart/form-data":
        try:
            return {name: request.POST.getlist(name) for name in request.POST}
        except (RequestDataTooBig, TooManyFieldsSent) as exc:
            raise BadBody(_("The request body is too large.")) from exc
    try:
        text = body.decode("utf-8")
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=False, encoding="utf-8", errors="strict",
                          max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS)
    except UnicodeDecodeError:
        raise BadBody(_("The request body is not valid UTF-8.")) from None
    except ValueError:
        raise BadBody(_("The request has too many fields.")) from None
    arguments: dict[str, list[str]] = {}
    for name, value in pairs:
        arguments.setdefault(name, []).append(value)
    return arguments


def _service_request(arguments: dict[str, list[str]]) -> ServiceRequest:
    values = {name: (arguments.get(name) or [""])[0] for name in _SCALAR_ARGUMENTS}
    attributes: dict[str, list[str]] = {}
    for name, items in arguments.items():
        if name.startswith("attribute[") and "]" in name:
            code = name[len("attribute["):name.index("]")]
            attributes.setdefault(code, []).extend(items)
    media = arguments.get("media_url", []) + arguments.get("media_url[]", [])
    return ServiceRequest(**values, media_url=media, attributes=attributes)


@csrf_exempt  # authenticated by api_key, never by a browser session
@transaction.non_atomic_requests  # submission_create commits before the id is returned
@open311_view("GET", "POST")
def request_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET requests.{format}: list or look up requests (no key needed); POST: create one (api_key required)."""
    if request.method == "POST":
        arguments = _post_arguments(request)
        # In the form as the spec says; some clients put it in the query string of the POST instead.
        key = key_authenticate((arguments.get("api_key") or [""])[0] or request.GET.get("api_key", ""))
        submission = request_create(key=key, request=_service_request(arguments))
        account_id = (arguments.get("account_id") or [""])[0].strip()
        return formats.render(fmt, "service_requests", documents.created(submission, account_id=account_id))
    jurisdiction = _jurisdiction(request)
    key = _key(request.GET.get("api_key"))
    ids = parse_ids(",".join(request.GET.getlist("service_request_id")))
    if ids and key is None:
        _count_lookup(request)
    found = request_list(key=key, jurisdiction=jurisdiction, ids=ids, service_codes=_commas(request, "service_code"),
                         statuses=_commas(request, "status"),
                         start=_moment("start_date", request.GET.get("start_date", "")),
                         end=_moment("end_date", request.GET.get("end_date", "")), now=timezone.now())
    return formats.render(fmt, "service_requests", documents.request_list(found))


@open311_view("GET")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    """GET requests/<service_request_id>.{format}: one request, as a list of one."""
    key = _key(request.GET.get("api_key"))
    if key is None:
        _count_lookup(request)
    submission = request_get(key=key, code=service_request_id, jurisdiction=_jurisdiction(request))
    return formats.render(fmt, "service_requests", documents.request_list([submission]))


@open311_view("GET")
def token(request: HttpRequest, token_id: str, fmt: str) -> HttpResponse:
    """GET tokens/<token>.{format}: every service here is realtime, so a token is the request's own id."""
    key = _key(request.GET.get("api_key"))
    if key is None:
        _count_lookup(request)
    try:
        submission = request_get(key=key, code=token_id, jurisdiction=_jurisdiction(request))
    except NotFound:
        raise NotFound(_("token %(token)s was not found.") % {"token": token_id[:20]}) from None
    return formats.render(fmt, "service_requests", documents.token(submission, token_id))


@csrf_exempt
@open311_view("GET", "POST", "PUT", "PATCH", "DELETE")
def unknown(request: HttpRequest, path: str) -> HttpResponse:
    """Anything else under /open311/v2/: the spec's 404 error list (JSON when the path ends in .json)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return formats.render_errors(fmt, [(404, _("There is no such resource: %(path)s (formats: xml, json).")
                                        % {"path": path[:100]})], status=404)
