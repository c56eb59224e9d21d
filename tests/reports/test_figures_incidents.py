"""Incident figures against a hand-counted fixture: the range's edges, another school, a cohort."""

import datetime

import pytest
from django_scopes import scope

from pupils.models import Pupil
from reports.figures import Scope
from reports.figures.incidents import (
    INCIDENT_FIGURES,
    incident_totals,
    incidents_by_category,
    incidents_by_location,
    incidents_by_severity,
    incidents_by_week,
    incidents_by_weekday_and_period,
)
from tests.conftest import at
from tests.factories import PeriodFactory, PupilFactory
from tests.factories.incidents import IncidentFactory

D = datetime.date
FIRST, LAST = D(2026, 11, 2), D(2026, 11, 25)  # Monday 2 November to Wednesday 25 November


@pytest.fixture
def fixture(cast):
    school = cast.school_a
    with scope(school=school):
        p1, p2, p3 = PupilFactory.create_batch(3, school=school)
        p1_monday = PeriodFactory(school=school, weekday=0, name="P1")
        made = {
            "first_day": IncidentFactory(  # in: the first day
                school=school,
                occurred_at=at(FIRST, 9, 10),
                period=p1_monday,
                pupils=[p1, p2],
                category_label="Disruption",
                location_label="Corridor",
                severity=1,
            ),
            "day_before": IncidentFactory(school=school, occurred_at=at(D(2026, 11, 1), 23, 30)),
            "last_day": IncidentFactory(  # in: the last day
                school=school,
                occurred_at=at(LAST, 10, 0),
                pupils=[p2],
                category_label="Verbal aggression",
                location_label="Classroom",
                severity=3,
            ),
            "day_after": IncidentFactory(school=school, occurred_at=at(D(2026, 11, 26), 0, 5)),
            "middle": IncidentFactory(
                school=school,
                occurred_at=at(D(2026, 11, 18), 14, 0),
                pupils=[p3],
                category_label="Disruption",
                location_label="Corridor",
                severity=2,
            ),
        }
    with scope(school=cast.school_b):
        IncidentFactory(school=cast.school_b, occurred_at=at(D(2026, 11, 10), 11, 0))
    return {"school": school, "p2": p2, **made}


def figures(school, pupils=None):
    with scope(school=school):
        s = Scope(school, FIRST, LAST, "November", pupils)
        return {f.__name__: f(s).value for f in INCIDENT_FIGURES}


def test_incidents_of_the_range_are_counted_once_by_when_they_happened(fixture):
    got = figures(fixture["school"])
    assert got[incident_totals.__name__]["total"] == 3
    assert got[incidents_by_week.__name__] == [
        {"week": D(2026, 11, 2), "count": 1},
        {"week": D(2026, 11, 9), "count": 0},
        {"week": D(2026, 11, 16), "count": 1},
        {"week": D(2026, 11, 23), "count": 1},
    ]
    assert got[incidents_by_category.__name__] == [
        {"label": "Disruption", "count": 2},
        {"label": "Verbal aggression", "count": 1},
    ]
    assert got[incidents_by_location.__name__] == [
        {"label": "Corridor", "count": 2},
        {"label": "Classroom", "count": 1},
    ]
    assert [r["count"] for r in got[incidents_by_severity.__name__]] == [1, 1, 1, 0]
    grid = got[incidents_by_weekday_and_period.__name__]["values"]
    assert grid[("Monday", "P1")] == 1
    assert grid[("Wednesday", "Outside lessons")] == 2  # 18/11 and 25/11 had no period


def test_a_cohort_counts_the_incidents_its_pupils_were_the_main_pupil_of(fixture):
    with scope(school=fixture["school"]):
        cohort = Pupil.objects.filter(pk=fixture["p2"].pk)
    got = figures(fixture["school"], cohort)
    assert got[incident_totals.__name__]["total"] == 1  # the last day; on the first day p2 was
    # involved but not the main pupil


def test_every_incident_figure_says_how_it_is_counted(fixture):
    with scope(school=fixture["school"]):
        s = Scope(fixture["school"], FIRST, LAST)
        for function in INCIDENT_FIGURES:
            figure = function(s)
            assert figure.definition.startswith("Incidents logged for the school, dated by when")
            assert figure.title


def test_incident_figures_take_the_same_queries_for_ten_times_the_incidents(
    fixture, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        figures(fixture["school"])
    with scope(school=fixture["school"]):
        for n in range(30):
            IncidentFactory(
                school=fixture["school"], occurred_at=at(D(2026, 11, 3 + n % 20), 9, n % 50)
            )
    with django_assert_max_num_queries(len(small.captured_queries)):
        figures(fixture["school"])
