"""When a group's sessions are due, and which registers are owed (interventions.schedule).

The suite's today is Wednesday 25/11/2026."""

from datetime import date

import pytest
from django_scopes import scopes_disabled

from interventions.schedule import due_days, due_on, owed_registers
from semh.access import Role
from semh.calendar import school_days
from semh.models import Term
from tests.factories import AcademicYearFactory, TermFactory
from tests.factories.interventions import GroupFactory, SessionFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)  # a Wednesday
MONDAY, TUESDAY, WEDNESDAY = 0, 1, 2


@pytest.fixture
def terms(cast):
    """Autumn 03/09–18/12/2026 and spring from 05/01/2027: the Christmas holiday between."""
    with scopes_disabled():
        year = AcademicYearFactory(school=cast.school_a)
        TermFactory(school=cast.school_a, academic_year=year)
        TermFactory(
            school=cast.school_a,
            academic_year=year,
            season=Term.Season.SPRING,
            starts_on=date(2027, 1, 5),
            ends_on=date(2027, 3, 26),
        )


def group(cast, **kwargs):
    with scopes_disabled():
        return GroupFactory(programme__school=cast.school_a, **kwargs)


def test_a_group_is_due_on_its_weekday_in_term_time_only(cast, terms):
    lego = group(
        cast, weekday=TUESDAY, starts_on=date(2026, 12, 1), planned_end_on=date(2027, 1, 19)
    )
    with scopes_disabled():
        days = school_days(cast.school_a, date(2026, 11, 1), date(2027, 1, 31))
        # Tuesdays from 01/12: 22/12 and 29/12 fall in the Christmas holiday.
        assert due_days(lego, days) == [
            date(2026, 12, 1),
            date(2026, 12, 8),
            date(2026, 12, 15),
            date(2027, 1, 5),
            date(2027, 1, 12),
            date(2027, 1, 19),
        ]
        assert due_on(cast.school_a, date(2026, 12, 8)) == [lego]
        assert due_on(cast.school_a, date(2026, 12, 22)) == []
        assert due_on(cast.school_a, date(2026, 12, 9)) == []  # a Wednesday


def test_a_group_is_due_only_within_its_run(cast):
    ended = group(
        cast,
        weekday=TUESDAY,
        starts_on=date(2026, 11, 3),
        planned_end_on=date(2026, 12, 15),
        ended_on=date(2026, 11, 17),
    )
    later = group(
        cast, weekday=TUESDAY, starts_on=date(2026, 11, 24), planned_end_on=date(2026, 12, 15)
    )
    with scopes_disabled():
        assert due_on(cast.school_a, date(2026, 11, 17)) == [ended]  # its last day
        assert due_on(cast.school_a, date(2026, 11, 24)) == [later]  # ended; the other starts
        assert due_on(cast.school_a, date(2026, 12, 22)) == []  # after both planned ends


def test_a_missed_register_is_owed_until_taken_or_cancelled(cast):
    nurture = group(
        cast, weekday=MONDAY, starts_on=date(2026, 11, 2), planned_end_on=date(2026, 12, 14)
    )
    with scopes_disabled():
        SessionFactory(group=nurture, held_on=date(2026, 11, 9))
        SessionFactory(
            group=nurture, held_on=date(2026, 11, 16), cancelled=True, cancel_reason="Trip"
        )
        owed = owed_registers(cast.school_a, today=TODAY)
    # Mondays 02/11, 09/11, 16/11 and 23/11 were due: taken 09/11, cancelled 16/11.
    assert owed == [(nurture, date(2026, 11, 2)), (nurture, date(2026, 11, 23))]


def test_todays_session_is_not_owed_yet(cast):
    group(cast, weekday=WEDNESDAY, starts_on=TODAY, planned_end_on=date(2026, 12, 16))
    with scopes_disabled():
        assert owed_registers(cast.school_a, today=TODAY) == []


def test_owed_registers_look_back_eight_weeks_at_most(cast):
    group(cast, weekday=MONDAY, starts_on=date(2026, 9, 7), planned_end_on=date(2026, 12, 14))
    with scopes_disabled():
        owed = owed_registers(cast.school_a, today=TODAY)
    # Eight weeks before 25/11 is 30/09: Mondays 05/10 … 23/11, eight of them (not 07/09–28/09).
    assert [day for _, day in owed][0] == date(2026, 10, 5)
    assert len(owed) == 8


def test_owed_registers_look_back_no_further_than_the_term(cast):
    with scopes_disabled():
        TermFactory(school=cast.school_a, starts_on=date(2026, 11, 2), ends_on=date(2026, 12, 18))
    group(cast, weekday=MONDAY, starts_on=date(2026, 9, 7), planned_end_on=date(2026, 12, 14))
    with scopes_disabled():
        owed = owed_registers(cast.school_a, today=TODAY)
    assert [day for _, day in owed] == [date(2026, 11, d) for d in (2, 9, 16, 23)]


def test_a_member_of_staff_is_owed_only_the_registers_of_groups_they_run(cast):
    assistant, teacher = cast.user(Role.ASSISTANT), cast.user(Role.TEACHER)
    mine = group(
        cast, lead=assistant, weekday=MONDAY, starts_on=date(2026, 11, 23), planned_end_on=TODAY
    )
    helping = group(
        cast, lead=teacher, weekday=MONDAY, starts_on=date(2026, 11, 23), planned_end_on=TODAY
    )
    group(cast, lead=teacher, weekday=MONDAY, starts_on=date(2026, 11, 23), planned_end_on=TODAY)
    with scopes_disabled():
        helping.other_staff.add(assistant)
        owed = owed_registers(cast.school_a, today=TODAY, staff=assistant)
        everyone = owed_registers(cast.school_a, today=TODAY)
    assert {g for g, _ in owed} == {mine, helping}
    assert len(everyone) == 3


@pytest.mark.parametrize("groups", [2, 20])
def test_owed_registers_take_the_same_queries_for_2_or_20_groups(
    cast, groups, django_assert_num_queries
):
    for _ in range(groups):
        group(cast, weekday=MONDAY, starts_on=date(2026, 10, 5), planned_end_on=TODAY)
    with scopes_disabled(), django_assert_num_queries(3):  # the terms, groups, sessions
        owed = owed_registers(cast.school_a, today=TODAY)
    assert len(owed) == groups * 8  # Mondays 05/10 … 23/11


def test_the_register_links_to_the_due_days_either_side_up_to_today(cast, terms):
    from interventions.schedule import due_days_around

    lego = group(
        cast, weekday=TUESDAY, starts_on=date(2026, 12, 1), planned_end_on=date(2027, 1, 19)
    )
    with scopes_disabled():
        # Across the Christmas holiday: 15/12 is followed by 05/01.
        assert due_days_around(lego, date(2026, 12, 15), today=date(2027, 1, 30)) == (
            date(2026, 12, 8),
            date(2027, 1, 5),
        )
        # The first session has none before it; nothing after today is offered.
        assert due_days_around(lego, date(2026, 12, 1), today=date(2026, 12, 1)) == (None, None)
