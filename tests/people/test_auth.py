"""Log-in: Argon2 hashes, throttling, auditing, cookie and secret settings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.conf import settings

from qingdan.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production():
    assert settings.PASSWORD_HASHERS[1] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    from django.contrib.auth.hashers import Argon2PasswordHasher

    encoded = Argon2PasswordHasher().encode("x" * 12, Argon2PasswordHasher().salt())
    assert encoded.startswith("argon2$argon2id$")


def test_login_and_failed_login_are_audited(client, xh_handler):
    assert client.post("/accounts/login/", {"username": "xh_handler", "password": "wrong-password"}).status_code == 200
    assert client.post("/accounts/login/", {"username": "xh_handler", "password": PASSWORD}).status_code == 302
    failed = AuditEntry.objects.get(action="people.login_failed")
    assert failed.object_id == "xh_handler"
    assert "wrong-password" not in str(failed.after) and "wrong-password" not in str(failed.before)
    assert AuditEntry.objects.filter(action="people.login", actor=xh_handler).count() == 1


def test_repeated_failures_lock_the_account_out(client, xh_handler):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "xh_handler", "password": "wrong-password"})
    response = client.post("/accounts/login/", {"username": "xh_handler", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_role_grant_and_revoke_are_audited(tree, xh_handler):
    from qingdan.people.models import RoleAssignment
    from qingdan.people.services import role_grant, role_revoke
    from qingdan.units.choices import Role

    assignment = role_grant(actor="test", user=xh_handler, role=Role.SUPERVISOR, unit=tree["330106009"])
    role_revoke(actor="test", assignment=assignment)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    actions = list(AuditEntry.objects.filter(action__startswith="people.role_").order_by("seq")
                   .values_list("action", "after", "before"))
    assert actions[-2][0] == "people.role_granted" and actions[-2][1]["role"] == "supervisor"
    assert actions[-1][0] == "people.role_revoked" and actions[-1][2]["unit"] == "330106009"


def test_organizer_cannot_grant_roles_outside_its_subtree(tree, xh_organizer, bj_handler):
    from qingdan.core.errors import PermissionDenied
    from qingdan.people.services import role_grant
    from qingdan.units.choices import Role

    with pytest.raises(PermissionDenied):
        role_grant(actor=xh_organizer, user=bj_handler, role=Role.LEADER, unit=tree["330108"])
    with pytest.raises(PermissionDenied):  # an organizer cannot mint administrators
        role_grant(actor=xh_organizer, user=bj_handler, role=Role.ADMIN, unit=tree["330106009"])


def test_granting_an_admin_site_role_makes_staff(tree, xh_handler):
    from qingdan.people.services import role_grant
    from qingdan.units.choices import Role

    assert not xh_handler.is_staff
    role_grant(actor="test", user=xh_handler, role=Role.ORGANIZER, unit=tree["330106009"])
    xh_handler.refresh_from_db()
    assert xh_handler.is_staff


def _settings_in_subprocess(env: dict[str, str], code: str) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    command = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    return subprocess.run(command, env=clean, capture_output=True, text=True,  # noqa: S603 - our own code
                          cwd=settings.BASE_DIR, timeout=60)


def test_production_refuses_to_start_without_secret_key():
    result = _settings_in_subprocess({}, "print('started')")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_defaults_are_safe():
    code = ("from django.conf import settings as s; "
            "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS, s.TIME_ZONE, "
            "s.LANGUAGE_CODE)")
    result = _settings_in_subprocess({"SECRET_KEY": "x" * 50}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "[]", "Asia/Shanghai", "zh-hans"]


def test_interface_is_chinese_by_default_and_english_on_request(client, xh_handler):
    client.force_login(xh_handler)
    assert "退出" in client.get("/").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Log out" in english
