"""Write, seal and verify the audit chain.

An entry is sealed when it gets its place in the chain: the next ``seq``, the previous entry's
digest, and its own ``digest = sha256(content + previous digest)``, under one lock. Until
2026-11 every writer waited for that lock and held it to its commit, which serialised every
write of the system (every submission) behind one lock; now a writer that finds the lock taken
writes its entry unsealed and goes on, and the next writer that gets the lock seals it. From
then on the database trigger refuses any change to the entry.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from qingdan.audit.models import AuditEntry
from qingdan.core.actors import Actor, user_of

GENESIS = "0" * 64
# Any constant: one sealer of the chain at a time on PostgreSQL (SQLite serialises all writers itself).
_CHAIN_LOCK_KEY = 7_021_117


def _canonical(value: Any) -> Any:
    """Round-trip through JSON so what we hash is exactly what the database will return."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)) if value is not None else None


def entry_digest(*, seq: int | None, at: str, actor_id: int | None, actor_label: str, action: str,
                 object_type: str, object_id: str, unit_path: str, before: Any, after: Any,
                 prev_digest: str | None) -> str:
    """Return the SHA-256 of an entry's content joined to the previous digest.

    ``seq`` and ``prev_digest`` are None only on a row someone emptied behind the trigger's back:
    they digest as null, so audit_verify reports the entry instead of failing on it.
    """
    payload = json.dumps(
        [seq, at, actor_id, actor_label, action, object_type, object_id, unit_path, before, after, prev_digest],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _timestamp(value: Any) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    """Return (user id, label): a user's id and username, or a system label such as 'demo'."""
    user = user_of(actor)
    if user is not None:
        return user.pk, user.username
    return None, actor if isinstance(actor, str) else ""


def _append(*, actor: Actor, action: str, changes: list[dict[str, Any]]) -> list[AuditEntry]:
    """Write one entry per change: chained at once if the chain is free, else unsealed. Never waits.

    A writer that gets the chain lock without waiting first seals what others left pending, then
    writes its own entries sealed, and holds the lock until its transaction ends. A writer that
    finds the lock taken writes its entries unsealed and goes on: the next writer to get the lock
    (or ``audit_seal``) chains them. So writers never queue on one another, and with one writer
    at a time (SQLite, tests, a quiet day) every entry is sealed when it is written.
    """
    actor_id, actor_label = _actor_fields(actor)
    at = timezone.now()
    entries = [
        AuditEntry(at=at, actor_id=actor_id, actor_label=actor_label, action=action,
                   object_type=change.get("object_type", ""), object_id=str(change.get("object_id", "")),
                   unit_path=change.get("unit_path", ""), before=_canonical(change.get("before")),
                   after=_canonical(change.get("after")))
        for change in changes
    ]
    # savepoint=False: inside the caller's transaction a savepoint would cost two round trips and
    # buy nothing, since a failed audit row must fail the change it records anyway.
    global _busy_until
    with transaction.atomic(savepoint=False):
        clock = time.monotonic()
        if clock < _busy_until:
            pass  # the chain was busy a moment ago: write unsealed without asking again
        elif not _chain_lock(wait=False):
            _busy_until = clock + BUSY_BACK_OFF
        else:
            seq, prev = _seal_pending()
            for entry in entries:
                seq += 1
                entry.seq, entry.prev_digest = seq, prev
                entry.digest = prev = _digest_of(entry)
        return AuditEntry.objects.bulk_create(entries, batch_size=2000)


# After finding the chain busy, a process writes unsealed for this long without asking for the
# lock again: under load that saves two round trips per write, and the next writer to get the
# lock seals a larger batch at once. One writer at a time never finds it busy.
BUSY_BACK_OFF = 0.05
_busy_until = 0.0


def _chain_lock(*, wait: bool) -> bool:
    """Take the chain lock until the transaction ends; with ``wait=False`` only if it is free.

    PostgreSQL: an advisory lock. SQLite serialises writers itself, so the lock is always ours.
    """
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _seal_pending(*, batch: int = 5000) -> tuple[int, str]:
    """Chain every committed unsealed entry, in id order; return the chain's end (seq, digest).

    Call it holding the chain lock. One round trip when nothing is pending (the usual case).
    """
    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT seq FROM {table} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1), "
            f"(SELECT digest FROM {table} WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1), "
            f"EXISTS (SELECT 1 FROM {table} WHERE seq IS NULL)"
        )
        last_seq, last_digest, pending = cursor.fetchone()
    seq, prev = (last_seq or 0), (last_digest or GENESIS)
    while pending:
        entries = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:batch])
        for entry in entries:
            seq += 1
            entry.seq, entry.prev_digest = seq, prev
            entry.digest = prev = _digest_of(entry)
        if entries:
            # executemany: one pipelined statement per entry; bulk_update's CASE grows with the square.
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET seq = %s, prev_digest = %s, digest = %s WHERE id = %s",
                                   [(e.seq, e.prev_digest, e.digest, e.pk) for e in entries])
        pending = len(entries) == batch
    return seq, prev


