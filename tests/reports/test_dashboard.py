"""The SENCo dashboard: a term's headline figures against the previous term, each with how it is
counted, from the shared figure functions; for those who see dashboards only."""

import datetime

from django.urls import reverse
from django_scopes import scope

from semh.access import Role
from semh.models import AcademicYear, Term
from tests.conftest import at
from tests.factories import TermFactory
from tests.factories.incidents import IncidentFactory

D = datetime.date


def _terms(school):
    with scope(school=school):
        year = AcademicYear.objects.create(
            school=school, name="2025/26", starts_on=D(2025, 9, 1), ends_on=D(2026, 7, 31)
        )
        summer = TermFactory(
            school=school,
            academic_year=year,
            season=Term.Season.SUMMER,
            starts_on=D(2026, 4, 13),
            ends_on=D(2026, 7, 21),
        )
        autumn = TermFactory(school=school)
    return summer, autumn


def test_the_senco_sees_this_terms_incidents_against_the_same_point_of_last_term(client, cast):
    school = cast.school_a
    summer, autumn = _terms(school)
    with scope(school=school):
        for day in (D(2026, 9, 10), D(2026, 10, 5), D(2026, 11, 24)):  # this term: 3
            IncidentFactory(school=school, occurred_at=at(day, 10))
        IncidentFactory(school=school, occurred_at=at(D(2026, 5, 4), 10))  # summer, same point
        IncidentFactory(school=school, occurred_at=at(D(2026, 7, 15), 10))  # summer, after it
    client.force_login(cast.user(Role.SENCO))

    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()

    assert "Autumn 2026/27: 03/09/2026 to 25/11/2026" in page
    tile = page[page.index("<h3>Incidents</h3>") :][:600]
    assert ">3</a>" in tile  # linked to the incident list over the same dates
    assert "since=2026-09-03" in tile and "until=2026-11-25" in tile
    assert "Previous term: 1" in tile
    assert "How this is counted" in tile and "dated by when they happened" in tile

    summer_page = client.get(
        reverse("reports:dashboard", args=[school.slug]), {"term": str(summer.pk)}
    ).content.decode()
    assert "Summer 2025/26: 13/04/2026 to 21/07/2026" in summer_page


def test_the_dashboard_is_for_those_who_see_dashboards(client, cast):
    url = reverse("reports:dashboard", args=[cast.school_a.slug])
    for role, status in (
        (Role.ASSISTANT, 403),
        (Role.ADMIN, 403),
        (Role.SLT, 200),
        (Role.DSL, 200),
    ):
        client.force_login(cast.user(role))
        assert client.get(url).status_code == status, role


def test_the_dashboard_takes_the_same_queries_for_ten_times_the_data(
    client, cast, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    school = cast.school_a
    _terms(school)
    url = reverse("reports:dashboard", args=[school.slug])
    client.force_login(cast.user(Role.SENCO))
    with scope(school=school):
        IncidentFactory(school=school, occurred_at=at(D(2026, 10, 1), 10))
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    with scope(school=school):
        for n in range(10):
            IncidentFactory(school=school, occurred_at=at(D(2026, 10, 2 + n), 10))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_dashboard_lists_pupils_of_concern_with_why(client, cast):
    school = cast.school_a
    _terms(school)
    pupil = cast.pupils_a[0]
    with scope(school=school):
        for day in (D(2026, 11, 16), D(2026, 11, 20)):
            IncidentFactory(school=school, pupils=[pupil], occurred_at=at(day, 10))
    client.force_login(cast.user(Role.SENCO))
    page = client.get(reverse("reports:dashboard", args=[school.slug])).content.decode()
    section = page[page.index('id="concern-h"') :]
    assert str(pupil.pk) in section
    assert "2 incidents this fortnight, 0 in the six weeks before" in section
