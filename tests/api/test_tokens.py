"""Bearer tokens are cached per process for a few seconds: fast, and never stale after a change made here."""

from __future__ import annotations

import pytest

from qingdan.people import services as people_services
from qingdan.people.models import ApiToken
from qingdan.people.services import role_grant, role_revoke, token_authenticate, token_create, token_revoke
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/330106009"


@pytest.fixture
def key(xh_handler):
    people_services.token_cache_clear()
    _, key = token_create(actor=xh_handler, user=xh_handler, name="test")
    return key


def test_a_cached_token_costs_no_query(key, xh_handler, django_assert_num_queries):
    assert token_authenticate(key).pk == xh_handler.pk  # also stamps last_used_at
    with django_assert_num_queries(0):
        user = token_authenticate(key)
    assert user.pk == xh_handler.pk
    assert user is not token_authenticate(key)  # each request gets its own copy of the user


def test_the_cache_expires(key, monkeypatch, django_assert_num_queries):
    token_authenticate(key)
    monkeypatch.setattr(people_services, "TOKEN_CACHE_SECONDS", -1.0)
    people_services.token_cache_clear()
    token_authenticate(key)
    with django_assert_num_queries(1):
        token_authenticate(key)  # expired at once: read again


def test_a_revoked_token_is_refused_at_once(client, key):
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    token_revoke(actor="test", token=ApiToken.objects.get(prefix=key[:10]))
    assert token_authenticate(key) is None
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_deactivated_user_is_refused_at_once(client, key, xh_handler):
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    xh_handler.is_active = False
    xh_handler.save()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_token_deleted_without_the_service_is_refused_at_once(client, key):
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    ApiToken.objects.get(prefix=key[:10]).delete()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_role_changes_reach_the_cached_scope_at_once(client, key, xh_handler, tree):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/units/330108", **headers).status_code == 404  # 滨江区: not in scope
    assignment = role_grant(actor="test", user=xh_handler, role=Role.HANDLER, unit=tree["330108"])
    assert client.get("/api/v1/units/330108", **headers).status_code == 200
    role_revoke(actor="test", assignment=assignment)
    assert client.get("/api/v1/units/330108", **headers).status_code == 404