def audit_seal(*, wait: bool = True) -> int:
    """Chain every unsealed entry, in the order of their ids; return how many were sealed.

    Writers seal what is pending whenever they find the chain free; this seals what the last
    busy moment left (``qingdan audit seal``, ``audit verify``, the ``audit_seal_task``). With
    ``wait=False`` it returns 0 at once if a writer holds the chain. Sealing sets only ``seq``,
    ``prev_digest`` and ``digest``, once: the database trigger refuses any other change, and any
    change at all to a sealed entry.
    """
    with transaction.atomic():
        if not _chain_lock(wait=wait):
            return 0
        before = AuditEntry.objects.filter(seq__isnull=True).count()
        if before:
            _seal_pending()
        return before


def _digest_of(entry: AuditEntry) -> str:
    """Return the digest an entry read from the database should carry, given its seq and prev_digest."""
    return entry_digest(seq=entry.seq, at=_timestamp(entry.at), actor_id=entry.actor_id,
                        actor_label=entry.actor_label, action=entry.action, object_type=entry.object_type,
                        object_id=entry.object_id, unit_path=entry.unit_path, before=entry.before,
                        after=entry.after, prev_digest=entry.prev_digest)


def audit_record(*, actor: Actor, action: str, obj: Any = None, object_type: str = "", object_id: str = "",
                 unit_path: str | None = None, before: Any = None, after: Any = None) -> AuditEntry:
    """Append one entry to the log, inside the caller's transaction; it joins the chain when sealed.

    Call it in the same transaction as the change it records, so the change and its audit
    row are committed together or not at all. ``actor`` is a user, or a label for the system.
    ``unit_path`` defaults to the object's place in the tree; pass "" to record none.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        if unit_path is None:
            unit_path = getattr(obj, "path", "") or getattr(getattr(obj, "unit", None), "path", "")
    change = {"object_type": object_type, "object_id": object_id, "unit_path": unit_path or "",
              "before": before, "after": after}
    return _append(actor=actor, action=action, changes=[change])[0]


def audit_record_many(*, actor: Actor, action: str, changes: list[dict[str, Any]]) -> int:
    """Append one entry per change in one INSERT per 2,000 (bulk imports of thousands of rows).

    Each change is a dict with ``object_type``, ``object_id`` and optionally ``unit_path``,
    ``before`` and ``after``. Returns the number of entries written.
    """
    return len(_append(actor=actor, action=action, changes=changes)) if changes else 0


@dataclass
class VerifyResult:
    """The outcome of walking the chain."""

    checked: int
    problems: list[str]
    sealed: int = 0

    @property
    def ok(self) -> bool:
        """Tell whether the chain is intact."""
        return not self.problems


def audit_verify(*, batch: int = 5000) -> VerifyResult:
    """Seal what is pending, then recompute every digest in order; report edited, inserted and deleted entries."""
    sealed = audit_seal()
    problems: list[str] = []
    prev: str | None = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        entries = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not entries:
            break
        for entry in entries:
            checked += 1
            assert entry.seq is not None  # seq__gt leaves the unsealed entries out
            if entry.seq != expected_seq:
                problems.append(f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)")
            if entry.prev_digest != prev:
                problems.append(f"entry {entry.seq} does not follow the entry before it")
            if _digest_of(entry) != entry.digest:
                problems.append(f"entry {entry.seq} was altered after it was written")
            prev = entry.digest
            expected_seq = entry.seq + 1
            last_seq = entry.seq
    return VerifyResult(checked=checked, problems=problems, sealed=sealed)
