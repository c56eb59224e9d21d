"""A read replica, when one is configured: the dashboards and the report worker's rendering read
from it, while writes (the audit row, the request's own row) and reads of what was just written
stay on the primary. With no replica configured everything goes to the primary.

The replica here is what tests get from ``"TEST": {"MIRROR": "default"}``: a second connection to
the primary's test database, so the rows are the same and the queries can be counted apart. It
only sees committed rows, hence the transactional database."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reports.models import ReportRequest
from reports.services.report_requests import run_report
from semh.access import Role
from semh.db_router import REPLICA, ReplicaRouter, reads_from_replica
from semh.models import School, Term
from tests.conftest import require_service
from tests.factories import TermFactory
from tests.factories.incidents import IncidentFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def replica(transactional_db):
    """A replica alias configured as settings.py does when SEMH_REPLICA_DATABASE_URL is set."""
    engine = connections["default"].settings_dict["ENGINE"]
    require_service("postgresql" in engine, "PostgreSQL (DATABASE_URL)")  # a second connection
    connections.settings[REPLICA] = {
        **connections["default"].settings_dict,
        "TEST": {"MIRROR": "default"},
    }
    # Connected here: Django's test case refuses to open a connection to an alias it was not
    # told about when it started, and this one was added after.
    connections[REPLICA].connect()
    yield connections[REPLICA]
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        term = TermFactory(school=cast.school_a)
        IncidentFactory(school=cast.school_a, pupils=[cast.pupils_a[0]])
    return term


def sql_of(captured) -> list[str]:
    return [query["sql"] for query in captured.captured_queries]


def touching(queries, table) -> list[str]:
    return [sql for sql in queries if f'"{table}"' in sql]


def writes(queries) -> list[str]:
    return [sql for sql in queries if sql.lstrip().split()[0].upper() in {"INSERT", "UPDATE"}]


def test_the_senco_dashboard_reads_from_the_replica_and_writes_its_audit_row_on_the_primary(
    replica, client, cast, autumn
):
    client.force_login(cast.user(Role.SENCO))
    url = reverse("reports:dashboard", args=["alder"]) + f"?term={autumn.pk}"

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        response = client.get(url)

    assert response.status_code == 200
    assert "Incidents" in response.content.decode()
    replica_sql, primary_sql = sql_of(on_replica), sql_of(primary)
    assert touching(replica_sql, "incidents_incident")  # the figures came from the replica
    assert not touching(primary_sql, "incidents_incident")
    assert writes(replica_sql) == []
    assert touching(writes(primary_sql), "semh_auditevent")  # who looked: on the primary


@pytest.mark.parametrize(
    "page",
    [
        lambda term: reverse("incidents:analysis", args=["alder"]),
        lambda term: reverse("reports:effectiveness", args=["alder"]),
        lambda term: reverse("schools_dashboard") + "?on=2026-11-25",
    ],
    ids=["incident analysis", "effectiveness", "schools' figures"],
)
def test_the_other_reporting_pages_read_from_the_replica(replica, client, cast, autumn, page):
    client.force_login(cast.user(Role.SLT))

    with CaptureQueriesContext(replica) as on_replica:
        response = client.get(page(autumn))

    assert response.status_code == 200
    assert len(on_replica) > 0 and writes(sql_of(on_replica)) == []


def test_the_report_worker_renders_from_the_replica_and_keeps_the_request_row_on_the_primary(
    replica, cast, autumn
):
    with scope(school=cast.school_a):
        report = ReportRequest.objects.create(
            school=cast.school_a,
            kind="termly",
            params={"term": str(autumn.pk)},
            requested_by=cast.user(Role.SLT),
        )

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(replica) as on_replica,
    ):
        assert run_report(report.pk) == "done"

    replica_sql, primary_sql = sql_of(on_replica), sql_of(primary)
    assert touching(replica_sql, "incidents_incident")
    assert not touching(replica_sql, "reports_reportrequest")  # claim, progress, finish: primary
    assert writes(replica_sql) == []
    assert len(touching(writes(primary_sql), "reports_reportrequest")) >= 3
    with scopes_disabled():
        report.refresh_from_db()
    assert (report.status, report.attempts) == ("done", 1) and report.pages >= 1


def test_inside_the_block_what_was_just_written_is_read_from_the_primary(replica, cast):
    with reads_from_replica(), scopes_disabled():
        before = School.objects.get(pk=cast.school_a.pk)
        School.objects.filter(pk=cast.school_a.pk).update(name="Alder Academy")
        after = School.objects.get(pk=cast.school_a.pk)
        other_model = Term.objects.all()

        assert before._state.db == REPLICA
        assert (after._state.db, after.name) == ("default", "Alder Academy")
        assert other_model.db == REPLICA  # only the written model is pinned
    assert School.objects.all().db == "default"  # outside the block: the primary


def test_without_a_replica_everything_goes_to_the_primary(client, cast):
    assert REPLICA not in connections
    with reads_from_replica(), scopes_disabled():
        assert ReplicaRouter().db_for_read(Term) is None  # Django's default: the primary
        assert Term.objects.all().db == "default"
    client.force_login(cast.user(Role.SENCO))
    assert client.get(reverse("reports:dashboard", args=["alder"])).status_code == 200


def test_the_setting_adds_the_replica_alias_mirrored_under_tests():
    program = (
        "import django; django.setup(); from django.conf import settings as s; "
        "r = s.DATABASES['replica']; print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], "
        "'replica' in s.DATABASES)"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "1",
        "DATABASE_URL": "postgres://app@primary.internal:5432/semh",
        "SEMH_REPLICA_DATABASE_URL": "postgres://reader@replica.internal:5432/semh",
    }
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["replica.internal", "semh", "default", "True"]

    del env["SEMH_REPLICA_DATABASE_URL"]
    program = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(list(s.DATABASES))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["['default']"]
