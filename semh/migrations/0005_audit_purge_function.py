"""The audit trail holds against the app's own database login.

Only ``semh_purge_audit_events(retention_days)`` deletes: it runs as the role that ran the
migrations (SECURITY DEFINER, the tables' owner; the app logs in as a role that owns nothing),
refuses a retention under a year, and deletes only rows older than it. The row trigger refuses
every other UPDATE and DELETE (the app role can set any variable, but is not the owner), and a
statement trigger refuses TRUNCATE. Superusers are let through TRUNCATE only: they can bypass any
trigger anyway, and Django's test-database flush truncates every table.
Nothing happens on SQLite (the demo).
"""

from django.db import migrations

FLOOR_DAYS = 365

CREATE = """
CREATE OR REPLACE FUNCTION semh_audit_append_only() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_user = (SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = TG_RELID)
       AND OLD.at < NULLIF(current_setting('semh.audit_purge_before', true), '')::timestamptz
    THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$;

CREATE OR REPLACE FUNCTION semh_purge_audit_events(retention_days integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    deleted integer;
BEGIN
    IF retention_days IS NULL OR retention_days < {floor} THEN
        RAISE EXCEPTION 'audit events are kept for at least {floor} days, not %', retention_days;
    END IF;
    cutoff := now() - make_interval(days => retention_days);
    PERFORM set_config('semh.audit_purge_before', cutoff::text, true);
    DELETE FROM semh_auditevent WHERE at < cutoff;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('semh.audit_purge_before', '', true);
    RETURN deleted;
END;
$$;

CREATE OR REPLACE FUNCTION semh_audit_no_truncate() RETURNS trigger
LANGUAGE plpgsql SET search_path = {schema}, pg_temp AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit trail cannot be truncated';
END;
$$;

CREATE TRIGGER semh_audit_no_truncate
    BEFORE TRUNCATE ON semh_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION semh_audit_no_truncate();
"""

# Back to 0004: the trigger with its session switch.
DROP = """
DROP TRIGGER IF EXISTS semh_audit_no_truncate ON semh_auditevent;
DROP FUNCTION IF EXISTS semh_audit_no_truncate();
DROP FUNCTION IF EXISTS semh_purge_audit_events(integer);
CREATE OR REPLACE FUNCTION semh_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('semh.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
ALTER FUNCTION semh_audit_append_only() RESET search_path;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    sql = CREATE.format(schema=schema_editor.quote_name(schema), floor=FLOOR_DAYS)
    schema_editor.execute(sql, params=None)  # None: the "%" in RAISE is not a placeholder


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("semh", "0004_audit_events_append_only")]

    operations = [migrations.RunPython(create, drop)]
