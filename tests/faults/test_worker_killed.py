"""A Celery worker killed while it makes a report: once a worker runs again the report is made,
exactly once (one row, one file, both tries recorded).

Real workers in their own processes (``celery -A config worker``) on a Redis of the test's own;
the first is killed with SIGKILL while the request's row says "running"."""

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from reports.models import ReportRequest
from reports.services.report_requests import run_report, sweep_report_requests
from semh.access import Role
from tests.factories import TermFactory
from tests.faults.conftest import wait_for
from tests.reports.test_report_requests import broker

pytestmark = pytest.mark.celery


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        return TermFactory(school=cast.school_a)


def status_of(report_id):
    with scopes_disabled():
        return ReportRequest.objects.values("status", "attempts").get(pk=report_id)


def test_a_report_whose_worker_was_killed_is_made_once_when_a_worker_runs_again(
    transactional_db, private_redis, celery_workers, client, cast, autumn, clock, settings, tmp_path
):
    client.force_login(cast.user(Role.SLT))
    first = celery_workers(private_redis.url)
    with broker(private_redis.url):
        client.post(
            reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk}
        )
        with scopes_disabled():
            report = ReportRequest.objects.get()

        wait_for(
            lambda: status_of(report.pk)["status"] == "running",
            30,
            lambda: "the first worker to start the report\n" + first.output(),
            every=0.02,
        )
        first.kill()
        assert status_of(report.pk) == {"status": "running", "attempts": 1}

        # A minute after the hard limit the beat's sweep finds it stuck and sends it again.
        with scopes_disabled():
            report.refresh_from_db()
        clock.now = report.started_at + datetime.timedelta(
            seconds=settings.SEMH_REPORT_HARD_LIMIT + 61
        )
        assert sweep_report_requests() == {"requeued": 1, "failed": 0, "sent": 1}
        second = celery_workers(private_redis.url)
        wait_for(
            lambda: status_of(report.pk)["status"] == "done",
            30,
            lambda: "the second worker to make the report\n" + second.output(),
            every=0.1,
        )

    with scopes_disabled():
        report.refresh_from_db()
        assert ReportRequest.objects.count() == 1
    assert (report.status, report.attempts, report.progress) == ("done", 2, 100)
    assert report.pages >= 1 and report.error == ""
    assert sorted(p for p in (tmp_path / "reports").rglob("*") if p.is_file()) == [
        tmp_path / "reports" / report.file.name
    ]
    # The killed worker's job, handed out again by Redis one day, finds nothing left to do.
    assert run_report(report.pk) == "skipped"
    assert status_of(report.pk) == {"status": "done", "attempts": 2}
