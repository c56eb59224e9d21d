"""The shared cast: two schools of one trust, a member of each role in each, an assistant with a
caseload and one without, and an outsider with no membership anywhere."""

import importlib
import os
import socket
from dataclasses import dataclass, field
from datetime import date, datetime, time
from urllib.parse import urlparse

import pytest
import time_machine
from django.conf import settings
from django.core.cache import caches
from django.utils import timezone
from django_scopes import scopes_disabled
from guardian.shortcuts import assign_perm

from incidents.vocabulary import ensure_suspension_reasons
from pupils.models import LocalAuthorityCode
from semh.access import Role
from tests.factories import PASSWORD, MembershipFactory, PupilFactory, SchoolFactory, UserFactory
from tests.factories.interventions import builtin_measures

STRICT = os.environ.get("SEMH_TEST_STRICT") == "1"


def require_service(available: bool, what: str):
    """Skip a test whose service is missing, except in CI (strict), where that is a failure."""
    if available:
        return
    if STRICT:
        pytest.fail(f"{what} is required in CI but is not available")
    pytest.skip(f"{what} is not available")


def redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"


def redis_available() -> bool:
    parsed = urlparse(redis_url())
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_sessionstart(session):
    if STRICT and "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        raise pytest.UsageError("SEMH_TEST_STRICT: the suite must run on PostgreSQL (DATABASE_URL)")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if STRICT and reporter and reporter.stats.get("skipped"):
        reporter.write_line("SEMH_TEST_STRICT: tests were skipped; CI treats that as a failure.")
        session.exitstatus = 1


# The one clock of the suite: every test starts at this moment (a Wednesday late in the autumn
# term, after every date the tests write by hand) and time runs on from there, so the order of
# events is real. A test that needs an exact moment sets it with ``clock.set(day, hh, mm)`` or
# ``clock.now = moment``, which also stops the clock there.
SUITE_DAY = date(2026, 11, 25)
SUITE_TIME = (10, 30)


def at(day, hh, mm=0):
    """An aware datetime at a London wall-clock time."""
    return timezone.make_aware(datetime.combine(day, time(hh, mm)))


class Clock:
    def __init__(self, traveller):
        self._traveller = traveller

    @property
    def now(self):
        return timezone.now()

    @now.setter
    def now(self, moment):
        self._traveller.move_to(moment, tick=False)

    @property
    def today(self):
        return timezone.localdate()

    def set(self, day, hh, mm=0):
        moment = at(day, hh, mm)
        self._traveller.move_to(moment, tick=False)
        return moment


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(at(SUITE_DAY, *SUITE_TIME), tick=True) as traveller:
        yield Clock(traveller)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Password hashing strength is not under test; PBKDF2 would make each login take ~0.3 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    # The hashed manifest exists only after collectstatic, which production runs at build time.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _reports_in_a_temporary_folder(monkeypatch, tmp_path):
    # The file field holds its storage from start-up (STORAGES["reports"]); each test gets its own.
    from django.core.files.storage import FileSystemStorage

    from reports.models import ReportRequest

    field = ReportRequest._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=tmp_path / "reports"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@dataclass
class Cast:
    school_a: object
    school_b: object
    members: dict = field(default_factory=dict)
    outsider: object = None
    assistant_no_caseload: object = None
    caseload: list = field(default_factory=list)
    pupils_a: list = field(default_factory=list)
    pupils_b: list = field(default_factory=list)

    def user(self, role: str, school: str = "a"):
        return self.members[(school, role)]


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Reference data that migrations load (census LA codes, DfE suspension reasons, the built-in
    measures) is wiped by the flush after each transactional test; load it again before the next
    one."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    census = importlib.import_module("pupils.migrations.0007_census_la_codes")
    LocalAuthorityCode.objects.bulk_create(
        [LocalAuthorityCode(code=code, valid_from=since) for code, since in census.codes()],
        ignore_conflicts=True,
    )
    ensure_suspension_reasons()
    builtin_measures()


@pytest.fixture
def cast(db):
    with scopes_disabled():
        school_a = SchoolFactory(name="Alder School", slug="alder")
        school_b = SchoolFactory(name="Birch School", slug="birch")
        cast = Cast(school_a=school_a, school_b=school_b)
        for key, school in (("a", school_a), ("b", school_b)):
            for role in Role:
                user = UserFactory(email=f"{role}@{school.slug}.example")
                MembershipFactory(user=user, school=school, role=role)
                cast.members[(key, role)] = user
        cast.outsider = UserFactory(email="outsider@nowhere.example")
        cast.assistant_no_caseload = UserFactory(email="new-assistant@alder.example")
        MembershipFactory(user=cast.assistant_no_caseload, school=school_a, role=Role.ASSISTANT)
        cast.pupils_a = PupilFactory.create_batch(5, school=school_a)
        cast.pupils_b = PupilFactory.create_batch(3, school=school_b)
        cast.caseload = cast.pupils_a[:2]
        for pupil in cast.caseload:
            assign_perm("view_pupil", cast.user(Role.ASSISTANT), pupil)
    return cast


@pytest.fixture
def login(client):
    """Log a user in through the real allauth form and return the client."""

    def _login(user, password=PASSWORD):
        response = client.post("/accounts/login/", {"login": user.email, "password": password})
        assert response.status_code == 302, response.content[:500]
        return client

    return _login
