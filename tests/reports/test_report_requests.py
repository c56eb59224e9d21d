"""Asking for a report and getting it: the reports page, one job per report on its way, the queue
down, downloads behind the same rule as the page, the end of term's own report, retention."""

import datetime
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from config.celery import app
from reports.models import ReportRequest
from reports.services.report_requests import (
    purge_expired_reports,
    request_end_of_term_reports,
    request_report,
    run_report,
    sweep_report_requests,
)
from semh.access import Role
from semh.models import AuditEvent
from tests.conftest import redis_available, redis_url, require_service
from tests.factories import TermFactory

D = datetime.date


def requests_url(school):
    return reverse("reports:requests", args=[school.slug])


def request_url(report):
    return reverse("reports:request", args=[report.school.slug, report.pk])


def download_url(report):
    return reverse("reports:request_download", args=[report.school.slug, report.pk])


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        return TermFactory(school=cast.school_a)


@contextmanager
def broker(url):
    """Celery pointed at ``url`` (sending for real, not in-process), its connections remade."""
    previous = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    _forget_connections()
    try:
        yield
    finally:
        app.conf.update(previous)
        _forget_connections()


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens there once the socket is closed


@pytest.fixture
def queue():
    """The real Redis queue (no worker): how many jobs it holds."""
    require_service(redis_available(), f"Redis at {redis_url()}")
    client = redis.Redis.from_url(redis_url())
    client.delete("celery")
    with broker(redis_url()):
        yield lambda: client.llen("celery")
    client.delete("celery")


def ask_for_termly(client, school, term):
    return client.post(requests_url(school), {"kind": "termly", "term": term.pk})


def test_slt_asks_for_the_termly_report_and_lands_on_its_page(
    client, cast, autumn, queue, django_capture_on_commit_callbacks
):
    client.force_login(cast.user(Role.SLT))
    page = client.get(requests_url(cast.school_a)).content.decode()
    assert "Termly provision-effectiveness report" in page and "Autumn 2026/27" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_termly(client, cast.school_a, autumn)

    with scopes_disabled():
        report = ReportRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request_url(report)
    assert (report.status, report.requested_by, report.params) == (
        "queued",
        cast.user(Role.SLT),
        {"term": str(autumn.pk)},
    )
    assert report.enqueued_at is not None and queue() == 1
    page = client.get(request_url(report)).content.decode()
    assert "Waiting to start" in page
    assert 'hx-trigger="every 2s"' in page  # the page follows the row while it is on its way
    with scopes_disabled():
        assert AuditEvent.objects.filter(
            action="reports.request", actor=cast.user(Role.SLT)
        ).count()


def test_the_same_report_asked_for_again_while_queued_is_not_sent_twice(
    client, cast, autumn, queue, django_capture_on_commit_callbacks
):
    client.force_login(cast.user(Role.SLT))
    with django_capture_on_commit_callbacks(execute=True):
        first = ask_for_termly(client, cast.school_a, autumn)
    client.force_login(cast.user(Role.SENCO))
    with django_capture_on_commit_callbacks(execute=True):
        second = ask_for_termly(client, cast.school_a, autumn)

    assert first["Location"] == second["Location"]
    with scopes_disabled():
        assert ReportRequest.objects.count() == 1
    assert queue() == 1
    page = client.get(second["Location"]).content.decode()
    assert "already on its way" in page


def test_the_database_refuses_a_second_active_row_for_the_same_report(cast, autumn):
    with scope(school=cast.school_a):
        first = request_report(
            actor=None, school=cast.school_a, kind="termly", params={"term": autumn.pk}
        )
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            ReportRequest.objects.create(
                school=cast.school_a, kind="termly", params={"term": str(autumn.pk)}
            )
        assert first.created and ReportRequest.objects.count() == 1


def test_with_the_queue_down_the_request_is_kept_the_user_told_and_the_sweep_sends_it(
    transactional_db, client, cast, autumn, clock
):
    # Committed for real: the job is sent as the request's transaction commits, inside the view.
    client.force_login(cast.user(Role.SLT))
    with broker(f"redis://127.0.0.1:{closed_port()}/0"):
        started = time.monotonic()
        response = ask_for_termly(client, cast.school_a, autumn)
        assert time.monotonic() - started < 10  # the person is not kept waiting

    page = client.get(response["Location"]).content.decode()
    assert "cannot be reached just now" in page and "no need to ask again" in page
    with scopes_disabled():
        report = ReportRequest.objects.get()
    assert (report.status, report.enqueued_at) == ("queued", None)

    require_service(redis_available(), f"Redis at {redis_url()}")
    client_redis = redis.Redis.from_url(redis_url())
    client_redis.delete("celery")
    with broker(redis_url()):
        assert sweep_report_requests()["sent"] == 0  # not yet a minute old
        clock.now = clock.now + datetime.timedelta(minutes=2)
        assert sweep_report_requests()["sent"] == 1
        assert client_redis.llen("celery") == 1
    client_redis.delete("celery")
    report.refresh_from_db()
    assert report.enqueued_at is not None


