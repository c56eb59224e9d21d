"""The school calendar every figure shares (semh.calendar) and the school day (semh.school_day)."""

from datetime import date, time, timedelta

import pytest
from django_scopes import scope

from semh.calendar import (
    DEFAULT_WEEKS,
    DateRange,
    academic_year_start,
    default_range,
    monday_of,
    school_days,
    term_containing,
)
from semh.models import Period
from semh.school_day import TYPICAL_DAY, ensure_typical_school_day
from tests.conftest import SUITE_DAY
from tests.factories import AcademicYearFactory, TermFactory

AUTUMN = (date(2026, 9, 3), date(2026, 12, 18))
SPRING = (date(2027, 1, 5), date(2027, 3, 26))


@pytest.fixture
def school(cast):
    with scope(school=cast.school_a):
        yield cast.school_a


@pytest.fixture
def terms(school):
    """School A's 2026/27 autumn and spring terms, in a year it starts on 27 August."""
    year = AcademicYearFactory(school=school, starts_on=date(2026, 8, 27))
    autumn = TermFactory(school=school, academic_year=year, starts_on=AUTUMN[0], ends_on=AUTUMN[1])
    spring = TermFactory(
        school=school, academic_year=year, season="spring", starts_on=SPRING[0], ends_on=SPRING[1]
    )
    return autumn, spring


# monday_of ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, monday",
    [
        (date(2026, 11, 23), date(2026, 11, 23)),  # a Monday is its own
        (date(2026, 11, 25), date(2026, 11, 23)),  # Wednesday
        (date(2026, 11, 29), date(2026, 11, 23)),  # Sunday belongs to the week before
        (date(2027, 1, 1), date(2026, 12, 28)),  # across the year end
    ],
)
def test_monday_of_is_the_monday_starting_the_week(day, monday):
    assert monday_of(day) == monday


def test_a_range_lists_the_monday_of_every_week_it_touches():
    weeks = DateRange(date(2026, 11, 25), date(2026, 12, 7), "x").weeks

    assert weeks == [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 7)]


# default_range --------------------------------------------------------------------------------


def test_in_term_the_default_range_is_the_term_so_far(terms):
    today = date(2026, 11, 25)

    span = default_range(terms[0].school, today)

    assert (span.start, span.end) == (AUTUMN[0], today)
    assert span.label == "Autumn 2026/27 (so far)"


def test_on_the_last_day_of_term_the_default_range_is_the_whole_term(terms):
    span = default_range(terms[0].school, AUTUMN[1])

    assert (span.start, span.end) == AUTUMN


def test_outside_every_term_the_default_range_is_the_last_12_weeks(terms):
    christmas = date(2026, 12, 30)  # a Wednesday in the holiday

    span = default_range(terms[0].school, christmas)

    assert span.end == christmas
    assert span.start == date(2026, 10, 12)  # the Monday 11 weeks before this week's
    assert span.label == f"Last {DEFAULT_WEEKS} weeks"
    assert len(span.weeks) == DEFAULT_WEEKS == 12


def test_a_school_with_no_terms_gets_the_last_12_weeks(school):
    span = default_range(school, date(2026, 11, 25))

    assert (span.start, span.end) == (date(2026, 9, 7), date(2026, 11, 25))
    assert len(span.weeks) == 12


def test_another_schools_term_does_not_count(cast, school):
    with scope(school=cast.school_b):
        TermFactory(school=cast.school_b, starts_on=AUTUMN[0], ends_on=AUTUMN[1])

    assert default_range(school, date(2026, 11, 25)).label == "Last 12 weeks"
    assert term_containing(school, date(2026, 11, 25)) is None


def test_the_default_range_ends_today_by_the_suite_clock(terms, clock):
    span = default_range(terms[0].school)

    assert span.end == clock.today == SUITE_DAY
    assert span.start == AUTUMN[0]


# school_days ----------------------------------------------------------------------------------


def test_school_days_are_the_weekdays_inside_a_term(terms):
    # Friday 18 December (last day of autumn) to Wednesday 6 January (spring starts on the 5th).
    days = school_days(terms[0].school, date(2026, 12, 18), date(2027, 1, 6))

    assert days == [date(2026, 12, 18), date(2027, 1, 5), date(2027, 1, 6)]


def test_with_no_terms_every_weekday_is_a_school_day(school):
    days = school_days(school, date(2026, 12, 18), date(2026, 12, 29))

    assert days == [
        date(2026, 12, 18),
        date(2026, 12, 21),
        date(2026, 12, 22),
        date(2026, 12, 23),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2026, 12, 29),
    ]


def test_a_weekend_holds_no_school_days(terms):
    assert school_days(terms[0].school, date(2026, 11, 28), date(2026, 11, 29)) == []


def test_a_term_has_as_many_school_days_as_its_weekdays(terms):
    start, end = AUTUMN
    weekdays = sum((start + timedelta(days=i)).weekday() < 5 for i in range((end - start).days + 1))

    assert len(school_days(terms[0].school, start, end)) == weekdays == 77


# academic_year_start --------------------------------------------------------------------------


def test_the_academic_year_starts_when_the_school_says(terms):
    school = terms[0].school

    assert academic_year_start(school, date(2026, 11, 25)) == date(2026, 8, 27)
    assert academic_year_start(school, date(2026, 8, 27)) == date(2026, 8, 27)


@pytest.mark.parametrize(
    "day, start",
    [
        (date(2026, 11, 25), date(2026, 9, 1)),
        (date(2026, 9, 1), date(2026, 9, 1)),
        (date(2026, 8, 31), date(2025, 9, 1)),
        (date(2027, 3, 1), date(2026, 9, 1)),
    ],
)
def test_without_its_own_year_the_academic_year_starts_on_1_september(school, day, start):
    assert academic_year_start(school, day) == start


def test_outside_the_schools_own_years_the_1_september_rule_applies(terms):
    # The school entered 2026/27 only (27 August 2026 – 31 July 2027).
    assert academic_year_start(terms[0].school, date(2026, 8, 20)) == date(2025, 9, 1)


def test_academic_year_start_is_today_by_the_suite_clock(school):
    assert academic_year_start(school) == date(2026, 9, 1)


# The school day (semh.school_day) -------------------------------------------------------------


def test_a_school_with_no_periods_gets_the_typical_day_on_every_weekday(school):
    assert ensure_typical_school_day(school) is True

    monday = list(Period.objects.on(0).values_list("name", "starts_at", "ends_at", "is_learning"))
    assert monday == TYPICAL_DAY
    assert Period.objects.count() == len(TYPICAL_DAY) * 5
    assert not Period.objects.filter(name="Lunch", is_learning=True).exists()


def test_a_school_with_periods_keeps_its_own_day(school):
    Period.objects.create(
        school=school, weekday=2, name="Assembly", starts_at=time(9), ends_at=time(9, 20)
    )

    assert ensure_typical_school_day(school) is False
    assert list(Period.objects.values_list("name", flat=True)) == ["Assembly"]
