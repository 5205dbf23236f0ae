"""Bearer tokens are read from the database on every request: a revocation anywhere stops the next call."""

from __future__ import annotations

import pytest
from django.utils import timezone

from qingdan.people import services as people_services
from qingdan.people.models import ApiToken, User
from qingdan.people.services import role_grant, role_revoke, token_authenticate, token_create, token_revoke
from qingdan.units.choices import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/330106009"


@pytest.fixture
def key(xh_handler):
    people_services.token_cache_clear()
    _, key = token_create(actor=xh_handler, user=xh_handler, name="test")
    return key


def test_every_request_reads_the_token_but_the_scope_is_reused(key, xh_handler, django_assert_num_queries):
    """One indexed SELECT per request decides whether the token is live; the scope costs nothing more."""
    from qingdan.units.scopes import scope_for_user

    user = token_authenticate(key)  # also stamps last_used_at
    assert user.pk == xh_handler.pk
    scope_for_user(user)
    with django_assert_num_queries(1):
        again = token_authenticate(key)
        scope_for_user(again)
    assert again is not user  # each request gets its own user object


def test_the_scope_cache_expires(key, monkeypatch, django_assert_num_queries):
    from qingdan.units.scopes import scope_for_user

    scope_for_user(token_authenticate(key))
    monkeypatch.setattr(people_services, "TOKEN_SCOPE_SECONDS", -1.0)
    people_services.token_cache_clear()
    scope_for_user(token_authenticate(key))
    with django_assert_num_queries(2):
        scope_for_user(token_authenticate(key))  # expired at once: token and scope read again


def test_a_revocation_written_by_another_process_is_refused_at_once(client, key):
    """Another process (a worker, the admin on another machine) shares only the database with this one:
    an UPDATE that fires no signal here and clears no cache of ours must still stop the very next call.
    """
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(URL, **headers).status_code == 200
    assert client.get(URL, **headers).status_code == 200  # warm: whatever this process keeps, it keeps now
    ApiToken.objects.filter(prefix=key[:10]).update(revoked_at=timezone.now())
    assert client.get(URL, **headers).status_code == 401


def test_a_deactivation_written_by_another_process_is_refused_at_once(client, key, xh_handler):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get(URL, **headers).status_code == 200
    User.objects.filter(pk=xh_handler.pk).update(is_active=False)
    assert client.get(URL, **headers).status_code == 401


def test_a_token_that_is_not_ascii_is_refused_not_a_crash(client):
    response = client.get(URL, HTTP_AUTHORIZATION="Bearer qd_令牌令牌")
    assert response.status_code == 401


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
