"""The audit log is append-only and tamper-evident; entries are written unsealed and sealed into the chain."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from qingdan.audit import services
from qingdan.audit.models import AuditEntry
from qingdan.audit.services import audit_record, audit_record_many, audit_seal, audit_verify

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
            guard = importlib.import_module("qingdan.audit.migrations.0005_seal_guard")
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


def test_a_lone_writer_seals_its_entry_at_once(tree):
    entry = audit_record(actor="test", action="a.alone", object_type="x", object_id="1")
    assert entry.seq is not None and entry.digest is not None
    assert AuditEntry.objects.get(pk=entry.pk).digest == entry.digest
    assert audit_verify().ok


@pytest.fixture
def busy_chain(monkeypatch):
    """Another writer holds the chain lock: entries written now stay unsealed."""
    monkeypatch.setattr(services, "_busy_until", 0.0)  # restored afterwards: later tests find the chain free
    monkeypatch.setattr(services, "_chain_lock", lambda *, wait: wait)


def test_a_writer_finding_the_chain_busy_leaves_its_entry_unsealed(tree, busy_chain):
    first = audit_record(actor="test", action="a.first", object_type="x", object_id="1")
    second = audit_record(actor="test", action="a.second", object_type="x", object_id="2")
    assert first.seq is None and first.digest is None  # written without waiting for the chain
    assert audit_seal(wait=False) == 0  # the chain is still busy
    assert audit_seal() == 2
    assert audit_seal() == 0
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.seq == first.seq + 1 and second.prev_digest == first.digest
    result = audit_verify()
    assert result.ok and result.sealed == 0


def test_the_next_writer_to_get_the_chain_seals_what_was_left_pending(tree, monkeypatch):
    monkeypatch.setattr(services, "_busy_until", 0.0)
    monkeypatch.setattr(services, "_chain_lock", lambda *, wait: wait)
    left = [audit_record(actor="test", action="a.left", object_type="x", object_id=str(n)) for n in range(3)]
    monkeypatch.undo()
    last = audit_record(actor="test", action="a.last", object_type="x", object_id="last")
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()
    seqs = [AuditEntry.objects.get(pk=e.pk).seq for e in left]
    assert seqs == sorted(seqs) and last.seq == seqs[-1] + 1
    assert audit_verify().ok


def test_after_finding_the_chain_busy_a_process_stops_asking_for_a_moment(tree, monkeypatch):
    asked: list[bool] = []
    monkeypatch.setattr(services, "_busy_until", 0.0)
    monkeypatch.setattr(services, "_chain_lock", lambda *, wait: asked.append(wait) or wait)
    audit_record(actor="test", action="a.one", object_type="x", object_id="1")
    audit_record(actor="test", action="a.two", object_type="x", object_id="2")
    assert asked == [False]  # the second write did not ask: the chain was busy a moment ago
    monkeypatch.setattr(services, "_busy_until", 0.0)  # the moment has passed
    audit_record(actor="test", action="a.three", object_type="x", object_id="3")
    assert asked == [False, False]
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 3


def test_verify_seals_what_is_pending(tree, busy_chain):
    audit_record(actor="test", action="a.pending", object_type="x", object_id="1")
    result = audit_verify()
    assert result.ok and result.sealed == 1
    assert not AuditEntry.objects.filter(seq__isnull=True).exists()


def test_sealing_is_the_only_update_allowed_and_only_once(tree, busy_chain):
    entry = audit_record(actor="test", action="a.x", object_type="x", object_id="1", after={"v": 1})
    assert entry.seq is None
    # Unsealed: the content may not change, not even together with a seal.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(seq=999, prev_digest="0" * 64, digest="f" * 64,
                                                      after={"v": 2})
    # A seal without its digest is refused too.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(seq=999)
    audit_seal()
    entry.refresh_from_db()
    # Sealed: neither a second seal nor "unsealing" it.
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(seq=entry.seq + 100, digest="f" * 64)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(seq=None, digest=None, prev_digest=None)
    entry_after = AuditEntry.objects.get(pk=entry.pk)
    assert (entry_after.seq, entry_after.digest, entry_after.after) == (entry.seq, entry.digest, {"v": 1})
    assert audit_verify().ok


def test_seal_command_reports_what_it_sealed(tree, busy_chain, capsys):
    audit_record(actor="test", action="a.cmd", object_type="x", object_id="1")
    call_command("audit", "seal")
    assert "sealed: 1" in capsys.readouterr().out


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


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_writers_do_not_wait_for_each_other_and_late_entries_are_sealed_later(monkeypatch):
    """A writer holding the chain to its commit no longer blocks the next writer (it used to: one lock for all)."""
    monkeypatch.setattr(services, "_busy_until", 0.0)  # the fast writer finds the chain busy; later tests do not
    written, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                audit_record(actor="test", action="a.slow", object_type="x", object_id="slow")
                written.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    try:
        assert written.wait(10)
        done = threading.Event()

        def fast_writer() -> None:
            try:
                audit_record(actor="test", action="a.fast", object_type="x", object_id="fast")
                done.set()
            finally:
                connection.close()

        other = threading.Thread(target=fast_writer)
        other.start()
        other.join(5)
        assert done.is_set(), "a writer waited for another writer's transaction"
        assert audit_seal(wait=False) == 0  # the slow writer still holds the chain
    finally:
        release.set()
        thread.join(10)
    assert audit_seal() == 1
    slow = AuditEntry.objects.get(object_id="slow")
    fast = AuditEntry.objects.get(object_id="fast")
    assert slow.pk < fast.pk and fast.seq == slow.seq + 1 and fast.prev_digest == slow.digest
    assert audit_verify().ok
