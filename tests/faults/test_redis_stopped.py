"""Redis stopped (the broker and the shared cache), with a Redis server of the test's own that it
stops and starts again on the same address.

- A report asked for meanwhile is kept and the person told; once Redis is back the beat's sweep
  sends it and the worker that was running all along makes it.
- An incident saved meanwhile is saved and shown: logging one does not need Redis.
- Signing in, which counts failures in the shared cache, goes on working on each process's own
  memory; the lockout still holds."""

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Incident, IncidentPupil
from reports.models import ReportRequest
from reports.services.report_requests import sweep_report_requests
from semh.access import Role
from tests.factories import PASSWORD, TermFactory
from tests.faults.conftest import wait_for
from tests.reports.test_report_requests import broker


@pytest.fixture
def autumn(cast):
    with scope(school=cast.school_a):
        return TermFactory(school=cast.school_a)


def status_of(report_id):
    with scopes_disabled():
        return ReportRequest.objects.get(pk=report_id).status


def shared_cache(url):
    """The shared cache on Redis, as CACHE_URL sets it in production."""
    backend = "semh.cache.RedisCacheWithLocalFallback"
    return {"default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {"socket_timeout": 1}}}


@pytest.mark.celery
def test_a_report_asked_for_while_redis_is_stopped_is_kept_and_made_once_it_is_back(
    transactional_db, private_redis, celery_workers, client, cast, autumn, clock
):
    client.force_login(cast.user(Role.SLT))
    worker = celery_workers(private_redis.url)
    with broker(private_redis.url):
        private_redis.stop()
        response = client.post(
            reverse("reports:requests", args=["alder"]), {"kind": "termly", "term": autumn.pk}
        )
        page = client.get(response["Location"]).content.decode()
        assert "cannot be reached just now" in page and "no need to ask again" in page
        with scopes_disabled():
            report = ReportRequest.objects.get()
        assert (report.status, report.enqueued_at) == ("queued", None)

        private_redis.start()  # the same address: nothing in the app or the worker restarted
        clock.now = clock.now + datetime.timedelta(minutes=2)
        assert sweep_report_requests()["sent"] == 1
        wait_for(
            lambda: status_of(report.pk) == "done",
            45,
            lambda: "the worker to make the report once Redis was back\n" + worker.output(),
            every=0.2,
        )
    with scopes_disabled():
        assert ReportRequest.objects.count() == 1
        report.refresh_from_db()
    assert report.attempts == 1 and report.enqueued_at is not None


def test_an_incident_saved_while_redis_is_stopped_is_saved_and_shown(
    transactional_db, private_redis, client, cast, vocab_for_alder
):
    recorder = cast.user(Role.ASSISTANT)
    pupil = cast.pupils_a[0]
    client.force_login(recorder)
    with override_settings(CACHES=shared_cache(private_redis.url)), broker(private_redis.url):
        private_redis.stop()
        response = client.post(
            reverse("incidents:log", args=["alder"]), vocab_for_alder(pupil, recorder)
        )
        assert response.status_code == 302
        shown = client.get(response["Location"])
        assert shown.status_code == 200
        assert "Swore at the teacher" in shown.content.decode()
        private_redis.start()
    with scopes_disabled():
        incident = Incident.objects.get()
        assert IncidentPupil.objects.get(incident=incident).pupil == pupil


def test_signing_in_while_redis_is_stopped_works_and_wrong_passwords_still_lock_the_account(
    private_redis, client, cast
):
    with override_settings(CACHES=shared_cache(private_redis.url)):
        private_redis.stop()
        response = client.post(
            "/accounts/login/", {"login": cast.user(Role.SENCO).email, "password": PASSWORD}
        )
        assert response.status_code == 302 and "_auth_user_id" in client.session
        client.logout()

        teacher = cast.user(Role.TEACHER)
        for _ in range(6):
            client.post("/accounts/login/", {"login": teacher.email, "password": "guess"})
        response = client.post("/accounts/login/", {"login": teacher.email, "password": PASSWORD})
        assert "too many" in response.content.decode().lower()
        assert "_auth_user_id" not in client.session
        private_redis.start()
