"""The audit log is append-only and tamper-evident."""

from __future__ import annotations

import importlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_record, audit_record_many, audit_verify

pytestmark = pytest.mark.django_db


def _write_some(tree) -> None:
    audit_record(actor="test", action="a.one", obj=tree["330106"], before={"name": "旧"}, after={"name": "新"})
    audit_record_many(actor="test", action="a.many", changes=[
        {"object_type": "units.unit", "object_id": "1", "after": {"n": 1}},
        {"object_type": "units.unit", "object_id": "2", "after": {"n": 2}},
    ])
    audit_record(actor="test", action="a.three", obj=tree["330108"], after={"时间": "2026-11-23"})


def _bypass_append_only(sql: str, params: list) -> None:
    """Simulate someone with raw database access: lift the guard, tamper, restore the guard."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_auditentry_no_update")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_auditentry_no_update")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_no_update")
            cursor.execute(sql, params)
            guard = importlib.import_module("qingdan.audit.migrations.0003_append_only")
            for statement in guard.SQLITE_UP:
                cursor.execute(statement)


def test_chain_of_fresh_entries_verifies(tree):
    before = AuditEntry.objects.count()
    _write_some(tree)
    result = audit_verify()
    assert result.ok, result.problems
    assert result.checked == before + 4
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))


def test_update_and_delete_are_refused_by_the_database(tree):
    """UPDATE everywhere; DELETE on PostgreSQL (SQLite relies on the chain, see migration 0003)."""
    _write_some(tree)
    entry = AuditEntry.objects.order_by("seq").first()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_verify_detects_an_edited_entry(tree):
    _write_some(tree)
    target = AuditEntry.objects.get(action="a.one")
    _bypass_append_only("UPDATE audit_auditentry SET after = %s WHERE id = %s", ['{"name": "伪造"}', target.pk])
    result = audit_verify()
    assert not result.ok
    assert any(f"entry {target.seq} was altered" in p for p in result.problems)
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_verify_detects_a_deleted_entry(tree):
    _write_some(tree)
    target = AuditEntry.objects.get(action="a.many", object_id="1")
    _bypass_append_only("DELETE FROM audit_auditentry WHERE id = %s", [target.pk])
    result = audit_verify()
    assert any("missing" in p for p in result.problems)
    assert any("does not follow" in p for p in result.problems)


def test_verify_command_reports_intact_chain(tree, capsys):
    _write_some(tree)
    call_command("audit", "verify")
    assert "intact" in capsys.readouterr().out


def test_entries_name_the_actor_and_the_place(tree, xh_handler):
    entry = audit_record(actor=xh_handler, action="a.who", obj=tree["330106009"], after={"x": 1})
    assert entry.actor_id == xh_handler.pk and entry.actor_label == "xh_handler"
    assert entry.unit_path == tree["330106009"].path
    assert entry.object_type == "units.unit" and entry.object_id == str(tree["330106009"].pk)
