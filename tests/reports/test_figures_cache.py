"""The dashboards keep their figures until a write changes the data they read: the SENCo sees a new
incident at once, however it was written, and a second look at an unchanged dashboard runs a
handful of queries, not the dozens counting takes.

These tests commit (``transactional_db``): the figures are kept only once data has committed."""

import datetime
import re

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from incidents.models import Incident
from semh.access import Role
from semh.data_version import counted_afresh, counted_once
from tests.conftest import at
from tests.factories import TermFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.interventions import GroupFactory, ProgrammeFactory
from tests.factories.reset_area import RoomFactory, VisitFactory
from tests.reports.test_slt_dashboard import row

D = datetime.date
pytestmark = pytest.mark.django_db(transaction=True)


def _incidents_tile(page: str) -> int:
    tile = page[page.index("<h3>Incidents</h3>") :][:600]
    return int(re.search(r">(\d+)</a>", tile)[1])


def _dashboard(client, school):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:dashboard", args=[school.slug]))
    assert response.status_code == 200
    return _incidents_tile(response.content.decode()), len(queries)


def _log(school):
    """An incident of this term."""
    with scope(school=school):
        return IncidentFactory(school=school, occurred_at=at(D(2026, 10, 5), 10))


@pytest.fixture
def senco(client, cast):
    for school in (cast.school_a, cast.school_b):
        with scope(school=school):
            TermFactory(school=school)
    _log(cast.school_a)
    client.force_login(cast.user(Role.SENCO))
    return client


def test_an_unchanged_dashboard_is_not_counted_again(senco, cast):
    shown, counting = _dashboard(senco, cast.school_a)
    again, kept = _dashboard(senco, cast.school_a)

    assert shown == again == 1
    assert counting > 40  # every figure of the term
    assert kept <= 15  # the session, the school, the terms: no figure (viewing is audited too)


def test_a_new_incident_shows_on_the_next_look(senco, cast):
    assert _dashboard(senco, cast.school_a)[0] == 1
    _log(cast.school_a)

    assert _dashboard(senco, cast.school_a)[0] == 2


def test_writes_that_pass_by_model_saves_count_too(senco, cast):
    _log(cast.school_a)
    assert _dashboard(senco, cast.school_a)[0] == 2

    summer = at(D(2026, 6, 1), 10)  # before this term: no longer counted in it
    with scopes_disabled():  # a queryset update, outside any school's scope (a task, a command)
        first = Incident.objects.filter(school=cast.school_a).order_by("pk")[:1]
        Incident.objects.filter(pk__in=first).update(occurred_at=summer)
    assert _dashboard(senco, cast.school_a)[0] == 1

    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            "UPDATE incidents_incident SET occurred_at = %s WHERE school_id = %s",
            [summer, cast.school_a.pk],
        )
    assert _dashboard(senco, cast.school_a)[0] == 0


def test_a_write_counts_once_its_transaction_commits(senco, cast):
    assert _dashboard(senco, cast.school_a)[0] == 1
    with transaction.atomic():
        _log(cast.school_a)
        _log(cast.school_a)
    assert _dashboard(senco, cast.school_a)[0] == 3

    with pytest.raises(RuntimeError), transaction.atomic():
        _log(cast.school_a)
        raise RuntimeError("the save failed")
    assert _dashboard(senco, cast.school_a)[0] == 3


def test_another_schools_writes_leave_this_schools_figures_kept(client, cast, senco):
    _dashboard(senco, cast.school_a)
    _log(cast.school_b)

    assert _dashboard(senco, cast.school_a)[1] <= 15

    client.force_login(cast.user(Role.SENCO, "b"))
    assert _dashboard(client, cast.school_b)[0] == 1


def _page_figure(client, url, figure):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.context["summary"][figure], len(queries)


def test_incident_analysis_is_kept_until_an_incident_is_logged(senco, cast):
    url = reverse("incidents:analysis", args=[cast.school_a.slug])
    shown, counting = _page_figure(senco, url, "total")
    again, kept = _page_figure(senco, url, "total")
    _log(cast.school_a)

    assert shown == again == 1
    assert kept < counting - 5
    assert _page_figure(senco, url, "total")[0] == 2


def test_reset_area_metrics_are_kept_until_a_visit_is_recorded(senco, cast):
    with scope(school=cast.school_a):
        room = RoomFactory(school=cast.school_a)
    url = reverse("reset_area:metrics", args=[cast.school_a.slug])
    shown, counting = _page_figure(senco, url, "visits")
    again, kept = _page_figure(senco, url, "visits")
    with scope(school=cast.school_a):
        VisitFactory(room=room, arrived_at=at(D(2026, 10, 5), 10))

    assert shown == again == 0
    assert kept < counting - 5
    assert _page_figure(senco, url, "visits")[0] == 1


def test_intervention_effectiveness_is_kept_until_a_group_is_added(senco, cast):
    url = reverse("reports:effectiveness", args=[cast.school_a.slug])

    def programmes():
        with CaptureQueriesContext(connection) as queries:
            response = senco.get(url)
        assert response.status_code == 200
        return [row.programme.name for row in response.context["rows"]], len(queries)

    with scope(school=cast.school_a):
        GroupFactory(programme=ProgrammeFactory(school=cast.school_a, name="Lego Therapy"))
    shown, counting = programmes()
    again, kept = programmes()
    with scope(school=cast.school_a):
        GroupFactory(programme=ProgrammeFactory(school=cast.school_a, name="Zones Club"))

    assert shown == again == ["Lego Therapy"]
    assert kept < counting - 5
    assert programmes()[0] == ["Lego Therapy", "Zones Club"]


NOWHERE = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
}
UNREACHABLE = {"default": NOWHERE, "figures": NOWHERE}


def test_with_the_cache_unreachable_the_dashboard_counts_afresh_and_saves_still_work(senco, cast):
    with override_settings(CACHES=UNREACHABLE):
        assert _dashboard(senco, cast.school_a)[0] == 1
        _log(cast.school_a)
        assert _dashboard(senco, cast.school_a)[0] == 2
        with scope(school=cast.school_a):
            assert Incident.objects.filter(school=cast.school_a).count() == 2


def test_reports_count_from_the_database_as_it_stands(cast):
    counted = []

    def count():
        counted.append(1)
        return len(counted)

    assert counted_once(cast.school_a, "test", count) == 1
    assert counted_once(cast.school_a, "test", count) == 1  # kept
    with counted_afresh():
        assert counted_once(cast.school_a, "test", count) == 2
    with transaction.atomic():  # inside a transaction: it may see its own uncommitted writes
        assert counted_once(cast.school_a, "test", count) == 3


def test_the_slt_page_keeps_each_schools_headlines_until_that_school_changes(client, cast, senco):
    client.force_login(cast.user(Role.SLT))

    def incidents():
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/reports/schools/").content.decode()
        return row(page, "Incidents")[0][0], len(queries)

    shown, counting = incidents()
    again, kept = incidents()
    _log(cast.school_a)

    assert shown == again == "1"
    assert kept < counting
    assert incidents()[0] == "2"
