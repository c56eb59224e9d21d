"""Pupils of concern at the rule's edges: exactly twice the baseline is listed, just under is not;
a minimum this fortnight; check-ins a whole point lower; the moment the fortnight begins."""

import datetime

from django_scopes import scope

from reports.figures import Scope
from reports.figures.concern import pupils_of_concern
from tests.conftest import at
from tests.factories import PupilFactory
from tests.factories.incidents import IncidentFactory
from tests.factories.pupils import WellbeingCheckInFactory
from tests.factories.reset_area import RoomFactory, VisitFactory

D = datetime.date
LAST = D(2026, 11, 25)  # this fortnight: 12/11–25/11; the six weeks before: 15/10–11/11
RECENT = [D(2026, 11, 12), D(2026, 11, 18), D(2026, 11, 25)]
BEFORE = [D(2026, 10, 15), D(2026, 10, 28), D(2026, 11, 11)]


def incidents(school, pupil, days, hh=10, mm=0):
    for day in days:
        IncidentFactory(school=school, pupils=[pupil], occurred_at=at(day, hh, mm))


def visits(room, pupil, minutes_by_day):
    for day, minutes in minutes_by_day:
        arrived = at(day, 10)
        VisitFactory(
            room=room,
            pupil=pupil,
            arrived_at=arrived,
            left_at=arrived + datetime.timedelta(minutes=minutes),
            minutes_out_of_learning=minutes,
        )


def check_ins(pupil, zones_by_day):
    for day, zone in zones_by_day:
        WellbeingCheckInFactory(pupil=pupil, at=at(day, 8, 50), zone=zone)


def test_pupils_of_concern_at_the_edges_of_the_rule(cast, django_assert_max_num_queries):
    school = cast.school_a
    with scope(school=school):
        doubled, not_doubled, one_only = PupilFactory.create_batch(3, school=school)
        incidents(school, doubled, RECENT[:2])  # 2 now against 3 in six weeks: exactly twice
        incidents(school, doubled, BEFORE)
        incidents(school, not_doubled, RECENT[:2])  # 2 now against 4: under twice
        incidents(school, not_doubled, BEFORE + [D(2026, 11, 5)])
        incidents(school, one_only, RECENT[:1])  # rose from none, but only 1

        # The fortnight begins at midnight: 23:59 on 11/11 is the baseline's.
        edge = PupilFactory(school=school)
        incidents(school, edge, [D(2026, 11, 12)], hh=0, mm=0)
        incidents(school, edge, [D(2026, 11, 11)], hh=23, mm=59)

        room = RoomFactory(school=school)
        minutes_up, minutes_few = PupilFactory.create_batch(2, school=school)
        visits(room, minutes_up, [(RECENT[0], 30), (RECENT[1], 30), (BEFORE[0], 90)])  # 60 v 90
        visits(room, minutes_few, [(RECENT[0], 59)])  # under 60

        lower, slightly = PupilFactory.create_batch(2, school=school)
        check_ins(lower, [(d, "green") for d in BEFORE] + [(d, "yellow") for d in RECENT])
        check_ins(
            slightly,
            [(d, "green") for d in BEFORE]
            + list(zip(RECENT, ["yellow", "yellow", "green"], strict=True)),
        )
        other = PupilFactory(school=cast.school_b)
    with scope(school=cast.school_b):
        incidents(cast.school_b, other, RECENT)

    with scope(school=school), django_assert_max_num_queries(4):
        figure = pupils_of_concern(Scope(school, D(2026, 9, 3), LAST))

    listed = {row["pupil"]: row["reasons"] for row in figure.value}
    assert set(listed) == {doubled, minutes_up, lower}
    assert listed[doubled] == ["2 incidents this fortnight, 3 in the six weeks before"]
    assert listed[minutes_up] == [
        "60 minutes out of learning in the Reset Area this fortnight, 90 in the six weeks before"
    ]
    assert listed[lower] == ["check-ins averaged 3.0 this fortnight against 4.0 before"]
    assert "at least twice the baseline" in figure.definition
