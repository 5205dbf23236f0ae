"""Every GET parameter of every page and API endpoint, fed hostile values: never a 500.

The parameters of a page are found in its code (``request.GET.get("x")``, ``request.GET["x"]``,
``query_date(request.GET, "x")``, a form bound to ``request.GET``), following the module functions
the view calls; a second test checks that every ``request.GET`` name written anywhere in qingdan
was found for some page, so a new parameter is fuzzed the day it is written. The API's query
parameters come from its OpenAPI schema.
"""

from __future__ import annotations

import inspect
import re
import sys
import types
from pathlib import Path

import pytest
from django import forms
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parents[2]

HOSTILE = ["2026-02-30", "0000", "0001-01", "0001-01-01", "9999-12-31", "2026-W99", "0001-W01", "-1", "0",
           "9999999999999999999", "-9999999999999999999", "'; drop table units; --", "%00", "\x00", "x\x00y",
           "../../../etc/passwd", "９９", "1e309", "NaN", "x" * 5000, "2026-01-01T25:61:00+99:00"]

# Parameters that only hurt together (a far date and a count of days to add to it).
COMBINED = [("calendar:page", {"start": "9999-12-31", "n": "366"}),
            ("calendar:page", {"start": "0001-01-01", "n": "-366"}),
            ("ledgers:dashboard", {"from": "2026-05-01", "to": "2026-01-01"}),
            ("dockets:queue", {"since": "0001-01-01", "until": "9999-12-31", "docket": "9223372036854775808"})]

# Namespaces outside qingdan's own pages (Django's admin and its plug-ins) and the API, fuzzed from its schema.
SKIP_NAMESPACES = {"admin", "api-v1"}
SKIP_NAMES = {"set_language", "logout"}

_NAME = re.compile(r"""request\.GET(?:\.get|\.getlist)?\(\s*["'](\w+)["']"""
                   r"""|request\.GET\[\s*["'](\w+)["']\s*\]"""
                   r"""|["'](\w+)["']\s+(?:not\s+)?in\s+request\.GET"""
                   r"""|request\.GET,\s*["'](\w+)["']""")
_FORM = re.compile(r"(\w+)\(\s*request\.GET")


def _code_objects(code: types.CodeType):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _names_in_source(source: str, namespace: dict) -> set[str]:
    names = {next(g for g in match.groups() if g) for match in _NAME.finditer(source)}
    for form_name in _FORM.findall(source):
        form = namespace.get(form_name)
        if isinstance(form, type) and issubclass(form, forms.BaseForm):
            names.update(form.base_fields)
    return names


def view_parameters(view, seen: set | None = None) -> set[str]:
    """The GET names a view reads, itself or through the qingdan functions it calls by name."""
    seen = set() if seen is None else seen
    func = inspect.unwrap(view)
    func = getattr(func, "view_class", func)
    if func in seen or not getattr(func, "__module__", "").startswith("qingdan."):
        return set()
    seen.add(func)
    try:
        source = inspect.getsource(func)
    except (OSError, TypeError):
        return set()
    namespace = vars(sys.modules[func.__module__])
    names = _names_in_source(source, namespace)
    code = getattr(func, "__code__", None)
    for inner in _code_objects(code) if code else ():
        for referenced in inner.co_names:
            target = namespace.get(referenced)
            if isinstance(target, types.FunctionType):
                names |= view_parameters(target, seen)
    return names