def test_a_request_stuck_running_past_its_limit_is_queued_again_then_failed_after_the_bound(
    cast, autumn, clock, settings, queue
):
    settings.SEMH_REPORT_MAX_ATTEMPTS = 2
    with scope(school=cast.school_a):
        report = request_report(
            actor=cast.user(Role.SLT),
            school=cast.school_a,
            kind="termly",
            params={"term": autumn.pk},
        ).report
    stuck = {"status": "running", "started_at": clock.now}
    with scopes_disabled():
        ReportRequest.objects.filter(pk=report.pk).update(attempts=1, **stuck)
    clock.now = clock.now + datetime.timedelta(seconds=settings.SEMH_REPORT_HARD_LIMIT + 120)

    assert sweep_report_requests() == {"requeued": 1, "failed": 0, "sent": 1}
    report.refresh_from_db()
    assert report.status == "queued" and queue() == 1

    with scopes_disabled():
        ReportRequest.objects.filter(pk=report.pk).update(
            attempts=2, **{**stuck, "started_at": clock.now}
        )
    clock.now = clock.now + datetime.timedelta(seconds=settings.SEMH_REPORT_HARD_LIMIT + 120)
    assert sweep_report_requests()["failed"] == 1
    report.refresh_from_db()
    assert report.status == "failed"
    assert "started 2 times and did not finish" in report.error


# Downloads ------------------------------------------------------------------------------------


@pytest.fixture
def made(cast, autumn):
    """A termly report of Alder, made (the worker's job, run here)."""
    with scope(school=cast.school_a):
        report = request_report(
            actor=cast.user(Role.SLT),
            school=cast.school_a,
            kind="termly",
            params={"term": autumn.pk},
        ).report
    assert run_report(report.pk) == "done"
    report.refresh_from_db()
    return report


def pdf_text(content: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()


def test_a_made_report_downloads_as_an_attachment_and_the_download_is_audited(
    client, cast, login, made
):
    senco = cast.user(Role.SENCO)
    login(senco)
    page = client.get(request_url(made)).content.decode()
    assert "Download the PDF" in page and "hx-trigger" not in page  # done: no more polling
    assert "kept for about 7 years" in page

    response = client.get(download_url(made))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "alder-termly" in response["Content-Disposition"]
    text = pdf_text(b"".join(response.streaming_content))
    assert "Alder School" in text and "Autumn 2026/27" in text
    with scopes_disabled():
        event = AuditEvent.objects.get(action="reports.download")
    assert (event.actor, event.object_id, event.detail["kind"]) == (senco, str(made.pk), "termly")


def test_another_schools_report_is_not_found_and_an_assistant_is_refused(client, cast, login, made):
    login(cast.user(Role.SLT, "b"))
    assert client.get(download_url(made)).status_code == 404
    # Birch's SLT through Birch's own address: still Alder's report, so not found.
    other = reverse("reports:request_download", args=[cast.school_b.slug, made.pk])
    assert client.get(other).status_code == 404
    assert (
        client.get(reverse("reports:request", args=[cast.school_b.slug, made.pk])).status_code
        == 404
    )
    client.logout()
    login(cast.user(Role.ASSISTANT))
    assert client.get(download_url(made)).status_code == 403
    assert client.get(request_url(made)).status_code == 403
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="reports.download").exists()


def test_a_download_asks_for_the_password_again_after_15_minutes(client, cast, login, made):
    login(cast.user(Role.SLT))
    session = client.session
    for record in session["account_authentication_methods"]:
        record["at"] = time.time() - 16 * 60
    session.save()

    response = client.get(download_url(made))

    assert response.status_code == 302
    assert "/accounts/reauthenticate/" in response["Location"]


def test_making_a_report_again_overwrites_its_own_file(made):
    folder = Path(made.file.path).parent
    first = made.file.name
    with scopes_disabled():
        ReportRequest.objects.filter(pk=made.pk).update(status="queued")

    assert run_report(made.pk) == "done"

    made.refresh_from_db()
    assert made.file.name == first
    assert [p.name for p in folder.iterdir()] == [Path(first).name]
    assert len(Path(first).stem) >= 32  # unguessable


def test_a_report_whose_requester_lost_access_is_failed_with_a_reason(cast, autumn):
    slt = cast.user(Role.SLT)
    with scope(school=cast.school_a):
        report = request_report(
            actor=slt, school=cast.school_a, kind="termly", params={"term": autumn.pk}
        ).report
    with scopes_disabled():
        slt.memberships.update(is_active=False)

    assert run_report(report.pk) == "failed"
    report.refresh_from_db()
    assert "can no longer see this school's reports" in report.error
    assert not report.ready and not report.file.storage.exists(report.file.name)


