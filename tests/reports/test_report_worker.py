"""The report pipeline with a real Celery worker on Redis: a request made on the page becomes a
PDF to download; a job that fails says why and can be tried again; a passing fault is retried; a
job whose worker died is queued again by the sweep; a request made while Redis was down goes
through once it is back."""

import datetime
import subprocess
import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from config.celery import app
from reports.models import ReportRequest
from reports.services import report_requests
from semh.access import Role
from tests.conftest import redis_available, redis_url, require_service
from tests.factories import MembershipFactory, TermFactory, UserFactory
from tests.reports.test_report_requests import broker, closed_port

pytestmark = pytest.mark.celery


@pytest.fixture
def worker(transactional_db):
    require_service(redis_available(), f"Redis at {redis_url()}")
    redis.Redis.from_url(redis_url()).delete("celery")  # nothing left over from other tests
    with (
        broker(redis_url()),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        yield app


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        return TermFactory(school=cast.school_a)


def wait_until_finished(client, report_id, timeout=60.0):
    """Poll the request page as the browser does (the htmx fragment) until it stops polling."""
    with scopes_disabled():
        report = ReportRequest.objects.get(pk=report_id)
    url = report.get_absolute_url()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
        if "hx-trigger" not in fragment:
            report.refresh_from_db()
            return report, fragment
        time.sleep(0.2)
    raise AssertionError(f"the report was still {report.status} after {timeout} s")


def only_report():
    with scopes_disabled():
        return ReportRequest.objects.get()


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_slt_ask_for_the_termly_report_and_download_the_pdf_the_worker_made(
    worker, client, login, cast, autumn
):
    login(cast.user(Role.SLT))

    response = client.post(
        reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk}
    )
    report, fragment = wait_until_finished(client, only_report().pk)

    assert response.status_code == 302
    assert report.status == "done", report.error
    assert "Download the PDF" in fragment
    assert (report.progress, report.attempts) == (100, 1)
    assert report.pages >= 1 and report.size_bytes > 0 and report.render_seconds is not None
    assert report.started_at <= report.finished_at
    download = client.get(reverse("reports:request_download", args=["alder", report.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    text = pdf_text(b"".join(download.streaming_content))
    assert "Alder School" in text and "Autumn 2026/27" in text


def test_slt_of_two_schools_ask_for_the_trust_summary_and_download_what_the_worker_made(
    worker, client, login, cast, autumn
):
    with scopes_disabled():
        TermFactory(school=cast.school_b)
        leader = UserFactory(email="ceo@trust.example")
        for school in (cast.school_a, cast.school_b):
            MembershipFactory(user=leader, school=school, role=Role.SLT)
    login(leader)

    response = client.post(reverse("summary_request"), {"on": "2026-11-25"})
    with scopes_disabled():
        asked = ReportRequest.objects.summaries().get()
    report, fragment = wait_until_finished(client, asked.pk)

    assert response.status_code == 302 and response["Location"] == asked.get_absolute_url()
    assert report.status == "done", report.error
    assert "Download the PDF" in fragment and report.pages >= 3
    download = client.get(reverse("summary_download", args=[report.pk]))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Alder School" in text and "Birch School" in text and "Trust total" in text


def test_a_job_that_raises_leaves_the_request_failed_with_a_reason_and_it_can_be_tried_again(
    worker, client, cast, autumn, monkeypatch
):
    real_render = report_requests.render_document

    def broken(*args, **kwargs):
        raise RuntimeError("the printer is on fire")

    monkeypatch.setattr(report_requests, "render_document", broken)
    client.force_login(cast.user(Role.SENCO))
    client.post(reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk})
    report, fragment = wait_until_finished(client, only_report().pk)

    assert report.status == "failed" and report.attempts == 1  # not retried: not a passing fault
    assert "Something went wrong while making this report" in fragment
    assert "fire" not in fragment  # the internals stay in the log
    assert "Try again" in fragment

    monkeypatch.setattr(report_requests, "render_document", real_render)
    client.post(reverse("reports:request_retry", args=["alder", report.pk]))
    report, fragment = wait_until_finished(client, report.pk)
    assert report.status == "done" and report.error == ""
    assert "Download the PDF" in fragment


def test_a_passing_fault_is_retried_and_the_report_is_made(
    worker, client, cast, autumn, monkeypatch
):
    real_render = report_requests.render_document
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real_render(*args, **kwargs)

    monkeypatch.setattr(report_requests, "render_document", flaky)
    client.force_login(cast.user(Role.SLT))
    client.post(reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk})
    report, _ = wait_until_finished(client, only_report().pk)

    assert report.status == "done" and report.attempts == 2 and len(calls) == 2


def test_a_job_whose_worker_died_is_queued_again_by_the_sweep_and_made(
    worker, client, cast, autumn, settings
):
    with scope(school=cast.school_a):
        report = ReportRequest.objects.create(
            school=cast.school_a,
            kind="termly",
            params={"term": str(autumn.pk)},
            requested_by=cast.user(Role.SLT),
        )
    # Claimed by a worker that was killed at the hard limit: running, long ago, once.
    long_ago = timezone.now() - datetime.timedelta(seconds=settings.SEMH_REPORT_HARD_LIMIT + 120)
    with scopes_disabled():
        ReportRequest.objects.filter(pk=report.pk).update(
            status="running", started_at=long_ago, attempts=1, progress=40
        )

    assert report_requests.sweep_report_requests() == {"requeued": 1, "failed": 0, "sent": 1}

    client.force_login(cast.user(Role.SLT))
    report, _ = wait_until_finished(client, report.pk)
    assert report.status == "done" and report.attempts == 2


def test_a_request_made_while_redis_was_down_is_made_once_it_is_back(
    transactional_db, client, cast, autumn
):
    client.force_login(cast.user(Role.SLT))
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.post(
            reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk}
        )
    assert "cannot be reached just now" in client.get(response["Location"]).content.decode()
    report = only_report()
    with scopes_disabled():
        ReportRequest.objects.filter(pk=report.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=2)
        )

    require_service(redis_available(), f"Redis at {redis_url()}")
    redis.Redis.from_url(redis_url()).delete("celery")
    with (
        broker(redis_url()),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
    ):
        assert report_requests.sweep_report_requests()["sent"] == 1
        report, _ = wait_until_finished(client, report.pk)
    assert report.status == "done"
