"""Let the append-only guard allow exactly one UPDATE: sealing an unsealed entry, content untouched.

Everything else stays refused: any change to a sealed entry, any change to an entry's content,
a second seal, and DELETE on PostgreSQL. On SQLite migration 0004 rebuilt the table, which drops
its triggers, so the guard is created again here.
"""

from django.db import migrations

_CONTENT = ["id", "at", "actor_id", "actor_label", "action", "object_type", "object_id", "unit_path", "before",
            "after"]

PG_UP = f"""
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND NEW.prev_digest IS NOT NULL
     AND NEW.digest IS NOT NULL
     AND ({", ".join("NEW." + c for c in _CONTENT)}) IS NOT DISTINCT FROM ({", ".join("OLD." + c for c in _CONTENT)})
  THEN
    RETURN NEW;  -- sealing: seq, prev_digest and digest set once, nothing else changed
  END IF;
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_auditentry_no_update ON audit_auditentry;
CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
  FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only();
"""
PG_DOWN = """
CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
"""
_SEALING = " AND ".join(
    ["OLD.seq IS NULL", "NEW.seq IS NOT NULL", "NEW.prev_digest IS NOT NULL", "NEW.digest IS NOT NULL"]
    + [f"NEW.{c} IS OLD.{c}" for c in _CONTENT]
)
SQLITE_UP = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    f"CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry WHEN NOT ({_SEALING}) "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update;",
    "CREATE TRIGGER audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_seal_later")]
    operations = [migrations.RunPython(forwards, backwards)]