def test_a_term_of_another_school_fails_with_the_documents_reason_and_can_be_tried_again(
    client, cast, queue, django_capture_on_commit_callbacks
):
    with scope(school=cast.school_b):
        birch_term = TermFactory(school=cast.school_b)
    with scope(school=cast.school_a):
        report = request_report(
            actor=cast.user(Role.SLT),
            school=cast.school_a,
            kind="termly",
            params={"term": birch_term.pk},
        ).report
    run_report(report.pk)
    client.force_login(cast.user(Role.SLT))
    page = client.get(request_url(report)).content.decode()
    assert "That term is not one of this school&#x27;s terms" in page and "Try again" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:request_retry", args=["alder", report.pk]))

    assert response["Location"] == request_url(report)
    report.refresh_from_db()
    assert (report.status, report.error, queue()) == ("queued", "", 1)


def test_the_reports_page_refuses_a_term_of_another_school(client, cast, autumn):
    with scope(school=cast.school_b):
        birch_term = TermFactory(school=cast.school_b)
    client.force_login(cast.user(Role.SLT))

    response = client.post(requests_url(cast.school_a), {"kind": "termly", "term": birch_term.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not ReportRequest.objects.exists()


def test_a_pupil_pack_is_asked_for_from_the_pupils_page_and_only_for_a_pupil_in_reach(
    client, cast, queue, django_capture_on_commit_callbacks
):
    pupil = cast.pupils_a[0]
    client.force_login(cast.user(Role.SENCO))
    page = client.get(reverse("pupils:detail", args=["alder", pupil.pk])).content.decode()
    assert "Make a review pack (PDF)" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            requests_url(cast.school_a), {"kind": "pupil_pack", "pupil": pupil.pk}
        )
    assert response.status_code == 302
    with scopes_disabled():
        assert ReportRequest.objects.get().params == {"pupil": str(pupil.pk)}
    other = client.post(
        requests_url(cast.school_a), {"kind": "pupil_pack", "pupil": cast.pupils_b[0].pk}
    )
    assert other.status_code == 404
    assert client.post(requests_url(cast.school_a), {"kind": "pupil_pack"}).status_code == 404
    listed = client.get(requests_url(cast.school_a)).content.decode()
    assert "Pupil review pack" in listed and f"About {pupil}" in listed
    with scopes_disabled():
        pack = ReportRequest.objects.get()
    assert str(pupil) in client.get(request_url(pack)).content.decode()

    client.force_login(cast.user(Role.ASSISTANT))  # has this pupil on their caseload
    page = client.get(reverse("pupils:detail", args=["alder", pupil.pk])).content.decode()
    assert "review pack" not in page


def test_the_slt_and_senco_homes_link_to_the_reports_page(client, cast):
    for role in (Role.SLT, Role.SENCO):
        client.force_login(cast.user(role))
        page = client.get(reverse("school_home", args=["alder"])).content.decode()
        assert requests_url(cast.school_a) in page, role


# The end of term and retention ----------------------------------------------------------------


def test_after_the_term_ends_each_school_gets_its_termly_report_once_and_slt_a_link(
    cast, clock, settings, queue, django_capture_on_commit_callbacks
):
    settings.SEMH_SITE_URL = "https://semh.example.org"
    for school in (cast.school_a, cast.school_b):
        with scope(school=school):
            TermFactory(school=school)  # autumn, ends 18/12/2026
    assert request_end_of_term_reports() == 0  # the term is still running

    clock.set(D(2026, 12, 19), 6)
    with django_capture_on_commit_callbacks(execute=True):
        assert request_end_of_term_reports() == 2
        assert request_end_of_term_reports() == 0
    with scopes_disabled():
        reports = list(ReportRequest.objects.order_by("school__name"))
    assert [(r.school, r.kind, r.requested_by) for r in reports] == [
        (cast.school_a, "termly", None),
        (cast.school_b, "termly", None),
    ]
    assert queue() == 2

    with django_capture_on_commit_callbacks(execute=True):
        assert run_report(reports[0].pk) == "done"
    [email] = mail.outbox
    assert email.to == [cast.user(Role.SLT).email]
    link = "https://semh.example.org" + request_url(reports[0])
    assert link in email.body
    assert not email.attachments
    for pupil in cast.pupils_a:
        assert pupil.last_name not in email.body and pupil.first_name not in email.body


def test_reports_past_the_retention_period_are_deleted_with_their_file(cast, made, clock, settings):
    storage, name = made.file.storage, made.file.name
    assert storage.exists(name)
    settings.SEMH_REPORT_RETENTION_DAYS = 30
    assert purge_expired_reports() == 0

    clock.now = clock.now + datetime.timedelta(days=31)
    assert purge_expired_reports() == 1

    with scopes_disabled():
        assert not ReportRequest.objects.exists()
        assert AuditEvent.objects.filter(action="reports.purge").count() == 1
    # The file goes once the deletion is committed (the test's transaction is not).
