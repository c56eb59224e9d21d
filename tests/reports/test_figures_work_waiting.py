"""Work waiting now, against hand-counted records (the suite's today is Wed 25/11/2026): the
review queue, open and overdue meeting and follow-up actions, and missing pupils."""

from datetime import date

import pytest
from django.utils import timezone
from django_scopes import scope as school_scope
from django_scopes import scopes_disabled

from incidents.models import IncidentStatus
from pupils.models import Pupil
from reports.figures import Scope
from reports.figures.work_waiting import missing_pupils_now, open_actions, review_queue_waiting
from reset_area.models import Resolution
from tests.factories.incidents import (
    FollowUpActionFactory,
    IncidentFactory,
    RestrictiveInterventionFactory,
)
from tests.factories.pupils import MeetingActionFactory, MeetingFactory
from tests.factories.reset_area import (
    MissingPupilFactory,
    PeriodFactory,
    PlannedPlacementFactory,
    RoomFactory,
)
from tests.reports.figure_queries import figure_queries

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
# The dashboard's period does not matter to these figures: a term long past gives the same.
FIRST, LAST = date(2026, 4, 13), date(2026, 7, 21)
WORK_WAITING = (review_queue_waiting, open_actions, missing_pupils_now)


def nov(day):
    return date(2026, 11, day)


@pytest.fixture
def waiting(cast):
    """School A: three incidents submitted (one with a restraint, one about pupil 0), one
    reviewed. Meeting actions about pupil 0: due yesterday, due today, no date, done; about
    pupil 1: due last week. Follow-up actions: one overdue, one due tomorrow, one done overdue.
    Missing: pupil 0 flagged twice (today and Monday), pupil 1 once but resolved. School B has one
    of each, never counted."""
    first, second = cast.pupils_a[:2]
    with scopes_disabled():
        IncidentFactory(school=cast.school_a, pupils=[first])
        restrained = IncidentFactory(school=cast.school_a, pupils=[second])
        RestrictiveInterventionFactory(incident=restrained)
        IncidentFactory(school=cast.school_a, pupils=[second, first])  # first involved, not main
        reviewed = IncidentFactory(
            school=cast.school_a, pupils=[first], status=IncidentStatus.REVIEWED
        )
        IncidentFactory(school=cast.school_b, pupils=[cast.pupils_b[0]])

        meeting = MeetingFactory(pupil=first)
        for due, done in ((nov(24), None), (TODAY, None), (None, None), (nov(2), nov(3))):
            MeetingActionFactory(meeting=meeting, due_on=due, done_on=done)
        MeetingActionFactory(meeting=MeetingFactory(pupil=second), due_on=nov(18))
        MeetingActionFactory(meeting=MeetingFactory(pupil=cast.pupils_b[0]), due_on=nov(1))

        FollowUpActionFactory(incident=reviewed, due_on=nov(20))
        FollowUpActionFactory(incident=restrained, due_on=nov(26))
        FollowUpActionFactory(incident=reviewed, due_on=nov(2), done_on=nov(4))
        FollowUpActionFactory(
            incident=IncidentFactory(school=cast.school_b, pupils=[cast.pupils_b[0]]),
            due_on=nov(1),
        )

        room = RoomFactory(school=cast.school_a)
        period = PeriodFactory(school=cast.school_a)
        placement = PlannedPlacementFactory(room=room, pupil=first, period=period, starts_on=nov(2))
        MissingPupilFactory(placement=placement, day=nov(23))
        MissingPupilFactory(placement=placement, day=TODAY)
        MissingPupilFactory(
            placement=PlannedPlacementFactory(
                room=room, pupil=second, period=period, starts_on=nov(2)
            ),
            day=TODAY,
            resolution=Resolution.ABSENT,
            resolved_at=timezone.now(),
        )
        MissingPupilFactory(
            placement=PlannedPlacementFactory(
                room=RoomFactory(school=cast.school_b), pupil=cast.pupils_b[0], starts_on=nov(2)
            ),
            day=TODAY,
        )
        return {"first": Pupil.objects.filter(pk=first.pk)}


