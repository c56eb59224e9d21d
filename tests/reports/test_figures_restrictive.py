"""Restrictive interventions and suspensions figures, against a fixture worked out by hand.

The period is Monday 2 to Friday 13 November 2026 (UK time is GMT then). In it, at Alder School:

rec  pupil   type       started      min  injured      report to parents    debrief  holders
r1   p1 (K)  restraint  02/11 00:00  4                 02/11 18:00 (same)   yes
r2   p1 (K)  restraint  13/11 23:50  10                14/11 08:00 (later)
r3   p2 (E)  seclusion  05/11 10:00  30   pupil        not made: exception  yes      2, 1 statement
r4   p3 (N)  restraint  06/11 09:00  7.5  pupil+staff  none
r5   p1 (K)  seclusion  10/11 14:00  20                10/11 16:00 (same)

Outside it: p2's restraint at 01/11 23:59 (injured, open), p4's (K) at 14/11 00:00 (open), a
complete one of p3's on 20/10, and one of Birch School's pupils on 05/11 (open).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from incidents.models import SuspensionReason
from pupils.models import Pupil, SenStatus
from reports.figures import Scope
from reports.figures import restrictive as figures
from tests.factories import PupilFactory, UserFactory
from tests.factories.incidents import (
    IncidentFactory,
    ParentReportFactory,
    RestrictiveInterventionFactory,
    StaffStatementFactory,
    local,
)

FIRST, LAST = local(2026, 11, 2).date(), local(2026, 11, 13).date()

pytestmark = pytest.mark.django_db


def restrictive(pupil, start, minutes, **kwargs):
    return RestrictiveInterventionFactory(
        pupil=pupil,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
        **kwargs,
    )


def report_made(record, at):
    return ParentReportFactory(intervention=record, reported_at=at)


def report_not_made(record):
    return ParentReportFactory(
        intervention=record,
        reported_at=None,
        method="",
        reported_by=None,
        what_was_said="",
        not_reported_reason="A report would likely cause the pupil significant harm",
        local_authority_reported_at=record.started_at + timedelta(hours=3),
        recorded_by=UserFactory(),
    )


@pytest.fixture
def world(cast):
    with scopes_disabled():
        school = cast.school_a
        p1 = PupilFactory(school=school, sen_status=SenStatus.SEN_SUPPORT)
        p2 = PupilFactory(school=school, sen_status=SenStatus.EHCP)
        p3 = PupilFactory(school=school, sen_status=SenStatus.NONE)
        p4 = PupilFactory(school=school, sen_status=SenStatus.SEN_SUPPORT)
        other = cast.pupils_b[0]
        debriefed = {"pupil_debrief_at": local(2026, 11, 20, 9)}
        holders = [UserFactory(), UserFactory()]

        r1 = restrictive(p1, local(2026, 11, 2, 0, 0), 4, **debriefed)
        report_made(r1, local(2026, 11, 2, 18, 0))
        r2 = restrictive(p1, local(2026, 11, 13, 23, 50), 10)
        report_made(r2, local(2026, 11, 14, 8, 0))
        r3 = restrictive(
            p2, local(2026, 11, 5, 10), 30, kind="seclusion", pupil_injured=True, **debriefed
        )
        report_not_made(r3)
        r3.staff_involved.set(holders)
        StaffStatementFactory(intervention=r3, author=holders[0])
        r4 = restrictive(p3, local(2026, 11, 6, 9), 7.5, pupil_injured=True, staff_injured=True)
        r5 = restrictive(p1, local(2026, 11, 10, 14), 20, kind="seclusion")
        report_made(r5, local(2026, 11, 10, 16))

        before = restrictive(p2, local(2026, 11, 1, 23, 59), 5, pupil_injured=True)
        restrictive(p4, local(2026, 11, 14, 0, 0), 5, staff_injured=True)
        done = restrictive(p3, local(2026, 10, 20, 11), 5, **debriefed)
        report_made(done, local(2026, 10, 20, 15))
        restrictive(other, local(2026, 11, 5, 11), 5, pupil_injured=True)

        def suspension(pupils, at, code, days, school=school, **kwargs):
            reason = SuspensionReason.objects.get(code=code) if code else None
            return IncidentFactory(
                school=school,
                pupils=pupils,
                occurred_at=at,
                outcome="suspension",
                suspension_reason=reason,
                suspension_days=Decimal(days),
                **kwargs,
            )

        suspension([p1], local(2026, 11, 2, 9), "PA", "1")
        suspension([p2, p3], local(2026, 11, 13, 15), "PA", "2.5")
        suspension([p3], local(2026, 11, 5, 11), "DB", "0.5")
        suspension([p1], local(2026, 11, 10, 12), "VP", "3")
        suspension([p4], local(2026, 11, 6, 13), None, "1")
        suspension([p1], local(2026, 11, 1, 23), "PA", "5")  # the day before
        suspension([p1], local(2026, 11, 14, 0), "PA", "5")  # the day after
        suspension([other], local(2026, 11, 5, 9), "PA", "5", school=cast.school_b)
        IncidentFactory(school=school, pupils=[p1], occurred_at=local(2026, 11, 4, 9))

    return {
        "school": school,
        "p1": p1,
        "p2": p2,
        "p3": p3,
        "p4": p4,
        "r": [r1, r2, r3, r4, r5],
        "before": before,
    }


def figure(function, world, *pupils):
    cohort = None
    if pupils:
        with scopes_disabled():
            cohort = Pupil.objects.filter(pk__in=[p.pk for p in pupils])
    with scope(school=world["school"]):
        return function(Scope(world["school"], FIRST, LAST, "Test", cohort))


def by_kind(value):
    return {row["kind"]: row for row in value}


def test_restraints_and_seclusions_are_counted_by_type_with_their_total_and_median_minutes(world):
    found = figure(figures.restrictive_by_kind, world)
    assert [row["label"] for row in found.value] == [
        "Restraint (physical intervention)",
        "Seclusion (prevented from leaving)",
    ]
    rows = by_kind(found.value)
    # Restraints r1 (4), r2 (10, on the last day), r4 (7.5); seclusions r3 (30) and r5 (20).
    assert rows["restraint"] | {"label": ""} == {
        "kind": "restraint",
        "label": "",
        "count": 3,
        "total_minutes": Decimal("21.5"),
        "median_minutes": Decimal("7.5"),
    }
    assert (rows["seclusion"]["count"], rows["seclusion"]["total_minutes"]) == (2, Decimal("50"))
    assert rows["seclusion"]["median_minutes"] == Decimal("25")
    assert "median" in found.definition and "started in the period" in found.definition


def test_a_type_with_no_interventions_is_shown_as_none(world):
    found = by_kind(figure(figures.restrictive_by_kind, world, world["p3"]).value)
    assert found["restraint"]["count"] == 1 and found["restraint"]["median_minutes"] == Decimal(
        "7.5"
    )
    assert found["seclusion"] == {
        "kind": "seclusion",
        "label": "Seclusion (prevented from leaving)",
        "count": 0,
        "total_minutes": Decimal("0"),
        "median_minutes": None,
    }


def test_by_type_of_a_cohort_counts_only_its_pupils(world):
    found = by_kind(figure(figures.restrictive_by_kind, world, world["p1"], world["p2"]).value)
    assert (found["restraint"]["count"], found["restraint"]["total_minutes"]) == (2, Decimal(14))
    assert found["restraint"]["median_minutes"] == Decimal(7)
    assert (found["seclusion"]["count"], found["seclusion"]["total_minutes"]) == (2, Decimal(50))


def test_the_median_read_from_the_middle_rows_agrees_with_percentile_cont(world):
    """The way SQLite takes the median gives the same minutes (odd and even counts)."""
    with scopes_disabled():
        restrictive(world["p3"], local(2026, 11, 12, 9), 12)  # restraints: 4, 7.5, 10, 12
    found = by_kind(figure(figures.restrictive_by_kind, world).value)
    with scope(school=world["school"]):
        middle = figures._middle_lengths(
            figures.interventions_in(Scope(world["school"], FIRST, LAST))
        )
    assert middle == {"restraint": timedelta(minutes=8.75), "seclusion": timedelta(minutes=25)}
    assert found["restraint"]["median_minutes"] == Decimal("8.8")  # 8.75, to one place
    assert found["seclusion"]["median_minutes"] == Decimal("25")


def test_injuries_count_interventions_with_the_pupil_or_staff_injured(world):
    # r3 (pupil) and r4 (pupil and staff); the day before's and Birch School's are not counted.
    assert figure(figures.restrictive_injuries, world).value == {
        "interventions": 5,
        "with_pupil_injured": 2,
        "with_staff_injured": 1,
        "with_either_injured": 2,
    }
    assert figure(figures.restrictive_injuries, world, world["p2"]).value == {
        "interventions": 1,
        "with_pupil_injured": 1,
        "with_staff_injured": 0,
        "with_either_injured": 1,
    }


def test_repeat_pupils_had_two_or_more_interventions_in_the_period(world):
    found = figure(figures.restrictive_repeat_pupils, world)
    # p1: r1, r2, r5. p2 had one in the period (the day before's is outside), p3 one.
    assert found.value == {"count": 1, "rows": [{"pupil_id": str(world["p1"].pk), "count": 3}]}
    assert figure(figures.restrictive_repeat_pupils, world, world["p2"], world["p3"]).value == {
        "count": 0,
        "rows": [],
    }


def test_a_second_intervention_on_the_last_day_makes_a_repeat_pupil(world):
    with scopes_disabled():
        restrictive(world["p3"], local(2026, 11, 13, 23, 59), 1)
    found = figure(figures.restrictive_repeat_pupils, world)
    assert found.value["rows"] == [
        {"pupil_id": str(world["p1"].pk), "count": 3},
        {"pupil_id": str(world["p3"].pk), "count": 2},
    ]


def test_follow_up_counts_reports_to_parents_made_the_same_day_and_pupil_debriefs(world):
    found = figure(figures.restrictive_follow_up, world)
    assert found.value == {
        "interventions": 5,
        "parent_report_same_day": 2,  # r1 (started at midnight, told at 18:00), r5
        "parent_report_later": 1,  # r2: 23:50 on the 13th, told at 08:00 on the 14th
        "parent_report_not_made": 1,  # r3: the reason and the local authority recorded
        "parent_report_missing": 1,  # r4
        "pupil_debrief": 2,  # r1, r3
    }
    assert figure(figures.restrictive_follow_up, world, world["p1"]).value == {
        "interventions": 3,
        "parent_report_same_day": 2,
        "parent_report_later": 1,
        "parent_report_not_made": 0,
        "parent_report_missing": 0,
        "pupil_debrief": 1,
    }


def test_same_day_is_the_uk_calendar_day_in_summer_time(world):
    with scopes_disabled():
        # 00:30 on 30/06 in London is 23:30 on 29/06 in UTC; told at 17:00 the same UK day.
        record = restrictive(world["p4"], local(2026, 6, 30, 0, 30), 5)
        report_made(record, local(2026, 6, 30, 17))
        late = restrictive(world["p4"], local(2026, 6, 30, 23, 30), 5)
        report_made(late, local(2026, 7, 1, 0, 15))
    with scope(school=world["school"]):
        found = figures.restrictive_follow_up(
            Scope(world["school"], local(2026, 6, 30).date(), local(2026, 6, 30).date())
        )
    assert (found.value["parent_report_same_day"], found.value["parent_report_later"]) == (1, 1)


def test_sen_of_pupils_with_restrictive_interventions(world):
    # p1 (K), p2 (E), p3 (N); p4 (K) only had one the day after the period.
    assert figure(figures.restrictive_pupils_sen, world).value == {
        "pupils": 3,
        "sen_support": 1,
        "ehcp": 1,
    }
    assert figure(figures.restrictive_pupils_sen, world, world["p1"], world["p4"]).value == {
        "pupils": 1,
        "sen_support": 1,
        "ehcp": 0,
    }


def test_outstanding_lists_every_intervention_up_to_the_end_of_the_period_still_missing_follow_up(
    world,
):
    found = figure(figures.restrictive_outstanding, world)
    r1, r2, r3, r4, r5 = world["r"]
    # r1 is complete, and so is p3's of 20/10; p4's of the 14th is after the period; Birch's is
    # another school's.
    assert [(row["intervention_id"], row["missing"]) for row in found.value] == [
        (str(world["before"].pk), ["report to parents", "debrief with the pupil"]),
        (str(r3.pk), ["1 staff statement(s)"]),
        (str(r4.pk), ["report to parents", "debrief with the pupil"]),
        (str(r5.pk), ["debrief with the pupil"]),
        (str(r2.pk), ["debrief with the pupil"]),
    ]
    assert found.value[1] | {"missing": None} == {
        "intervention_id": str(r3.pk),
        "pupil_id": str(world["p2"].pk),
        "kind": "seclusion",
        "label": "Seclusion (prevented from leaving)",
        "started_at": r3.started_at,
        "missing": None,
    }
    cohort = figure(figures.restrictive_outstanding, world, world["p1"])
    assert [row["intervention_id"] for row in cohort.value] == [str(r5.pk), str(r2.pk)]


def test_outstanding_uses_the_incident_logs_rule(world):
    """Once the follow-up is in, the record leaves the list, as it leaves the SENCo's home page."""
    r3 = world["r"][2]
    with scopes_disabled():
        StaffStatementFactory(intervention=r3, author=r3.staff_involved.order_by("pk").last())
    ids = [row["intervention_id"] for row in figure(figures.restrictive_outstanding, world).value]
    assert str(r3.pk) not in ids and len(ids) == 4


