"""Interventions figures, against a hand-built school (the suite's today is Wed 25/11/2026; the
period: Tue 1/9 to Wed 25/11/2026).

- ELSA, judged by the school's own 1–10 scale (higher better). One group from Mon 7/9, planned
  6 sessions, 1 h × £15.00 = £15.00 a session, five pupils with consent from the start.
  Sessions 7/9, 14/9, 21/9 held, 28/9 cancelled: delivered 3, cancelled 1.
  Marks: 7/9 all five attended; 14/9 one absent; 21/9 one refused, one absent: 12 of 15 = 80%.
  Scores (baseline 7/9 → exit 20/11): 3→6, 4→4, 5→7, 2→5, 6→5: changes +3 0 +2 +3 −1, improved
  3 of 5 (60%). Mean change 1.4; SD(pre) = √(10/4) = 1.58114; d = 0.88544;
  SE = √(1/5 + d²/10) = 0.52764; 95% interval 0.88544 ± 1.03417 = −0.14873 to 1.91961.
  Cost to date 3 × £15 = £45.00; per pupil £45 ÷ 5 = £9.00; per pupil improved £45 ÷ 3 = £15.00.
- Lego-based therapy, no measure of its own (so the built-in SDQ teacher form). One group from
  Mon 2/11, planned 8 sessions, 0.5 h × £20.00 = £10.00 a session, two pupils, no sessions yet:
  delivered 0 of 8, no marks, nobody measured, cost £0.00, £0.00 a pupil.
- Totals: delivered 3 of 14 (21%), cancelled 1; attendance 12 of 15 (80%); improved 3 of 5 (60%);
  cost £45.00 over 7 pupils = £6.43 a pupil; £15.00 a pupil improved.
- School B's group and a group that ended in the summer never count.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scope as school_scope
from django_scopes import scopes_disabled

from interventions.models import Attendance, ResultPoint, SessionAttendance, SubscaleScore
from pupils.models import Pupil
from reports.figures import Scope
from reports.figures.interventions import (
    intervention_attendance,
    intervention_delivery,
    intervention_programmes,
    intervention_reviews,
)
from tests.factories import PupilFactory
from tests.factories.interventions import (
    EnrolmentFactory,
    GroupFactory,
    MeasureDefinitionFactory,
    MeasureResultFactory,
    ProgrammeFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 9, 1), date(2026, 11, 25)
START = date(2026, 9, 7)  # a Monday
INTERVENTIONS = (intervention_delivery, intervention_attendance, intervention_programmes)


def score(enrolment, definition, point, taken_on, value):
    result = MeasureResultFactory(
        pupil=enrolment.pupil,
        definition=definition,
        enrolment=enrolment,
        point=point,
        taken_on=taken_on,
        recorded_by=enrolment.created_by,
    )
    SubscaleScore.objects.create(result=result, subscale=definition.subscales.get(), score=value)


def elsa_group(school, pupils, scores, *, marks=None, name="ELSA"):
    """A group of ``name`` from ``START`` judged by its own scale, with a baseline → exit pair
    for each pupil (``scores``), its sessions and ``marks`` (one row of marks per session)."""
    definition = MeasureDefinitionFactory(school=school, name=f"{name} scale")
    programme = ProgrammeFactory(school=school, name=name)
    programme.measures.add(definition)
    group = GroupFactory(programme=programme, starts_on=START, weekday=0, planned_sessions=6)
    enrolments = [EnrolmentFactory(group=group, pupil=p, starts_on=START) for p in pupils]
    for enrolment, (pre, post) in zip(enrolments, scores, strict=True):
        score(enrolment, definition, ResultPoint.BASELINE, START, pre)
        score(enrolment, definition, ResultPoint.EXIT, date(2026, 11, 20), post)
    for week, row in enumerate(marks or []):
        cancelled = row is None
        session = SessionFactory(
            group=group,
            held_on=START + timedelta(weeks=week),
            cancelled=cancelled,
            cancel_reason="School trip" if cancelled else "",
        )
        for enrolment, mark in zip(enrolments, row or ["cancelled"] * len(enrolments), strict=True):
            SessionAttendance.objects.create(session=session, enrolment=enrolment, attendance=mark)
    return group


A, X, R = Attendance.ATTENDED, Attendance.ABSENT, Attendance.REFUSED


@pytest.fixture
def provision(cast):
    with scopes_disabled():
        school = cast.school_a
        elsa_group(
            school,
            cast.pupils_a,
            [(3, 6), (4, 4), (5, 7), (2, 5), (6, 5)],
            marks=[[A, A, A, A, A], [X, A, A, A, A], [A, R, X, A, A], None],
        )
        lego = GroupFactory(
            programme=ProgrammeFactory(school=school, name="Lego-based therapy"),
            starts_on=date(2026, 11, 2),
            weekday=0,
            planned_sessions=8,
            staff_hours_per_session=Decimal("0.50"),
            hourly_cost=Decimal("20.00"),
        )
        for pupil in cast.pupils_a[:2]:
            EnrolmentFactory(group=lego, pupil=pupil)
        ended = GroupFactory(
            programme=lego.programme,
            starts_on=date(2026, 4, 13),
            planned_end_on=date(2026, 7, 13),
            weekday=0,
        )
        SessionFactory(group=ended, held_on=date(2026, 4, 13))
        elsewhere = GroupFactory(
            programme=ProgrammeFactory(school=cast.school_b, name="ELSA"), starts_on=START
        )
        SessionFactory(group=elsewhere, held_on=START)
    return school


def run(figure, school, first=FIRST, last=LAST):
    with school_scope(school=school):
        return figure(Scope(school, first, last)).value


def test_sessions_delivered_against_planned_with_the_cancelled_apart(provision):
    assert run(intervention_delivery, provision) == {
        "delivered": 3,
        "cancelled": 1,
        "planned": 14,
        "share": "21%",
    }


def test_attendance_leaves_out_the_cancelled_session(provision):
    assert run(intervention_attendance, provision) == {
        "attended": 12,
        "counted": 15,
        "rate": "80%",
    }


def test_each_programme_with_pupils_improved_effect_size_attendance_and_costs(provision):
    value = run(intervention_programmes, provision)
    elsa, lego = value["rows"]
    assert (elsa["programme"], elsa["measure"], elsa["subscale"]) == ("ELSA", "ELSA scale", "Score")
    assert (elsa["enrolled"], elsa["measured"], elsa["improved"]) == (5, 5, 3)
    assert elsa["improved_share"] == "60%"
    assert elsa["effect_size"] == 0.89 and elsa["effect_size_ci"] == "-0.15 to 1.92"
    assert elsa["attendance"] == "80%"
    assert (elsa["delivered"], elsa["cancelled"], elsa["planned"]) == (3, 1, 6)
    assert elsa["cost_to_date"] == Decimal("45.00")
    assert elsa["cost_per_pupil"] == Decimal("9.00")
    assert elsa["cost_per_improved_pupil"] == Decimal("15.00")
    # No sessions yet: nothing delivered, no attendance, nobody measured, nothing spent.
    assert lego["programme"] == "Lego-based therapy"
    assert lego["measure"].startswith("SDQ")
    assert (lego["delivered"], lego["planned"], lego["attendance"]) == (0, 8, None)
    assert (lego["measured"], lego["improved"], lego["improved_share"]) == (0, 0, None)
    assert (lego["effect_size"], lego["cost_per_pupil"]) == (None, Decimal("0.00"))
    assert lego["cost_per_improved_pupil"] is None


def test_the_totals_go_through_the_same_cost_rule(provision):
    value = run(intervention_programmes, provision)
    assert (value["improved"], value["measured"], value["improved_share"]) == (3, 5, "60%")
    assert (value["cost_to_date"], value["pupils"]) == (Decimal("45.00"), 7)
    assert value["cost_per_pupil"] == Decimal("6.43")  # 45 ÷ 7 = 6.428…
    assert value["cost_per_improved_pupil"] == Decimal("15.00")


def test_fewer_than_five_pupils_measured_means_no_share_and_no_effect_size(cast):
    with scopes_disabled():
        elsa_group(
            cast.school_a,
            cast.pupils_a[:4],
            [(3, 6), (4, 4), (5, 7), (2, 5)],
            marks=[[A, A, A, A]],
        )
    value = run(intervention_programmes, cast.school_a)
    (row,) = value["rows"]
    assert (row["measured"], row["improved"], row["improved_share"]) == (4, 3, None)
    assert (row["effect_size"], row["effect_size_ci"]) == (None, None)
    assert value["improved_share"] is None
    # Four marks: no rate either.
    assert run(intervention_attendance, cast.school_a) == {
        "attended": 4,
        "counted": 4,
        "rate": None,
    }


def test_a_period_with_no_groups_counts_nothing(provision):
    first, last = date(2026, 1, 5), date(2026, 3, 27)
    assert run(intervention_delivery, provision, first, last) == {
        "delivered": 0,
        "cancelled": 0,
        "planned": 0,
        "share": None,
    }
    assert run(intervention_attendance, provision, first, last)["rate"] is None
    value = run(intervention_programmes, provision, first, last)
    assert value["rows"] == [] and value["cost_per_pupil"] is None
    assert value["cost_per_improved_pupil"] is None


def test_a_cohort_is_refused_rather_than_answered_for_the_whole_school(provision):
    with school_scope(school=provision):
        cohort = Pupil.objects.filter(pk=Pupil.objects.filter(school=provision).first().pk)
        for figure in INTERVENTIONS:
            with pytest.raises(ValueError):
                figure(Scope(provision, FIRST, LAST, pupils=cohort))


def _queries(school):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with school_scope(school=school), CaptureQueriesContext(connection) as queries:
        for figure in INTERVENTIONS:
            figure(Scope(school, FIRST, LAST))
    return len(queries)


def test_interventions_figures_take_the_same_queries_for_ten_times_the_sessions(cast):
    with scopes_disabled():
        group = elsa_group(
            cast.school_a, cast.pupils_a, [(3, 6), (4, 4), (5, 7), (2, 5), (6, 5)], marks=[[A] * 5]
        )
    small = _queries(cast.school_a)
    with scopes_disabled():
        enrolments = list(group.enrolments.all())
        for week in range(1, 11):
            session = SessionFactory(group=group, held_on=START + timedelta(weeks=week))
            for enrolment in enrolments:
                SessionAttendance.objects.create(session=session, enrolment=enrolment, attendance=A)
    # Delivery 2, attendance 1, the programme summary 9 + 5 for its one measure.
    assert small == _queries(cast.school_a) == 17


def test_provision_review_scores_and_decisions_are_counted_by_programme(cast):
    school = cast.school_a
    with school_scope(school=school):
        elsa = GroupFactory(
            programme=ProgrammeFactory(school=school, name="Nurture"), starts_on=START
        )
        lego = GroupFactory(
            programme=ProgrammeFactory(school=school, name="Lego club"), starts_on=START
        )
        reviewed = [
            (elsa, 2, "continue", date(2026, 10, 1)),
            (elsa, 1, "continue", date(2026, 11, 2)),
            (elsa, -1, "adapt", date(2026, 11, 3)),
            (lego, 0, "stop", date(2026, 10, 20)),
            (lego, 2, "exit", date(2026, 7, 1)),  # reviewed last term: not counted
            (lego, None, "", None),  # not reviewed
        ]
        for group, score_, decision, day in reviewed:
            EnrolmentFactory(
                group=group,
                pupil=PupilFactory(school=school),
                starts_on=date(2026, 6, 1) if day and day < START else START,
                review_score=score_,
                review_decision=decision,
                reviewed_on=day,
            )

    with school_scope(school=school):
        figure = intervention_reviews(Scope(school, FIRST, LAST))

    rows = {row["programme"]: row for row in figure.rows}
    assert rows["Nurture"]["reviewed"] == 3 and rows["Nurture"]["mean_score"] == round(2 / 3, 2)
    assert (
        rows["Nurture"]["score_2"],
        rows["Nurture"]["score_1"],
        rows["Nurture"]["score_-1"],
    ) == (1, 1, 1)
    assert (rows["Nurture"]["continue"], rows["Nurture"]["adapt"], rows["Nurture"]["stop"]) == (
        2,
        1,
        0,
    )
    assert (
        rows["Lego club"]["reviewed"] == 1
        and rows["Lego club"]["stop"] == 1
        and rows["Lego club"]["exit"] == 0
    )
    total = figure.value["total"]
    assert total["reviewed"] == 4 and total["continue"] == 2 and total["stop"] == 1
    assert "provision-review scale" in figure.definition