def run(figure, cast, pupils=None):
    with school_scope(school=cast.school_a):
        return figure(Scope(cast.school_a, FIRST, LAST, pupils=pupils)).value


def test_the_review_queue_counts_submitted_incidents_and_those_with_a_restrictive_intervention(
    cast, waiting
):
    assert run(review_queue_waiting, cast) == {"waiting": 3, "restrictive": 1}
    # Pupil 0 was in two submitted incidents (once not as the main pupil).
    assert run(review_queue_waiting, cast, waiting["first"]) == {"waiting": 2, "restrictive": 0}


def test_open_actions_and_the_overdue_among_them_as_of_today(cast, waiting):
    value = run(open_actions, cast)
    # Meetings: open 4 (24/11, 25/11, no date, 18/11); overdue 2 (24/11, 18/11): due today is not
    # overdue, no date never is, done ones are not open. Follow-up: open 2, overdue 1 (20/11).
    assert [(row["kind"], row["open"], row["overdue"]) for row in value["rows"]] == [
        ("meeting", 4, 2),
        ("follow_up", 2, 1),
    ]
    assert (value["open"], value["overdue"]) == (6, 3)
    cohort = run(open_actions, cast, waiting["first"])
    # Pupil 0: three open meeting actions (one overdue); the reviewed incident's 20/11 action.
    assert [(row["open"], row["overdue"]) for row in cohort["rows"]] == [(3, 1), (1, 1)]


def test_missing_pupils_now_are_the_unresolved_flags_whatever_their_day(cast, waiting):
    assert run(missing_pupils_now, cast) == {"missing": 2, "pupils": 1}
    assert run(missing_pupils_now, cast, waiting["first"]) == {"missing": 2, "pupils": 1}
    with scopes_disabled():
        second = Pupil.objects.filter(pk=cast.pupils_a[1].pk)
    assert run(missing_pupils_now, cast, second) == {"missing": 0, "pupils": 0}


def test_nothing_waiting_counts_zero(cast):
    assert run(review_queue_waiting, cast) == {"waiting": 0, "restrictive": 0}
    assert (run(open_actions, cast)["open"], run(open_actions, cast)["overdue"]) == (0, 0)
    assert run(missing_pupils_now, cast) == {"missing": 0, "pupils": 0}


def test_each_figure_says_it_is_as_of_now(cast):
    with school_scope(school=cast.school_a):
        for figure in WORK_WAITING:
            assert "now" in figure(Scope(cast.school_a, FIRST, LAST)).definition


def _records(cast, n):
    room = RoomFactory(school=cast.school_a)
    period = PeriodFactory(school=cast.school_a, weekday=n % 5)
    for i in range(n):
        pupil = cast.pupils_a[i % 5]
        incident = IncidentFactory(school=cast.school_a, pupils=[pupil])
        FollowUpActionFactory(incident=incident, due_on=nov(1 + i % 28))
        MeetingActionFactory(meeting=MeetingFactory(pupil=pupil), due_on=nov(1 + i % 28))
        placement = PlannedPlacementFactory(room=room, pupil=pupil, period=period, starts_on=nov(2))
        MissingPupilFactory(placement=placement, day=nov(2 + i % 20))


def test_work_waiting_figures_take_one_query_each_however_many_records(cast):
    with scopes_disabled():
        _records(cast, 2)
    small = figure_queries(cast.school_a, WORK_WAITING, FIRST, LAST)
    with scopes_disabled():
        _records(cast, 20)
    # The review queue 1, actions 2 (meeting and follow-up), missing pupils 1; whole school and
    # cohort.
    assert small == figure_queries(cast.school_a, WORK_WAITING, FIRST, LAST) == 8