def test_suspensions_are_counted_by_dfe_reason_with_their_days(world):
    found = figure(figures.suspensions_by_reason, world)
    assert found.value["rows"] == [
        {
            "code": "PA",
            "label": "Physical assault against an adult",
            "count": 2,
            "days": Decimal("3.5"),
        },
        {
            "code": "DB",
            "label": "Persistent or general disruptive behaviour",
            "count": 1,
            "days": Decimal("0.5"),
        },
        {
            "code": "VP",
            "label": "Verbal abuse or threatening behaviour against a pupil",
            "count": 1,
            "days": Decimal("3"),
        },
        {"code": "", "label": "Not recorded", "count": 1, "days": Decimal("1")},
    ]
    assert (found.value["count"], found.value["days"], found.value["pupils"]) == (
        5,
        Decimal("8"),
        4,
    )


def test_suspensions_of_a_cohort_are_those_of_its_pupils_as_the_main_pupil(world):
    # p3 was also involved in p2's suspension of the 13th: that one is p2's.
    found = figure(figures.suspensions_by_reason, world, world["p3"])
    assert found.value["rows"] == [
        {
            "code": "DB",
            "label": "Persistent or general disruptive behaviour",
            "count": 1,
            "days": Decimal("0.5"),
        }
    ]
    assert (found.value["count"], found.value["days"], found.value["pupils"]) == (
        1,
        Decimal("0.5"),
        1,
    )


