"""On PostgreSQL the audit trail is append-only: UPDATE and DELETE raise, except for the retention
purge, which sets ``semh.audit_purge`` for its own transaction (semh.audit.purge_expired)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION semh_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('semh.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER semh_audit_append_only
    BEFORE UPDATE OR DELETE ON semh_auditevent
    FOR EACH ROW EXECUTE FUNCTION semh_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS semh_audit_append_only ON semh_auditevent;
DROP FUNCTION IF EXISTS semh_audit_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("semh", "0003_school_day")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
