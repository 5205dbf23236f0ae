"""Error pages speak Chinese, carry the navigation and a way back, with DEBUG off (issue 17)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import path

from qingdan.core.errors import NotFound
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _boom(request):
    raise RuntimeError("boom")


def _refused(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


def _scoped(request):
    raise NotFound("这个单位不在您的范围内。")


def _untranslated(request):
    raise NotFound("No such item in your scope.")


def _plain(request):
    from django.http import Http404

    raise Http404("No Item matches the given query.")


urlpatterns = [
    path("boom/", _boom), path("refused/", _refused), path("bad/", _bad), path("scoped/", _scoped),
    path("plain/", _plain), path("untranslated/", _untranslated),
]


@pytest.fixture
def errors_urls(settings):
    """The real URL map plus a few views that fail on purpose, with the real handlers."""
    import config.urls as real

    module = type(real)("probe_urls")
    module.urlpatterns = [*urlpatterns, *real.urlpatterns]
    for name in ("handler400", "handler403", "handler404"):
        setattr(module, name, getattr(real, name))
    import sys

    sys.modules["probe_urls"] = module
    settings.ROOT_URLCONF = "probe_urls"
    settings.DEBUG = False
    yield
    sys.modules.pop("probe_urls", None)


def body(response) -> str:
    return response.content.decode()


def chinese_page(response, status: int) -> str:
    assert response.status_code == status
    text = body(response)
    assert '<html lang="zh-CN">' in text and 'site-header' in text
    assert 'data-back' in text
    assert not re.search(r"Not Found|Forbidden|Bad Request|Server Error", text)
    return text


def test_404_is_chinese_with_the_navigation_and_ways_back(client, errors_urls, xh_handler):
    client.force_login(xh_handler)
    text = chinese_page(client.get("/no/such/page/", **ZH), 404)
    assert "页面不存在" in text and 'href="/dockets/"' in text  # the staff navigation
    assert "No Item matches" not in chinese_page(client.get("/plain/", **ZH), 404)  # Django's words stay out


def test_404_for_an_anonymous_citizen_leads_to_the_public_pages(client, errors_urls):
    text = chinese_page(client.get("/no/such/page/", **ZH), 404)
    assert 'href="/submit/"' in text and 'href="/track/"' in text


def test_a_scope_refusal_shows_its_own_message(client, errors_urls, xh_handler):
    client.force_login(xh_handler)
    assert "这个单位不在您的范围内" in chinese_page(client.get("/scoped/", **ZH), 404)
    assert "No such item" not in chinese_page(client.get("/untranslated/", **ZH), 404)  # English stays out
    assert "No such item" in body(client.get("/untranslated/", HTTP_ACCEPT_LANGUAGE="en"))


def test_403_and_400_are_chinese(client, errors_urls, xh_handler):
    client.force_login(xh_handler)
    assert "无权" in chinese_page(client.get("/refused/", **ZH), 403)
    assert "无法识别" in chinese_page(client.get("/bad/", **ZH), 400)


def test_the_back_link_is_the_referring_page_only_when_it_is_ours(client, errors_urls):
    text = body(client.get("/no/such/", HTTP_REFERER="http://testserver/track/", **ZH))
    assert 'href="http://testserver/track/" data-back' in text
    text = body(client.get("/no/such/", HTTP_REFERER="https://evil.example/", **ZH))
    assert "evil.example" not in text


def test_500_is_chinese_and_self_contained(errors_urls):
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", **ZH)
    text = chinese_page(response, 500)
    assert "出错" in text and "/static/qingdan/site.css" in text


def test_a_form_without_its_csrf_token_gets_a_chinese_403(errors_urls, tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/track/", {"code": "x"}, **ZH)
    text = chinese_page(response, 403)
    assert "表单已过期" in text


@pytest.mark.parametrize("role", [Role.HANDLER, Role.OPERATOR])
def test_the_navigation_hides_the_dashboard_from_those_who_cannot_open_it(client, tree, make_staff, role):
    client.force_login(make_staff("nav_probe", role, tree["330106"]))
    text = body(client.get("/", **ZH))
    assert 'href="/supervision/"' not in text
    assert client.get("/supervision/").status_code == 404  # what the link used to lead to


def test_the_navigation_shows_the_dashboard_to_a_supervisor(client, xh_supervisor):
    client.force_login(xh_supervisor)
    text = body(client.get("/", **ZH))
    assert 'href="/supervision/"' in text
    assert client.get("/supervision/", follow=True).status_code == 200
