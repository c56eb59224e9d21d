"""Reach and equity: each cohort's and year group's headline counts, from a hand-built school."""

import datetime

from django_scopes import scope

from pupils.models import PrimaryNeed, SenStatus
from reports.figures import Scope
from reports.figures.breakdown import cohort_breakdown
from reports.tables import Table, anonymised, figure_table
from tests.conftest import at
from tests.factories import PupilFactory, SchoolFactory
from tests.factories.incidents import IncidentFactory, RestrictiveInterventionFactory
from tests.factories.reset_area import RoomFactory, VisitFactory
from tests.reports.figure_queries import figure_queries

D = datetime.date
FIRST, LAST = D(2026, 9, 1), D(2026, 10, 31)


def _school():
    school = SchoolFactory()
    with scope(school=school):
        # Year 7: an EHCP pupil with SEMH need (in the SEMH register), two SEN support, one
        # without SEN on the pupil premium. Year 8: one looked-after pupil with no SEN.
        ehcp = PupilFactory(school=school, sen_status=SenStatus.EHCP, primary_need=PrimaryNeed.SEMH)
        k1, k2 = PupilFactory.create_batch(2, school=school, sen_status=SenStatus.SEN_SUPPORT)
        pp = PupilFactory(school=school, sen_status=SenStatus.NONE, pupil_premium=True)
        lac = PupilFactory(
            school=school, sen_status=SenStatus.NONE, looked_after=True, year_group=8
        )
        # Left before the period: in no row.
        PupilFactory(school=school, left_on=D(2026, 7, 20), primary_need=PrimaryNeed.SEMH)
        IncidentFactory(school=school, pupils=[ehcp], occurred_at=at(D(2026, 9, 10), 10))
        IncidentFactory(school=school, pupils=[ehcp, k1], occurred_at=at(D(2026, 10, 31), 15))
        IncidentFactory(school=school, pupils=[k1], occurred_at=at(D(2026, 10, 1), 9))
        IncidentFactory(school=school, pupils=[lac], occurred_at=at(D(2026, 11, 1), 9))  # after
        IncidentFactory(school=school, pupils=[pp], occurred_at=at(D(2026, 8, 31), 23))  # before
        RestrictiveInterventionFactory(pupil=ehcp, started_at=at(D(2026, 9, 10), 10, 5))
        room = RoomFactory(school=school)
        for pupil, day, minutes in ((ehcp, 14, 30), (lac, 15, 20), (lac, 16, 10), (k2, 17, None)):
            VisitFactory(
                room=room,
                pupil=pupil,
                arrived_at=at(D(2026, 9, day), 11),
                left_at=at(D(2026, 9, day), 12) if minutes else None,
                minutes_out_of_learning=minutes,
                stay_minutes=60 if minutes else None,
            )
    return school


def test_each_cohort_and_year_group_has_its_own_counts(db):
    school = _school()
    with scope(school=school):
        rows = {
            row["label"]: row for row in cohort_breakdown(Scope(school, FIRST, LAST)).value["rows"]
        }

    def counts(label):
        row = rows[label]
        return tuple(
            row[k]
            for k in (
                "pupils",
                "incidents",
                "pupils_with_incidents",
                "restrictive",
                "reset_visits",
                "reset_minutes",
            )
        )

    # The SEMH register: the EHCP pupil (primary need SEMH) only.
    assert counts("SEMH register") == (1, 2, 1, 1, 1, 30)
    # SEN support: k1 (main pupil of one incident; the other lists k1 second) and k2 (a visit
    # still open: no minutes).
    assert counts("SEN support (K)") == (2, 1, 1, 0, 1, 0)
    assert counts("EHCP (E)") == (1, 2, 1, 1, 1, 30)
    assert counts("Pupil premium") == (1, 0, 0, 0, 0, 0)
    assert counts("Looked after") == (1, 0, 0, 0, 2, 30)
    assert counts("Year 7") == (4, 3, 2, 1, 2, 30)
    assert counts("Year 8") == (1, 0, 0, 0, 2, 30)
    assert list(rows) == [
        "SEMH register",
        "SEN support (K)",
        "EHCP (E)",
        "Pupil premium",
        "Looked after",
        "Year 7",
        "Year 8",
    ]
    # Fewer than five pupils: no share.
    assert rows["Year 7"]["share_with_incidents"] is None


def test_a_share_is_shown_from_five_pupils(db):
    school = _school()
    with scope(school=school):
        extra = PupilFactory(school=school, sen_status=SenStatus.NONE)
        IncidentFactory(school=school, pupils=[extra], occurred_at=at(D(2026, 9, 20), 10))
        rows = {
            row["label"]: row for row in cohort_breakdown(Scope(school, FIRST, LAST)).value["rows"]
        }
    assert rows["Year 7"]["pupils"] == 5
    assert rows["Year 7"]["share_with_incidents"] == "60%"  # ehcp, k1, extra of 5


def test_the_breakdown_takes_the_same_queries_for_ten_times_the_data(db):
    school = _school()
    small = figure_queries(school, [cohort_breakdown], FIRST, LAST)
    with scope(school=school):
        for n in range(10):
            pupil = PupilFactory(school=school, year_group=7)
            IncidentFactory(school=school, pupils=[pupil], occurred_at=at(D(2026, 9, 2 + n), 10))
    assert figure_queries(school, [cohort_breakdown], FIRST, LAST) == small


def test_an_anonymised_breakdown_shows_counts_under_five_as_fewer_than_5(db):
    school = _school()
    with scope(school=school):
        found = cohort_breakdown(Scope(school, FIRST, LAST))
    table = anonymised(figure_table(found))
    year_7 = next(row for row in table.rows if row[0] == "Year 7")
    # pupils 4, incidents 3, pupils with incidents 2, share hidden, restrictive 1, visits 2, 30 min
    assert year_7 == ["Year 7", *["fewer than 5"] * 3, None, "fewer than 5", "fewer than 5", 30]
    pupil_premium = next(row for row in table.rows if row[0] == "Pupil premium")
    assert pupil_premium[1:4] == ["fewer than 5", 0, 0]  # none is not hidden


def test_an_anonymised_row_with_a_hidden_count_hides_its_shares_too(db):
    table = anonymised(
        Table(
            "t",
            "T",
            "",
            ["Cohort", "Pupils", "With incidents", "Share"],
            [
                ["Year 3", 8, 3, "38%"],
                ["Year 4", 10, 6, "60%"],
            ],
        )
    )
    assert table.rows == [["Year 3", 8, "fewer than 5", None], ["Year 4", 10, 6, "60%"]]
