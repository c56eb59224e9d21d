"""The audit trail holds against the app's own database login (a role that does not own the
tables, as production runs): only the retention function deletes, and only expired rows."""

from datetime import date

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django_scopes import scopes_disabled

from semh import audit
from semh.access import Role
from semh.audit import AuditAction
from semh.models import AuditEvent
from tests.conftest import SUITE_DAY, SUITE_TIME, require_service

RETENTION = 7 * 365 + 2


@pytest.fixture
def trail(cast, clock):
    """An event twenty years old (past any retention) and one from this week."""
    clock.set(date(2006, 3, 1), 9)
    old = audit.record(actor=None, action=AuditAction.WORKER_CHECK, school=cast.school_a)
    clock.set(SUITE_DAY, *SUITE_TIME)
    recent = audit.record(
        actor=cast.user(Role.SENCO), action=AuditAction.PUPIL_VIEW, school=cast.school_a
    )
    return old, recent


@pytest.fixture
def as_app_role(db, trail):
    """From here on the test's connection acts as a role with the app's grants, no ownership."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (the audit trail's role)")
    role = f"semh_app_{settings.DATABASES['default']['NAME']}"[:63]
    with connection.cursor() as cursor:
        # Roles are cluster-wide: created inside the test's transaction, so it is rolled back.
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
        cursor.execute(
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"'
        )
        cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
        cursor.execute(f'SET ROLE "{role}"')
    return role


def refused(sql, *params):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return True


def kept(*events):
    with scopes_disabled():
        return AuditEvent.objects.filter(pk__in=[e.pk for e in events]).count() == len(events)


def test_the_app_role_cannot_delete_or_change_an_event(trail, as_app_role):
    old, recent = trail

    assert refused("DELETE FROM semh_auditevent WHERE id = %s", recent.pk)
    assert refused("DELETE FROM semh_auditevent WHERE id = %s", old.pk)
    assert refused("DELETE FROM semh_auditevent")
    assert refused("UPDATE semh_auditevent SET action = 'x' WHERE id = %s", recent.pk)
    assert kept(old, recent)


def test_the_old_purge_switch_no_longer_lets_anything_through(trail, as_app_role):
    old, recent = trail

    for switch in ("semh.audit_purge", "semh.audit_purge_before"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL {switch} = 'on'")
            cursor.execute("DELETE FROM semh_auditevent WHERE id = %s", [recent.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('semh.audit_purge_before', '9999-01-01', true)")
        cursor.execute("DELETE FROM semh_auditevent")
    assert kept(old, recent)


def test_the_app_role_cannot_truncate_even_when_granted_the_privilege(trail, as_app_role):
    old, recent = trail
    with connection.cursor() as cursor:
        # Run the deferred foreign-key checks of the rows just written: PostgreSQL refuses to
        # truncate a table with checks still pending, which would hide what is under test.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert refused("TRUNCATE semh_auditevent")
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")
        cursor.execute(f'GRANT TRUNCATE ON semh_auditevent TO "{as_app_role}"')
        cursor.execute(f'SET ROLE "{as_app_role}"')
    assert refused("TRUNCATE semh_auditevent")
    assert refused("TRUNCATE semh_auditevent CASCADE")
    assert kept(old, recent)


def test_the_app_role_cannot_switch_off_or_replace_the_protection(trail, as_app_role):
    old, recent = trail

    assert refused("ALTER TABLE semh_auditevent DISABLE TRIGGER ALL")
    assert refused("ALTER TABLE semh_auditevent DISABLE TRIGGER semh_audit_append_only")
    assert refused("DROP TRIGGER semh_audit_append_only ON semh_auditevent")
    assert refused("DROP FUNCTION semh_purge_audit_events(integer)")
    assert refused(
        "CREATE OR REPLACE FUNCTION semh_audit_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$"
    )
    assert refused("SET session_replication_role = replica")
    assert refused("DELETE FROM semh_auditevent WHERE id = %s", recent.pk)
    assert kept(old, recent)


def test_the_purge_function_removes_only_expired_events(trail, as_app_role):
    old, recent = trail

    with connection.cursor() as cursor:
        cursor.execute("SELECT semh_purge_audit_events(%s)", [RETENTION])
        (deleted,) = cursor.fetchone()

    assert deleted == 1
    with scopes_disabled():
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert kept(recent)


def test_the_purge_function_refuses_a_retention_below_its_floor(trail, as_app_role):
    old, recent = trail

    for days in (0, -1, 30, 364):
        assert refused("SELECT semh_purge_audit_events(%s)", days)
    assert refused("SELECT semh_purge_audit_events(NULL)")
    assert kept(old, recent)


def test_the_daily_purge_task_works_as_the_app_role(trail, as_app_role, settings):
    old, recent = trail
    settings.SEMH_AUDIT_RETENTION_DAYS = RETENTION

    assert audit.purge_expired() == 1
    with scopes_disabled():
        assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert kept(recent)