def qingdan_patterns():
    """(url name, pattern) for every page of qingdan outside the admin and the API."""
    found = []

    def walk(resolver, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                if (entry.namespace or "") not in SKIP_NAMESPACES:
                    walk(entry, inner)
            elif isinstance(entry, URLPattern) and entry.name and entry.name not in SKIP_NAMES:
                found.append((namespace + entry.name, entry))

    walk(get_resolver(), "")
    return found


def test_every_get_name_in_the_code_is_fuzzed():
    """A name read from request.GET anywhere in qingdan belongs to some page the fuzz below visits."""
    written: set[str] = set()
    for path in (ROOT / "qingdan").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        source = path.read_text(encoding="utf-8")
        if "request.GET" not in source:
            continue
        module = sys.modules.get(module_name)
        written |= _names_in_source(source, vars(module) if module else {})
    visited = set().union(*(view_parameters(p.callback) for _name, p in qingdan_patterns()))
    assert written, "the grep found nothing: the pattern is broken"
    assert written - visited == set(), "GET names read by code no page reaches (add the page or its sample)"


@pytest.fixture
def world(tree, docket, make_item):
    """One of everything a page needs in its address: a unit, a list, an item, a submission, a survey."""
    from qingdan.dockets.services import docket_publish
    from qingdan.intake.services import submission_create
    from qingdan.people.models import User
    from qingdan.surveys.services import question_add, survey_create, survey_set_status

    root = User.objects.create_superuser("fuzz_root", password="a-long-fuzz-password-9", display_name="root")
    item = make_item()
    submission, _ = submission_create(actor=None, channel="web", kind="complaint", unit=tree["330106"],
                                      text="西湖区留下街道路灯不亮，请尽快修理", name="张三", phone="13800000000")
    docket_publish(actor=root, docket=docket, published=True)
    survey = survey_create(actor=root, unit=tree["330106"], title="满意度调查")
    question_add(actor=root, survey=survey, kind="text", text="您的意见")
    survey_set_status(actor=root, survey=survey, status="open")
    return {"root": root, "item": item, "docket": docket, "submission": submission, "survey": survey}


def _kwargs(name: str, pattern: URLPattern, world) -> dict:
    samples = {"code": "330106", "pk": world["docket"].pk, "item_id": world["item"].pk, "ledger": "visits",
               "slug": world["survey"].slug, "survey_id": world["survey"].pk, "fmt": "json", "step": "accept",
               "service_code": "x", "service_request_id": "1", "token_id": "x", "path": "x", "token": "x",
               "notification_id": 1, "visit_id": 1, "session_id": 1, "photo_id": 1, "topic_id": 1, "milestone_id": 1,
               "date": "2026-01-01"}
    by_name = {"desk:submission_detail": {"code": world["submission"].tracking_code},
               "dockets:list_submission": {"code": world["submission"].tracking_code},
               "triage:suggestion": {"code": world["submission"].tracking_code},
               "dockets:item": {"pk": world["item"].pk}, "dockets:item_edit": {"pk": world["item"].pk},
               "public:item": {"pk": world["item"].pk}, "surveys:export": {"fmt": "csv"}}
    keys = pattern.pattern.regex.groupindex
    values = {key: samples[key] for key in keys}
    values.update({k: v for k, v in by_name.get(name, {}).items() if k in keys})
    return values


def _get(client: Client, url: str, params: dict) -> int:
    """GET with the rate limits' counters emptied first: a 429 must not hide a 500 behind it."""
    from django.core.cache import cache

    cache.clear()
    return client.get(url, params).status_code


@pytest.mark.django_db
def test_no_page_answers_500_to_a_hostile_parameter(world):
    """Log in as a superuser and as nobody; every page, every parameter it reads, every hostile value."""
    staff = Client(raise_request_exception=False)
    staff.force_login(world["root"])
    anonymous = Client(raise_request_exception=False)
    failures, visited = [], 0
    for name, pattern in qingdan_patterns():
        url = reverse(name, kwargs=_kwargs(name, pattern, world))
        params = sorted(view_parameters(pattern.callback)) or ["unexpected"]
        for client in (staff, anonymous):
            if client is anonymous and _get(client, url, {}) == 302:
                continue  # a login page stands before this one: the staff pass covered its parameters
            for param in params:
                for value in HOSTILE:
                    status = _get(client, url, {param: value})
                    visited += 1
                    if status >= 500:
                        failures.append(f"{status} {url}?{param}={value[:40]!r}")
    for name, params in COMBINED:
        status = _get(staff, reverse(name), params)
        if status >= 500:
            failures.append(f"{status} {name} {params}")
    assert visited > 500
    assert not failures, "\n".join(failures)


def api_get_operations():
    """(path, query parameter names) for every GET operation of the API, from its OpenAPI schema."""
    from qingdan.api.api import api

    schema = api.get_openapi_schema()
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        params = [p for p in get.get("parameters", []) if p["in"] == "query"]
        yield path, [p["name"] for p in params]


@pytest.mark.django_db
def test_no_api_endpoint_answers_500_to_a_hostile_query(world):
    """The API's date, period and number parameters answer 400/422 to nonsense, never 500."""
    staff = Client(raise_request_exception=False)
    staff.force_login(world["root"])
    samples = {"code": "330106", "item_id": world["item"].pk, "docket_id": world["docket"].pk,
               "notification_id": 1, "survey_id": world["survey"].pk, "request_id": 1}
    failures, covered = [], set()
    for path, params in api_get_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: str(samples[m.group(1)]), path)
        for param in params or ["unexpected"]:
            covered.add(param)
            for value in HOSTILE:
                status = _get(staff, url, {param: value})
                if status >= 500:
                    failures.append(f"{status} {url}?{param}={value[:40]!r}")
    assert {"period", "since", "page"} & covered, "the schema walk found no query parameters"
    assert not failures, "\n".join(failures)
