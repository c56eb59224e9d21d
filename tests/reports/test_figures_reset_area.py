"""Reset Area figures, against hand-counted visits (the period: Mon 2 to Fri 20 November 2026,
London time, which is GMT then; the suite's clock is Wed 25/11/2026)."""

from datetime import date, timedelta

import pytest
from django_scopes import scope as school_scope
from django_scopes import scopes_disabled

from pupils.models import Pupil
from reports.figures import Scope
from reports.figures.reset_area import (
    reset_minutes_out_of_learning,
    reset_planned_visits,
    reset_returned_to_lesson,
    reset_visits,
)
from reset_area.models import Reason, VisitOutcome
from tests.conftest import at
from tests.factories.reset_area import RoomFactory, VisitFactory
from tests.reports.figure_queries import figure_queries

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 20)


def nov(day):
    return date(2026, 11, day)


def closed_visit(room, pupil, arrived, *, minutes, stay, outcome, reason=Reason.REFERRED):
    return VisitFactory(
        room=room,
        pupil=pupil,
        arrived_at=arrived,
        left_at=arrived + timedelta(minutes=stay),
        stay_minutes=stay,
        minutes_out_of_learning=minutes,
        outcome=outcome,
        reason=reason,
    )


@pytest.fixture
def visits(cast):
    """Six visits in the period (three pupils), one of them still open; one the minute before
    and one the minute after the period; one of another school."""
    first, second, third = cast.pupils_a[:3]
    with scopes_disabled():
        room = RoomFactory(school=cast.school_a)
        closed_visit(
            room,
            first,
            at(nov(2), 0, 0),
            minutes=30,
            stay=40,
            outcome=VisitOutcome.RETURNED,
            reason=Reason.PLANNED,
        )
        VisitFactory(
            room=room, pupil=first, arrived_at=at(nov(10), 10), reason=Reason.SELF_REFERRAL
        )
        closed_visit(
            room, second, at(nov(20), 23, 59), minutes=50, stay=50, outcome=VisitOutcome.STAYED
        )
        closed_visit(
            room, second, at(nov(12), 9), minutes=10, stay=10, outcome=VisitOutcome.RETURNED
        )
        closed_visit(
            room,
            third,
            at(nov(11), 11),
            minutes=0,  # break time: no learning missed
            stay=15,
            outcome=VisitOutcome.RETURNED,
            reason=Reason.INCIDENT,
        )
        closed_visit(
            room,
            third,
            at(nov(13), 14),
            minutes=5,
            stay=5,
            outcome=VisitOutcome.OTHER,
            reason=Reason.PLANNED,
        )
        # Outside the period: Sunday 1st 23:59 and Saturday 21st 00:00.
        closed_visit(
            room,
            first,
            at(nov(1), 23, 59),
            minutes=100,
            stay=100,
            outcome=VisitOutcome.RETURNED,
            reason=Reason.PLANNED,
        )
        closed_visit(
            room, first, at(nov(21), 0, 0), minutes=100, stay=100, outcome=VisitOutcome.RETURNED
        )
        elsewhere = RoomFactory(school=cast.school_b)
        closed_visit(
            elsewhere,
            cast.pupils_b[0],
            at(nov(10), 10),
            minutes=100,
            stay=100,
            outcome=VisitOutcome.RETURNED,
            reason=Reason.PLANNED,
        )
        return {"first": Pupil.objects.filter(pk=first.pk)}


def run(figure, cast, pupils=None):
    with school_scope(school=cast.school_a):
        return figure(Scope(cast.school_a, FIRST, LAST, pupils=pupils)).value


def test_visits_that_began_in_the_period_and_their_pupils(cast, visits):
    assert run(reset_visits, cast) == {"visits": 6, "pupils": 3}
    assert run(reset_visits, cast, visits["first"]) == {"visits": 2, "pupils": 1}


def test_minutes_out_of_learning_of_the_closed_visits(cast, visits):
    assert run(reset_minutes_out_of_learning, cast) == {"minutes": 95, "closed_visits": 5}
    assert run(reset_minutes_out_of_learning, cast, visits["first"]) == {
        "minutes": 30,
        "closed_visits": 1,
    }


def test_returned_to_lesson_out_of_the_closed_visits(cast, visits):
    assert run(reset_returned_to_lesson, cast) == {
        "returned": 3,
        "closed_visits": 5,
        "share": "60%",
    }
    assert run(reset_returned_to_lesson, cast, visits["first"]) == {
        "returned": 1,
        "closed_visits": 1,
        "share": None,  # fewer than five visits: no percentage
    }


def test_planned_sessions_against_every_other_reason(cast, visits):
    value = run(reset_planned_visits, cast)
    assert (value["planned"], value["unplanned"]) == (2, 4)
    assert [(row["reason"], row["visits"]) for row in value["rows"]] == [
        (Reason.PLANNED, 2),
        (Reason.REFERRED, 2),
        (Reason.SELF_REFERRAL, 1),
        (Reason.INCIDENT, 1),
    ]
    cohort = run(reset_planned_visits, cast, visits["first"])
    assert (cohort["planned"], cohort["unplanned"]) == (1, 1)


def _visits(cast, n):
    room = RoomFactory(school=cast.school_a)
    for i in range(n):
        closed_visit(
            room,
            cast.pupils_a[i % 5],
            at(nov(2 + i % 18), 9) + timedelta(minutes=i),
            minutes=i,
            stay=i + 1,
            outcome=VisitOutcome.RETURNED if i % 2 else VisitOutcome.STAYED,
            reason=Reason.PLANNED if i % 3 else Reason.REFERRED,
        )


def _queries(cast):
    return figure_queries(
        cast.school_a,
        (
            reset_visits,
            reset_minutes_out_of_learning,
            reset_returned_to_lesson,
            reset_planned_visits,
        ),
        FIRST,
        LAST,
    )


def test_reset_area_figures_run_one_query_each_however_many_visits(cast):
    with scopes_disabled():
        _visits(cast, 4)
    small = _queries(cast)
    with scopes_disabled():
        _visits(cast, 40)
    assert small == _queries(cast) == 8
