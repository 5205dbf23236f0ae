"""Login lock-out behind the proxy: per (account, address), and a ceiling per account across addresses."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from qingdan.audit.models import AuditEntry
from qingdan.core.clientip import client_ip
from qingdan.people.lockout import account_delay
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = {"REMOTE_ADDR": "127.0.0.1"}  # the documented nginx, on the same host
BEHIND_PROXY = override_settings(QINGDAN_CLIENT_IP_HEADER="HTTP_X_FORWARDED_FOR",
                                 QINGDAN_TRUSTED_PROXIES="127.0.0.1,::1")


def attempt(client: Client, ip: str, password: str = "wrong-password", username: str = "xh_handler"):  # noqa: S107
    return client.post("/accounts/login/", {"username": username, "password": password},
                       HTTP_X_FORWARDED_FOR=ip, **PROXY)


@BEHIND_PROXY
def test_client_ip_believes_the_header_only_from_a_trusted_proxy():
    rf = RequestFactory()
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="127.0.0.1")) == "203.0.113.9"
    # A client writing its own header straight at the app is not believed.
    assert client_ip(rf.get("/", HTTP_X_FORWARDED_FOR="203.0.113.9", REMOTE_ADDR="198.51.100.7")) == "198.51.100.7"
    # Spoofed hops to the left of what nginx appended are ignored.
    spoofed = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9", REMOTE_ADDR="127.0.0.1")
    assert client_ip(spoofed) == "203.0.113.9"


@BEHIND_PROXY
def test_failures_from_one_address_do_not_lock_the_user_out_from_another(client, xh_handler):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "203.0.113.66")
    assert attempt(client, "203.0.113.66", PASSWORD).status_code == 429
    other = Client()
    assert attempt(other, "198.51.100.20", PASSWORD).status_code == 302


@BEHIND_PROXY
def test_lock_writes_an_audit_row_and_notifies_the_owner(client, xh_handler):
    from qingdan.notifications.models import Notification

    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "203.0.113.66")
    entry = AuditEntry.objects.filter(action="people.login_locked", object_id="xh_handler").first()
    assert entry is not None and entry.after["ip"] == "203.0.113.66"
    assert Notification.objects.filter(recipient=xh_handler, kind="people.login_locked").count() == 1


@BEHIND_PROXY
@override_settings(QINGDAN_LOGIN_ACCOUNT_CEILING=6)
def test_many_addresses_hit_the_per_account_ceiling(client, xh_handler):
    for n in range(6):  # below the per-address limit at every address
        attempt(client, f"203.0.113.{n + 1}")
    # The ceiling holds even for the right password from a fresh address, for a while.
    response = attempt(Client(), "198.51.100.50", PASSWORD)
    assert response.status_code == 429
    assert AuditEntry.objects.filter(action="people.login_locked", after__reason="account_ceiling").exists()


@override_settings(QINGDAN_LOGIN_ACCOUNT_CEILING=10, QINGDAN_LOGIN_ACCOUNT_DELAY_SECONDS=60,
                   QINGDAN_LOGIN_ACCOUNT_DELAY_MAX_SECONDS=3600)
def test_account_delay_grows_with_each_failure_and_is_capped():
    assert account_delay(9) is None
    assert account_delay(10).total_seconds() == 60
    assert account_delay(11).total_seconds() == 120
    assert account_delay(13).total_seconds() == 480
    assert account_delay(40).total_seconds() == 3600
