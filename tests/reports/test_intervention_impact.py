"""Incidents and Reset Area time before vs after an enrolment, in equal school-day windows,
counted by hand on a calendar with a summer holiday between the windows.

Terms: summer 20/04/2026–17/07/2026, autumn 03/09/2026–18/12/2026 (school days are their
weekdays). The suite's today is Wednesday 25/11/2026."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from reports.intervention_impact import WINDOW_DAYS, enrolment_impact, programme_impact, windows
from semh.models import Term
from tests.conftest import at
from tests.factories import AcademicYearFactory, TermFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.interventions import EnrolmentFactory, GroupFactory, ProgrammeFactory
from tests.factories.reset_area import RoomFactory, VisitFactory

START = date(2026, 9, 7)  # Monday
FIRST, LAST = date(2026, 9, 1), date(2026, 11, 25)


@pytest.fixture
def calendar(cast):
    with scopes_disabled():
        school = cast.school_a
        last_year = AcademicYearFactory(
            school=school, name="2025/26", starts_on=date(2025, 9, 1), ends_on=date(2026, 7, 31)
        )
        TermFactory(
            school=school,
            academic_year=last_year,
            season=Term.Season.SUMMER,
            starts_on=date(2026, 4, 20),
            ends_on=date(2026, 7, 17),
        )
        TermFactory(school=school)  # autumn 03/09–18/12/2026
    return school


@pytest.fixture
def group(calendar):
    with scopes_disabled():
        programme = ProgrammeFactory(school=calendar, name="Lego-based therapy (KS2)")
        return GroupFactory(programme=programme, starts_on=START, weekday=0)


def test_windows_take_equal_lengths_from_the_school_days():
    days = [date(2026, 9, d) for d in (1, 2, 3, 4, 7, 8, 9, 10)]
    # Start 07/09, end 09/09: 3 days in (7, 8, 9); 4 before; length 3 → the 3 before (2, 3, 4).
    assert windows(days, date(2026, 9, 7), date(2026, 9, 9), 3) == (days[1:4], days[4:7])
    # Length 2: the last 2 of the enrolment (8, 9) against the 2 before its start (3, 4).
    assert windows(days, date(2026, 9, 7), date(2026, 9, 9), 2) == (days[2:4], days[5:7])
    # Only one school day before the start: both windows are one day.
    assert windows(days, date(2026, 9, 2), date(2026, 9, 10), 3) == ([days[0]], [days[7]])
    assert windows(days, date(2026, 9, 1), date(2026, 9, 10), 3) == ([], [])


def test_a_short_enrolment_is_compared_over_its_own_shorter_equal_window(cast, group):
    # Enrolled 07/09–18/09: 10 school days, shorter than 30, so both windows are 10 days:
    #   after  = 07/09–18/09;
    #   before = the 10 school days before 07/09 = 03/09, 04/09 (autumn) and 08/07–17/07
    #            (summer: 8, 9, 10, 13, 14, 15, 16, 17 July) — the holiday is not counted.
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        EnrolmentFactory(group=group, pupil=pupil, starts_on=START, ends_on=date(2026, 9, 18))
        school = group.school
        IncidentFactory(school=school, pupils=[pupil], occurred_at=at(date(2026, 7, 8), 10))
        IncidentFactory(
            school=school, pupils=[pupil], occurred_at=at(date(2026, 7, 7), 10)
        )  # 11th day
        IncidentFactory(
            school=school, pupils=[pupil], occurred_at=at(date(2026, 8, 3), 10)
        )  # holiday
        other = cast.pupils_a[1]  # involved, not the primary pupil: still counts
        IncidentFactory(school=school, pupils=[other, pupil], occurred_at=at(date(2026, 9, 4), 14))
        IncidentFactory(school=school, pupils=[pupil], occurred_at=at(date(2026, 9, 9), 11))
        IncidentFactory(
            school=school, pupils=[pupil], occurred_at=at(date(2026, 9, 21), 11)
        )  # after end
        IncidentFactory(
            school=school, pupils=[other], occurred_at=at(date(2026, 9, 10), 11)
        )  # not theirs
        room = RoomFactory(school=school)
        for day, out, stay in ((date(2026, 7, 15), 40, 50), (date(2026, 9, 16), 15, 20)):
            VisitFactory(
                room=room,
                pupil=pupil,
                arrived_at=at(day, 10),
                left_at=at(day, 11),
                minutes_out_of_learning=out,
                stay_minutes=stay,
            )
        [row] = enrolment_impact(school, first=FIRST, last=LAST)
    assert row.days == 10 and row.shortened
    assert (row.before_from, row.before_to) == (date(2026, 7, 8), date(2026, 9, 4))
    assert (row.after_from, row.after_to) == (date(2026, 9, 7), date(2026, 9, 18))
    assert (row.before.incidents, row.after.incidents) == (2, 1)  # 08/07 + 04/09 · 09/09
    assert (row.before.visits, row.before.minutes_out, row.before.stay_minutes) == (1, 40, 50)
    assert (row.after.visits, row.after.minutes_out, row.after.stay_minutes) == (1, 15, 20)


def test_a_long_enrolment_compares_the_six_school_weeks_before_with_its_last_six(cast, group):
    # Open enrolment from 07/09 to the range end 25/11: 58 school days (Sept 18, Oct 22, Nov 18).
    #   after  = the last 30: 15/10–25/11 (Oct 15, 16, 19–23, 26–30 = 12; Nov 2–25 = 18);
    #   before = the 30 before 07/09: 03/09, 04/09 and 28 summer days back to 10/06
    #            (10–12 June = 3, then five full weeks 15/06–17/07 = 25).
    pupil = cast.pupils_a[0]
    with scopes_disabled():
        EnrolmentFactory(group=group, pupil=pupil, starts_on=START)
        IncidentFactory(school=group.school, pupils=[pupil], occurred_at=at(date(2026, 6, 10), 9))
        IncidentFactory(school=group.school, pupils=[pupil], occurred_at=at(date(2026, 6, 9), 9))
        IncidentFactory(school=group.school, pupils=[pupil], occurred_at=at(date(2026, 10, 14), 9))
        IncidentFactory(school=group.school, pupils=[pupil], occurred_at=at(date(2026, 10, 15), 9))
        rows = enrolment_impact(group.school, first=FIRST, last=LAST)
    [row] = rows
    assert row.days == WINDOW_DAYS == 30 and not row.shortened
    assert (row.before_from, row.before_to) == (date(2026, 6, 10), date(2026, 9, 4))
    assert (row.after_from, row.after_to) == (date(2026, 10, 15), date(2026, 11, 25))
    assert (row.before.incidents, row.after.incidents) == (1, 1)  # 10/06 · 15/10
    [summed] = programme_impact(rows).values()
    assert summed.programme_id == group.programme_id
    assert (summed.enrolments, summed.shortened, summed.before.incidents) == (1, 0, 1)


def test_programme_sums_add_each_enrolments_equal_windows(cast, group):
    with scopes_disabled():
        for pupil in cast.pupils_a[:2]:
            EnrolmentFactory(group=group, pupil=pupil, starts_on=START, ends_on=date(2026, 9, 18))
            IncidentFactory(
                school=group.school, pupils=[pupil], occurred_at=at(date(2026, 9, 8), 9)
            )
        # Started today: no school day of the enrolment has finished being counted yet except
        # today, so one day each side; it is compared too.
        EnrolmentFactory(group=group, pupil=cast.pupils_a[2], starts_on=date(2026, 11, 25))
        rows = enrolment_impact(group.school, first=FIRST, last=LAST, group=group)
        summed = programme_impact(rows)[group.programme_id]
    assert [r.days for r in rows].count(10) == 2
    assert (summed.enrolments, summed.shortened) == (3, 3)
    assert (summed.before.incidents, summed.after.incidents) == (0, 2)
