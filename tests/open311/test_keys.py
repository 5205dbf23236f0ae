"""api_keys: issued once, stored as a digest, scoped, listed, revoked; all audited; the command and the admin."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.management import CommandError, call_command

from qingdan.audit.models import AuditEntry
from qingdan.core.errors import ApplicationError, PermissionDenied
from qingdan.open311.errors import KeyRefused
from qingdan.open311.models import Open311Key
from qingdan.open311.services import key_authenticate, key_create, key_revoke

pytestmark = pytest.mark.django_db


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("open311", *args, stdout=out)
    return out.getvalue().splitlines()


def test_only_a_digest_is_stored_and_the_key_authenticates(tree):
    record, key = key_create(actor="test", name="citizen-app", unit=tree["330106"])
    assert key.startswith("o311_") and len(key) > 40
    stored = Open311Key.objects.filter(pk=record.pk).values().get()
    assert key not in str(stored)
    assert stored["digest"] == hashlib.sha256(key.encode()).hexdigest()
    assert key_authenticate(key) == record
    assert Open311Key.objects.get(pk=record.pk).last_used_at is not None


def test_creation_and_revocation_are_audited(tree):
    record, key = key_create(actor="test", name="citizen-app", unit=tree["330106"])
    created = AuditEntry.objects.get(action="open311.key_created")
    assert created.unit_path == tree["330106"].path and created.after["prefix"] == record.prefix
    assert key not in str(created.after)
    key_revoke(actor="test", key=record)
    assert AuditEntry.objects.filter(action="open311.key_revoked", object_id=str(record.pk)).exists()
    with pytest.raises(KeyRefused):
        key_authenticate(key)
    with pytest.raises(ApplicationError):
        key_revoke(actor="test", key=record)


def test_names_are_unique_among_live_keys(tree):
    first, _ = key_create(actor="test", name="app", unit=tree["330106"])
    with pytest.raises(ApplicationError):
        key_create(actor="test", name="app", unit=tree["330108"])
    key_revoke(actor="test", key=first)
    key_create(actor="test", name="app", unit=tree["330108"])  # the name is free again
    with pytest.raises(ApplicationError):
        key_create(actor="test", name="   ", unit=tree["330106"])


def test_staff_issue_keys_only_inside_the_tree_they_manage(tree, xh_organizer, xh_handler):
    key_create(actor=xh_organizer, name="xh", unit=tree["330106009"])
    with pytest.raises(PermissionDenied):
        key_create(actor=xh_organizer, name="bj", unit=tree["330108"])
    with pytest.raises(PermissionDenied):
        key_create(actor=xh_handler, name="handler", unit=tree["330106"])  # handlers manage nothing


def test_command_prints_the_key_as_its_last_line_and_lists_and_revokes(tree):
    lines = _run("key", "create", "Hangzhou 12345 app", "--unit", "330106")
    key = lines[-1]
    assert key.startswith("o311_") and key_authenticate(key).unit == tree["330106"]
    listing = "\n".join(_run("key", "list"))
    assert "Hangzhou 12345 app" in listing and key[:12] in listing and "live" in listing and key not in listing
    assert _run("key", "revoke", key[:10])[-1].startswith("revoked Hangzhou 12345 app")
    assert "revoked" in _run("key", "list")[-1]
    with pytest.raises(KeyRefused):
        key_authenticate(key)


def test_command_revokes_by_name_and_explains_mistakes(tree):
    _run("key", "create", "wechat-bridge", "--unit", "330108")
    with pytest.raises(CommandError, match="--unit"):
        _run("key", "create", "no-unit")
    with pytest.raises(CommandError, match="999999"):
        _run("key", "create", "nowhere", "--unit", "999999")
    with pytest.raises(CommandError):
        _run("key", "revoke", "no-such-key")
    assert _run("key", "revoke", "wechat-bridge")[-1].startswith("revoked wechat-bridge")


def test_command_as_a_staff_user_stays_in_their_scope(tree, xh_organizer):
    assert _run("key", "create", "xh-app", "--unit", "330106009", "--as", "xh_organizer")[-1].startswith("o311_")
    with pytest.raises(CommandError):
        _run("key", "create", "bj-app", "--unit", "330108", "--as", "xh_organizer")


def test_admin_lists_keys_in_scope_and_revokes_through_the_service(client, tree, xh_organizer):
    mine, _ = key_create(actor="test", name="xh-app", unit=tree["330106009"])
    theirs, _ = key_create(actor="test", name="bj-app", unit=tree["330108"])
    client.force_login(xh_organizer)
    body = client.get("/admin/open311/open311key/").content.decode()
    assert "xh-app" in body and "bj-app" not in body
    assert client.get(f"/admin/open311/open311key/{theirs.pk}/change/").status_code in (302, 403, 404)
    assert client.get("/admin/open311/open311key/add/").status_code == 403
    response = client.post("/admin/open311/open311key/", {"action": "revoke", "_selected_action": [mine.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    assert AuditEntry.objects.get(action="open311.key_revoked").actor_label == "xh_organizer"
