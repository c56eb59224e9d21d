"""PostgreSQL drops the app's connections while it is in use (as a restart of the server does):
the web process recovers by itself, and an incident whose save was cut off mid-transaction left
nothing half-saved; sent again, it is saved once, whole.

The app runs as in production, in gunicorn on loopback, keeping its connection between requests
(CONN_MAX_AGE, with CONN_HEALTH_CHECKS). The shared server is not restarted: its backends of the
app are ended with ``pg_terminate_backend`` from another connection, which is what the app sees
when the server restarts. To cut a save off mid-way, this test holds a lock on the audit table,
so the save waits at its audit row — after the incident, its pupils, strategies and staff were
written — and its backend is ended there."""

import datetime
import http.cookiejar
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request

import psycopg
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from incidents.models import Incident, IncidentPupil
from semh.access import Role
from semh.models import AuditEvent, Submission
from tests.faults.conftest import ROOT, database_url_of_the_tests, free_port, wait_for

WEB_APP = "semh-web-fault-check"  # the web process's application_name, to find its backends


class Browser:
    """A signed-in person's browser against the running server: cookies and the CSRF token."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            assert response.geturl() == self.base + path, "sent to another page"
            return response.status, response.read().decode()

    def post(self, path, data):
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        try:
            with self.opener.open(self.base + path, body.encode(), timeout=30) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode(errors="replace")

    def sign_in_as(self, user):
        """Signed in as ``user`` (a session made as the test client's ``force_login`` does)."""
        session = Client()
        session.force_login(user)
        self.cookies.set_cookie(cookie("sessionid", session.cookies["sessionid"].value))


def cookie(name, value):
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip


@pytest.fixture
def web(transactional_db, tmp_path, clock):
    """gunicorn serving the app on the test database, one worker, connections kept. It runs on the
    real clock, so the test's clock is moved there too (a session made here must be current)."""
    real_now = time_machine.escape_hatch.time.time()
    clock.now = datetime.datetime.fromtimestamp(real_now, tz=datetime.UTC)
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", "1"]
        + ["--bind", f"127.0.0.1:{port}", "--timeout", "60"],
        cwd=ROOT,
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "1",
            "SECRET_KEY": os.environ["SECRET_KEY"],  # the test's: its sessions sign the same
            "SEMH_REQUIRE_MFA": "0",
            "DB_CONN_MAX_AGE": "600",
            "DATABASE_URL": f"{database_url_of_the_tests()}?application_name={WEB_APP}",
            "MEDIA_ROOT": str(tmp_path),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            urllib.request.urlopen(base + "/accounts/login/", timeout=2).close()
            return True
        except OSError:
            return False

    wait_for(answers, 30, lambda: "gunicorn to start\n" + (tmp_path / "gunicorn.log").read_text())
    yield base
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def control():
    """A connection of the test's own to the same database, outside the app."""
    with psycopg.connect(database_url_of_the_tests(), autocommit=True) as connection:
        yield connection


def web_backends(control):
    # Inside a transaction the activity view keeps its first snapshot unless told to take anew.
    control.execute("SELECT pg_stat_clear_snapshot()")
    return control.execute(
        "SELECT pid, state, wait_event_type, query FROM pg_stat_activity "
        "WHERE application_name = %s",
        [WEB_APP],
    ).fetchall()


def end_web_backends(control) -> int:
    """End the web process's backends and wait until those have gone. Only those: the web
    process may already have opened a new connection, which is it recovering, not a backend
    that failed to end (what it writes, if anything, the test's own assertions then see)."""
    ended = {
        pid
        for (pid,) in control.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", [WEB_APP]
        ).fetchall()
    }
    control.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", [list(ended)])
    wait_for(
        lambda: not {b[0] for b in web_backends(control)} & ended,
        10,
        lambda: f"the ended backends to go: {web_backends(control)}",
    )
    return len(ended)


def test_the_web_process_recovers_by_itself_when_its_database_connection_is_dropped(
    web, control, cast
):
    browser = Browser(web)
    browser.sign_in_as(cast.user(Role.SENCO))
    incidents = reverse("incidents:list", args=["alder"])
    assert browser.get(incidents)[0] == 200
    assert len(web_backends(control)) == 1  # kept between requests

    assert end_web_backends(control) == 1

    assert browser.get(incidents)[0] == 200  # the same process, a new connection
    assert browser.get(reverse("reports:dashboard", args=["alder"]))[0] == 200


def test_an_incident_save_cut_off_mid_transaction_leaves_nothing_and_saves_whole_when_sent_again(
    web, control, cast, vocab_for_alder
):
    recorder = cast.user(Role.ASSISTANT)
    pupil, other = cast.pupils_a[0], cast.pupils_a[1]
    browser = Browser(web)
    browser.sign_in_as(recorder)
    log_url = reverse("incidents:log", args=["alder"])
    browser.get(log_url)
    form = {**vocab_for_alder(pupil, recorder), "other_pupils": [str(other.pk)]}
    answers = []

    with control.transaction():
        control.execute("LOCK TABLE semh_auditevent IN SHARE MODE")
        sending = threading.Thread(target=lambda: answers.append(browser.post(log_url, form)))
        sending.start()
        waiting = wait_for(
            lambda: [b for b in web_backends(control) if b[2] == "Lock"],
            15,
            lambda: f"the save to reach its audit row: {answers} {web_backends(control)}",
        )
        assert 'INSERT INTO "semh_auditevent"' in waiting[0][3]
        assert "incident.create" in waiting[0][3]  # the incident's own rows are written by now
        end_web_backends(control)
    sending.join(timeout=30)

    assert answers and answers[0][0] == 500  # the person sees the save did not go through
    with scopes_disabled():
        assert not Incident.objects.exists()
        assert not IncidentPupil.objects.exists()
        assert not Submission.objects.exists()
        assert not AuditEvent.objects.filter(action="incident.create").exists()

    status, landed, page = browser.post(log_url, form)  # the same form, sent again

    assert status == 200 and "Swore at the teacher" in page
    with scopes_disabled():
        incident = Incident.objects.get()
        assert landed.endswith(reverse("incidents:detail", args=["alder", incident.pk]))
        involved = set(IncidentPupil.objects.values_list("pupil_id", "is_primary"))
        assert involved == {(pupil.pk, True), (other.pk, False)}
        assert incident.staff_involved.get() == recorder
        assert incident.strategies.count() == 2
        assert AuditEvent.objects.filter(action="incident.create").count() == 1