def test_every_figure_has_a_definition(world):
    for function in ALL:
        found = figure(function, world)
        assert found.key and found.title and found.definition.endswith(".")


ALL = [
    figures.restrictive_by_kind,
    figures.restrictive_injuries,
    figures.restrictive_repeat_pupils,
    figures.restrictive_follow_up,
    figures.restrictive_pupils_sen,
    figures.restrictive_outstanding,
    figures.suspensions_by_reason,
]


def _many(school, pupils, n):
    """``n`` interventions and suspensions a day apart over the period, spread over pupils."""
    holder = UserFactory()
    for i in range(n):
        pupil = pupils[i % len(pupils)]
        start = local(2026, 11, 2, 9) + timedelta(hours=7 * i)
        record = restrictive(
            pupil,
            start,
            3 + i % 5,
            kind="seclusion" if i % 3 else "restraint",
            pupil_injured=bool(i % 2),
        )
        record.staff_involved.set([holder])
        if i % 2:
            report_made(record, start + timedelta(hours=2))
        if i % 3:
            StaffStatementFactory(intervention=record, author=holder)
        IncidentFactory(
            school=school,
            pupils=[pupil],
            occurred_at=start,
            outcome="suspension",
            suspension_reason=SuspensionReason.objects.get(code=["PA", "DB", "VP"][i % 3]),
            suspension_days=Decimal("1.5"),
        )


def _queries(school):
    counts = {}
    with scope(school=school):
        for function in ALL:
            cohort = Pupil.objects.filter(school=school)
            with CaptureQueriesContext(connection) as captured:
                function(Scope(school, FIRST, LAST, "Test", cohort))
            counts[function.__name__] = len(captured.captured_queries)
    return counts


def test_query_counts_do_not_grow_with_the_data(cast):
    with scopes_disabled():
        small, large = cast.school_a, cast.school_b
        _many(small, cast.pupils_a[:3], 4)
        _many(large, cast.pupils_b + PupilFactory.create_batch(27, school=large), 40)
    few = _queries(small)
    assert few == _queries(large)
    assert few == {
        # SQLite has no percentile_cont: one more query reads the middle rows.
        "restrictive_by_kind": 1 if connection.vendor == "postgresql" else 2,
        "restrictive_injuries": 1,
        "restrictive_repeat_pupils": 1,
        "restrictive_follow_up": 1,
        "restrictive_pupils_sen": 1,
        "restrictive_outstanding": 1,
        "suspensions_by_reason": 2,
    }
