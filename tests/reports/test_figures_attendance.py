"""Attendance of the SEMH register against the whole school, hand-counted: exactly 90% is
persistent absence (the DfE's "10% or more missed"), a period outside the range is left out."""

import datetime

from django_scopes import scope

from pupils.models import PrimaryNeed
from reports.figures import Scope
from reports.figures.attendance import semh_attendance
from tests.factories import PupilFactory
from tests.factories.pupils import AttendanceRecordFactory

D = datetime.date


def week(pupil, monday, possible, present):
    absent = possible - present
    return AttendanceRecordFactory(
        pupil=pupil,
        starts_on=monday,
        ends_on=monday + datetime.timedelta(days=4),
        possible=possible,
        present=present,
        authorised=absent,
    )


def test_the_semh_register_and_the_whole_school_by_hand(cast, django_assert_max_num_queries):
    school = cast.school_a
    with scope(school=school):
        s1 = PupilFactory(school=school, primary_need=PrimaryNeed.SEMH)
        s2 = PupilFactory(school=school, primary_need=PrimaryNeed.SEMH)
        n1 = PupilFactory(school=school, primary_need=PrimaryNeed.ASD)
        week(s1, D(2026, 11, 9), 10, 10)
        week(s1, D(2026, 11, 16), 10, 8)  # 18 of 20: exactly 90%, persistently absent
        week(s2, D(2026, 11, 16), 10, 10)
        week(n1, D(2026, 11, 16), 10, 4)  # 40%: severely absent
        week(n1, D(2026, 10, 26), 10, 0)  # before the range
        other = PupilFactory(school=cast.school_b, primary_need=PrimaryNeed.SEMH)
    with scope(school=cast.school_b):
        week(other, D(2026, 11, 16), 10, 0)

    with scope(school=school), django_assert_max_num_queries(2):
        figure = semh_attendance(Scope(school, D(2026, 11, 2), D(2026, 11, 25)))

    whole, semh = figure.value
    assert whole == {
        "label": "Whole school",
        "pupils": 3,
        "possible": 40,
        "present": 32,
        "rate": "80.0%",
        "persistent": 2,
        "severe": 1,
    }
    assert semh == {
        "label": "SEMH register",
        "pupils": 2,
        "possible": 30,
        "present": 28,
        "rate": "93.3%",
        "persistent": 1,
        "severe": 0,
    }
    assert "10% or more" in figure.definition
