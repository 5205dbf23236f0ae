"""Write and verify the audit chain."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from qingdan.audit.models import AuditEntry

GENESIS = "0" * 64
# Any constant: serialises writers of the chain on PostgreSQL (SQLite serialises all writers).
_CHAIN_LOCK_KEY = 7_021_117


def _canonical(value: Any) -> Any:
    """Round-trip through JSON so what we hash is exactly what the database will return."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)) if value is not None else None


def entry_digest(*, seq: int, at: str, actor_id: int | None, actor_label: str, action: str,
                 object_type: str, object_id: str, unit_path: str, before: Any, after: Any,
                 prev_digest: str) -> str:
    """Return the SHA-256 of an entry's content joined to the previous digest."""
    payload = json.dumps(
        [seq, at, actor_id, actor_label, action, object_type, object_id, unit_path, before, after, prev_digest],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _timestamp(value: Any) -> str:
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _actor_fields(actor: Any) -> tuple[int | None, str]:
    """Return (user id, label): a user's id and username, or a system label such as 'demo'."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.pk, actor.username
    return None, actor if isinstance(actor, str) else ""


def _append(*, actor: Any, action: str, changes: list[dict[str, Any]]) -> list[AuditEntry]:
    """Extend the chain by one entry per change, holding the chain lock for the whole batch."""
    actor_id, actor_label = _actor_fields(actor)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
        last = AuditEntry.objects.order_by("-seq").values("seq", "digest").first()
        seq = last["seq"] if last else 0
        prev = last["digest"] if last else GENESIS
        at = timezone.now()
        stamp = _timestamp(at)
        entries = []
        for change in changes:
            seq += 1
            fields = {
                "object_type": change.get("object_type", ""), "object_id": str(change.get("object_id", "")),
                "unit_path": change.get("unit_path", ""), "before": _canonical(change.get("before")),
                "after": _canonical(change.get("after")),
            }
            digest = entry_digest(seq=seq, at=stamp, actor_id=actor_id, actor_label=actor_label, action=action,
                                  prev_digest=prev, **fields)
            entries.append(AuditEntry(seq=seq, at=at, actor_id=actor_id, actor_label=actor_label, action=action,
                                      prev_digest=prev, digest=digest, **fields))
            prev = digest
        return AuditEntry.objects.bulk_create(entries, batch_size=2000)


def audit_record(*, actor: Any, action: str, obj: Any = None, object_type: str = "", object_id: str = "",
                 unit_path: str | None = None, before: Any = None, after: Any = None) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction.

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


def audit_record_many(*, actor: Any, action: str, changes: list[dict[str, Any]]) -> int:
    """Append one entry per change in a single locked pass (bulk imports of thousands of rows).

    Each change is a dict with ``object_type``, ``object_id`` and optionally ``unit_path``,
    ``before`` and ``after``. Returns the number of entries written.
    """
    return len(_append(actor=actor, action=action, changes=changes)) if changes else 0


@dataclass
class VerifyResult:
    """The outcome of walking the chain."""

    checked: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        """Tell whether the chain is intact."""
        return not self.problems


def audit_verify(*, batch: int = 5000) -> VerifyResult:
    """Recompute every digest in order; report edited, inserted and deleted entries."""
    problems: list[str] = []
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        entries = list(AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq")[:batch])
        if not entries:
            break
        for entry in entries:
            checked += 1
            if entry.seq != expected_seq:
                problems.append(f"entries {expected_seq}..{entry.seq - 1} are missing (deleted)")
            if entry.prev_digest != prev:
                problems.append(f"entry {entry.seq} does not follow the entry before it")
            recomputed = entry_digest(
                seq=entry.seq, at=_timestamp(entry.at), actor_id=entry.actor_id, actor_label=entry.actor_label,
                action=entry.action, object_type=entry.object_type, object_id=entry.object_id,
                unit_path=entry.unit_path, before=entry.before, after=entry.after, prev_digest=entry.prev_digest,
            )
            if recomputed != entry.digest:
                problems.append(f"entry {entry.seq} was altered after it was written")
            prev = entry.digest
            expected_seq = entry.seq + 1
            last_seq = entry.seq
    return VerifyResult(checked=checked, problems=problems)
