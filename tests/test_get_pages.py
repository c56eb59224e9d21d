"""Every page of the URLconf, opened with a GET: it writes nothing but audit rows (and the
session), and a page that shows a pupil's record leaves its audit row.

The URLs and the objects they name come from the access matrix (``all_url_patterns`` and
``build_objects``), so a new page is covered without anyone remembering it.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from pupils.models import Pupil
from reset_area.models import Room
from semh.access import Role
from semh.models import AuditEvent, Period
from tests.conftest import at
from tests.factories.reset_area import PlannedPlacementFactory
from tests.test_access_matrix import SCHOOL_URLS, world  # noqa: F401 - the matrix's objects
from tests.urlconf_world import PUPIL_RECORD_KWARGS, SUMMARY_URLS

# What a GET may write: its own audit row (an audited read), the session and the sign-in record.
WRITABLE_ON_GET = {"semh_auditevent", "django_session"}
WRITE = re.compile(r'^\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)

# Pages naming a pupil that show nothing of the record beyond the pupil's name: empty forms to add
# a new entry and the archive confirmation.
NAME_ONLY_PAGES = {
    "pupils:contact_create",
    "pupils:agency_create",
    "pupils:meeting_create",
    "pupils:plan_create",
    "pupils:target_create",  # the plan's kind and cycle, and an empty form
    "pupils:archive",  # "Archive <name> as a leaver?"
    "pupils:check_in_create",  # the zones and an empty form
}


def written_tables(queries):
    tables = set()
    for query in queries:
        match = WRITE.match(query["sql"])
        if match:
            tables.add(match[2].lower())
    return tables


def url_of(route, name, objects, school):
    kwarg_names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    kwargs = {k: objects[k] for k in kwarg_names if k != "school_slug"}
    return reverse(name, kwargs={"school_slug": school.slug, **kwargs}), set(kwargs)


@pytest.fixture
def own_objects(world, cast):  # noqa: F811
    """The matrix's objects, and a pupil planned into the Reset Area this morning who has not
    arrived: a page that flagged missing pupils itself would write."""
    with scopes_disabled():
        room = Room.objects.get(pk=world["own"]["room_id"])
        early = Period.objects.create(
            school=cast.school_a,
            weekday=timezone.localdate().weekday(),
            name="Early today",
            starts_at=datetime.time(7, 0),
            ends_at=datetime.time(7, 40),
        )
        PlannedPlacementFactory(
            room=room,
            pupil=cast.pupils_a[0],
            period=early,
            starts_on=datetime.date(2026, 9, 7),
            ends_on=datetime.date(2026, 12, 18),
            created_by=cast.user(Role.SENCO),
            created_at=at(datetime.date(2026, 9, 1), 12),
        )
    return world["own"]


ROLES = [Role.SENCO, Role.ASSISTANT]


@pytest.mark.parametrize("role", ROLES)
def test_no_get_of_any_page_writes_anything_but_its_audit_row(client, cast, own_objects, role):
    client.force_login(cast.user(role))
    offenders = []
    for route, name, _ in SCHOOL_URLS:
        url, _ = url_of(route, name, own_objects, cast.school_a)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code < 500, url
        wrote = written_tables(queries.captured_queries) - WRITABLE_ON_GET
        if wrote:
            offenders.append(f"{name} ({url}): {sorted(wrote)}")
    assert offenders == [], "\n".join(offenders)


def test_no_get_of_a_trust_summary_page_writes_anything_but_its_audit_row(
    client, cast, own_objects
):
    # The SENCo holds the reports of the one school the matrix's summary covers: it opens.
    client.force_login(cast.user(Role.SENCO))
    offenders, opened = [], []
    for route, name in SUMMARY_URLS:
        kwargs = {"summary_id": own_objects["summary_id"]} if "<uuid:summary_id>" in route else {}
        url = reverse(name, kwargs=kwargs)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code < 500, url
        opened += [name] if response.status_code == 200 else []
        wrote = written_tables(queries.captured_queries) - WRITABLE_ON_GET
        if wrote:
            offenders.append(f"{name} ({url}): {sorted(wrote)}")
    assert offenders == [], "\n".join(offenders)
    assert opened == ["summary"]


@pytest.mark.parametrize("role", ROLES)
def test_every_get_of_a_pupil_record_page_leaves_one_audit_row_in_its_access_log(
    client, cast, own_objects, role
):
    client.force_login(cast.user(role))
    with scopes_disabled():
        pupil = Pupil.objects.get(pk=own_objects["pupil_id"])
    offenders = []
    for route, name, _ in SCHOOL_URLS:
        url, kwargs = url_of(route, name, own_objects, cast.school_a)
        if not kwargs & PUPIL_RECORD_KWARGS or name in NAME_ONLY_PAGES:
            continue
        with scopes_disabled():
            rows = AuditEvent.objects.about(pupil).filter(actor=cast.user(role))
            before = rows.count()
        response = client.get(url)
        if response.status_code != 200 or response.get("HX-Redirect"):
            continue  # refused, not found, not a GET page, or sent elsewhere: nothing shown
        with scopes_disabled():
            if rows.count() != before + 1:  # one row, in the pupil's access log
                offenders.append(f"{name} ({url}): {rows.count() - before} rows")
    assert offenders == [], "\n".join(offenders)
