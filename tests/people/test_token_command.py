"""``qingdan token create|list|revoke`` and the admin's revoke action, from the operator's side."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from qingdan.audit.models import AuditEntry
from qingdan.people.models import ApiToken

pytestmark = pytest.mark.django_db

URL = "/api/v1/units/330106009"


def run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command("token", *args, stdout=out, **options)
    return out.getvalue()


def exit_code(*argv: str) -> int:
    """Run the command as the shell does (run_from_argv), and return its exit status.

    run_from_argv closes the database connections when it ends, which would end the test's own
    transaction on PostgreSQL: that one step is held back, nothing else.
    """
    from unittest import mock

    from django.db import connections

    from qingdan.people.management.commands.token import Command

    command = Command(stdout=io.StringIO(), stderr=io.StringIO())
    with mock.patch.object(connections, "close_all"), pytest.raises(SystemExit) as stopped:
        command.run_from_argv(["qingdan", "token", *argv])
    return stopped.value.code


def test_create_prints_the_token_last_on_its_own_line_and_it_works(xh_handler):
    out = run("create", "xh_handler", "--name", "工单系统")
    key = out.rstrip("\n").splitlines()[-1]
    assert key.startswith("qd_") and " " not in key
    token = ApiToken.objects.get(user=xh_handler)
    assert token.name == "工单系统" and token.digest not in out
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    assert AuditEntry.objects.filter(action="people.token_created", object_id=str(token.pk)).exists()


def test_create_for_an_unknown_user_is_a_clear_error_and_a_nonzero_exit(tree):
    with pytest.raises(CommandError, match="no user named nobody"):
        run("create", "nobody", "--name", "x")
    assert exit_code("create", "nobody", "--name", "x") == 1
    assert not ApiToken.objects.exists()


def test_create_needs_a_name_and_refuses_a_deactivated_account(xh_handler):
    with pytest.raises(CommandError, match="--name"):
        run("create", "xh_handler")
    xh_handler.is_active = False
    xh_handler.save()
    with pytest.raises(CommandError, match="已停用"):
        run("create", "xh_handler", "--name", "x")
    assert not ApiToken.objects.exists()


def test_list_shows_name_dates_and_revocation_never_a_secret(xh_handler, bj_handler):
    first = run("create", "xh_handler", "--name", "etl").splitlines()[-1]
    second = run("create", "bj_handler", "--name", "大屏").splitlines()[-1]
    run("revoke", str(ApiToken.objects.get(user=bj_handler).pk))
    listing = run("list")
    assert first not in listing and second not in listing
    assert first[10:] not in listing  # not even the part of the key after its prefix
    for token in ApiToken.objects.all():
        assert token.digest not in listing
    lines = listing.splitlines()
    assert lines[0] == "id\tuser\tname\tprefix\tcreated\tlast used\tstatus"
    xh_line = next(line for line in lines if "\txh_handler\t" in line)
    bj_line = next(line for line in lines if "\tbj_handler\t" in line)
    assert "\tetl\t" in xh_line and xh_line.endswith("\tlive") and "\t-\t" in xh_line  # never used yet
    assert "\t大屏\t" in bj_line and "\trevoked 20" in bj_line
    only = run("list", "xh_handler")
    assert "xh_handler" in only and "bj_handler" not in only


def test_list_of_an_unknown_user_fails_and_shows_last_use(xh_handler):
    assert exit_code("list", "nobody") == 1
    key = run("create", "xh_handler", "--name", "etl").splitlines()[-1]
    Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}")
    line = run("list", "xh_handler").splitlines()[1]
    assert line.split("\t")[5] != "-"  # last used is stamped


def test_revoke_by_id_or_name_takes_effect_on_the_next_request(xh_handler):
    key = run("create", "xh_handler", "--name", "etl").splitlines()[-1]
    client = Client()
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    out = run("revoke", "etl")
    assert "revoked token" in out and "etl" in out
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    token = ApiToken.objects.get(user=xh_handler)
    assert AuditEntry.objects.filter(action="people.token_revoked", object_id=str(token.pk)).exists()
    again = run("create", "xh_handler", "--name", "etl2").splitlines()[-1]
    run("revoke", str(ApiToken.objects.get(name="etl2").pk))
    assert client.get(URL, HTTP_AUTHORIZATION=f"Bearer {again}").status_code == 401


def test_revoke_unknown_ambiguous_or_twice_is_an_error_with_a_nonzero_exit(xh_handler, bj_handler):
    run("create", "xh_handler", "--name", "etl")
    run("create", "bj_handler", "--name", "etl")
    assert exit_code("revoke", "nothing-like-this") == 1
    with pytest.raises(CommandError, match="对应多个令牌"):
        run("revoke", "etl")  # two users' "etl": say which by id
    assert not ApiToken.objects.filter(revoked_at__isnull=False).exists()
    pk = str(ApiToken.objects.get(user=xh_handler).pk)
    run("revoke", pk)
    with pytest.raises(CommandError, match="已被吊销"):
        run("revoke", pk)
    assert exit_code("revoke") == 1


def test_an_organizer_acting_with_as_cannot_revoke_a_token_outside_their_reach(xh_organizer, bj_handler):
    run("create", "bj_handler", "--name", "滨江")
    with pytest.raises(CommandError, match="没有编号、前缀或名称为"):
        run("revoke", "滨江", as_user="xh_organizer")
    assert "bj_handler" not in run("list", as_user="xh_organizer")
    assert ApiToken.objects.get(user=bj_handler).revoked_at is None


def test_the_admin_revokes_selected_tokens_through_the_service(xh_handler, xh_organizer, bj_handler):
    key = run("create", "xh_handler", "--name", "etl").splitlines()[-1]
    run("create", "bj_handler", "--name", "滨江")
    mine, theirs = ApiToken.objects.get(user=xh_handler), ApiToken.objects.get(user=bj_handler)
    admin = Client()
    admin.force_login(xh_organizer)
    listing = admin.get("/admin/people/apitoken/").content.decode()
    assert 'value="revoke"' in listing and "delete_selected" not in listing
    response = admin.post("/admin/people/apitoken/", {"action": "revoke", "_selected_action": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None
    assert theirs.revoked_at is None  # 滨江区's handler is outside a 西湖区 organizer's reach
    assert AuditEntry.objects.filter(action="people.token_revoked", object_id=str(mine.pk)).exists()
    assert Client().get(URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
