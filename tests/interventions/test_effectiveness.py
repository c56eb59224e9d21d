"""Effectiveness figures against small fixtures worked out by hand: direction-aware change, the
standardised change and its interval, small-n suppression, the Boxall version rule, band moves,
attendance (cancelled and pre-consent sessions left out), delivery, reviews and costs; query
counts flat for 10 vs 1,000 sessions.

The suite's today is Wednesday 25/11/2026; the built-in SDQ arrives in another migration, so these
tests make their own small SDQ-like definition (lower difficulties better, higher prosocial
better, a total with the teacher four bands)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from interventions import effectiveness as eff
from interventions.change import LABEL, effect_size
from interventions.models import (
    Attendance,
    Band,
    Consent,
    Instrument,
    MeasureDefinition,
    ResultPoint,
    Session,
    SessionAttendance,
    Subscale,
    SubscaleScore,
)
from tests.factories import PupilFactory
from tests.factories.interventions import (
    EnrolmentFactory,
    GroupFactory,
    MeasureResultFactory,
    ProgrammeFactory,
    SessionFactory,
)

START = date(2026, 9, 7)  # a Monday
FIRST, LAST = date(2026, 9, 1), date(2026, 11, 25)

TOTAL_BANDS = [("Close to average", 0, 11), ("Slightly raised", 12, 15), ("High", 16, 18)]
TOTAL_BANDS += [("Very high", 19, 40)]


def sdq_like(school, key="sdq-like", versions=()):
    definition = MeasureDefinition.objects.create(
        school=school,
        key=key,
        name="SDQ-like (teacher)",
        instrument=Instrument.SDQ,
        informant="teacher",
        versions=list(versions),
    )
    Subscale.objects.create(definition=definition, key="emotional", name="Emotional", maximum=10)
    Subscale.objects.create(
        definition=definition,
        key="prosocial",
        name="Prosocial",
        position=1,
        maximum=10,
        higher_is_better=True,
    )
    total = Subscale.objects.create(
        definition=definition,
        key="total",
        name="Total difficulties",
        position=2,
        maximum=40,
        is_total=True,
        is_headline=True,
    )
    for position, (name, low, high) in enumerate(TOTAL_BANDS):
        Band.objects.create(subscale=total, name=name, position=position, low=low, high=high)
    return definition


def result(enrolment, definition, point, taken_on, version="", **scores):
    made = MeasureResultFactory(
        pupil=enrolment.pupil,
        definition=definition,
        enrolment=enrolment,
        point=point,
        taken_on=taken_on,
        version=version,
        recorded_by=enrolment.created_by,
    )
    for key, score in scores.items():
        SubscaleScore.objects.create(
            result=made, subscale=definition.subscales.get(key=key), score=score
        )
    return made


def paired(group, definition, pre: dict, post: dict, *, exit_on=date(2026, 11, 20), **pupil):
    enrolment = EnrolmentFactory(group=group, starts_on=START, **pupil)
    result(enrolment, definition, ResultPoint.BASELINE, START, **pre)
    result(enrolment, definition, ResultPoint.EXIT, exit_on, **post)
    return enrolment


@pytest.fixture
def group(cast):
    with scopes_disabled():
        programme = ProgrammeFactory(school=cast.school_a, name="ELSA (Year 4)")
        return GroupFactory(programme=programme, starts_on=START, weekday=0)


def change_of(group, definition, **filters):
    return eff.measure_change(
        group.school, definition=definition, first=FIRST, last=LAST, group=group, **filters
    )


def test_change_is_direction_aware_difficulties_down_and_prosocial_up_are_both_better(group):
    with scopes_disabled():
        definition = sdq_like(group.school)
        # Emotional 6 → 3 (lower is better: +3); prosocial 4 → 7 (higher is better: +3);
        # total 20 → 24 (worse: −4).
        paired(
            group,
            definition,
            {"emotional": 6, "prosocial": 4, "total": 20},
            {"emotional": 3, "prosocial": 7, "total": 24},
        )
        change = change_of(group, definition)
    emotional, prosocial, total = change.subscales
    assert [p.change for p in emotional.pupils] == [3]
    assert [p.change for p in prosocial.pupils] == [3]
    assert [p.change for p in total.pupils] == [-4]
    assert (emotional.improved, prosocial.improved, total.worse) == (1, 1, 1)
    assert change.headline is total


def test_effect_size_and_ci_match_the_hand_worked_figures_for_five_pupils(group):
    # Total difficulties (lower is better), change = pre − post:
    #   pre  20 18 22 16 24 (mean 20)   post 14 15 20 16 17 (mean 16.4)
    #   change 6 3 2 0 7: mean 18/5 = 3.6; improved 4 (80%), same 1 (20%), worse 0 (0%).
    # SD(pre), n − 1: deviations 0 −2 2 −4 4 → squares sum 40; 40/4 = 10; √10 = 3.16228.
    # d = 3.6 / 3.16228 = 1.13842.
    # SE = √(1/5 + d²/(2·5)) = √(0.2 + 1.29600/10) = √0.32960 = 0.57411.
    # CI = 1.13842 ± 1.96 × 0.57411 = 1.13842 ± 1.12525 → 0.01317 to 2.26367.
    with scopes_disabled():
        definition = sdq_like(group.school)
        for pre, post in [(20, 14), (18, 15), (22, 20), (16, 16), (24, 17)]:
            paired(group, definition, {"total": pre}, {"total": post})
        total = change_of(group, definition).headline
    assert total.n == 5 and not total.small
    assert total.mean_pre == pytest.approx(20) and total.mean_post == pytest.approx(16.4)
    assert total.mean_change == pytest.approx(3.6)
    assert total.d == pytest.approx(1.13842, abs=1e-5)
    assert total.ci_low == pytest.approx(0.01317, abs=1e-5)
    assert total.ci_high == pytest.approx(2.26367, abs=1e-5)
    assert (total.improved_pct, total.same_pct, total.worse_pct) == (80, 20, 0)
    assert total.pupils == []  # individual changes only below five pupils


def test_band_moves_count_very_high_to_lower_bands_as_better(group):
    # Bands: 0–11 close to average, 12–15 slightly raised, 16–18 high, 19–40 very high.
    #   20 VH → 14 SR better; 18 H → 15 SR better; 22 VH → 20 VH same; 16 H → 16 H same;
    #   24 VH → 17 H better: 3 better (60%), 2 same, 0 worse.
    with scopes_disabled():
        definition = sdq_like(group.school)
        for pre, post in [(20, 14), (18, 15), (22, 20), (16, 16), (24, 17)]:
            paired(group, definition, {"total": pre}, {"total": post})
        total = change_of(group, definition).headline
    assert (total.band_better, total.band_same, total.band_worse) == (3, 2, 0)
    assert total.band_better_pct == 60
    moves = {(m.from_band, m.to_band): m.pupils for m in total.band_moves}
    assert moves[("Very high", "Slightly raised")] == 1
    assert moves[("Very high", "High")] == 1
    assert moves[("Very high", "Very high")] == 1


def test_below_five_pupils_there_is_no_effect_size_no_percentage_only_counts_and_each_change(
    group,
):
    with scopes_disabled():
        definition = sdq_like(group.school)
        for pre, post in [(20, 14), (18, 15), (22, 20), (16, 16)]:
            paired(group, definition, {"total": pre}, {"total": post})
        change = change_of(group, definition)
    total = change.headline
    assert change.small and total.small and total.n == 4
    assert total.d is None and total.ci_low is None and total.mean_change is None
    assert total.improved_pct is None and total.band_better_pct is None
    assert (total.improved, total.same, total.worse) == (3, 1, 0)
    assert sorted(p.change for p in total.pupils) == [0, 2, 3, 6]
    assert change.label == LABEL == "pre/post, no comparison group"


def test_boxall_change_pairs_only_results_of_the_same_version(group):
    with scopes_disabled():
        definition = sdq_like(group.school, key="boxall-like", versions=["primary", "young"])
        # Pupil 1: baseline "young" (older) and "primary" (newer); exit "young" → pairs with
        # the "young" baseline: 20 → 14.
        one = EnrolmentFactory(group=group, starts_on=START)
        result(one, definition, ResultPoint.BASELINE, START, "young", total=20)
        result(
            one, definition, ResultPoint.BASELINE, START + timedelta(days=2), "primary", total=30
        )
        result(one, definition, ResultPoint.EXIT, date(2026, 11, 20), "young", total=14)
        # Pupil 2: baseline "primary", exit "young": no pair.
        two = EnrolmentFactory(group=group, starts_on=START)
        result(two, definition, ResultPoint.BASELINE, START, "primary", total=20)
        result(two, definition, ResultPoint.EXIT, date(2026, 11, 20), "young", total=10)
        change = change_of(group, definition)
    assert (change.enrolled, change.paired) == (2, 1)
    assert [(p.pre, p.post) for p in change.headline.pupils] == [(20, 14)]


def test_exit_wins_over_a_later_review_and_withdrawn_results_do_not_count(group):
    with scopes_disabled():
        definition = sdq_like(group.school)
        enrolment = EnrolmentFactory(group=group, starts_on=START)
        result(enrolment, definition, ResultPoint.BASELINE, START, total=20)
        result(enrolment, definition, ResultPoint.EXIT, date(2026, 11, 2), total=12)
        result(enrolment, definition, ResultPoint.REVIEW, date(2026, 11, 20), total=25)
        withdrawn = result(enrolment, definition, ResultPoint.EXIT, date(2026, 11, 23), total=2)
        withdrawn.withdrawn_at = withdrawn.recorded_at
        withdrawn.save()
        # Out of range: an exit after the range's end is not read.
        change = eff.measure_change(
            group.school, definition=definition, first=FIRST, last=date(2026, 11, 21), group=group
        )
    assert [(p.pre, p.post) for p in change.headline.pupils] == [(20, 12)]


def test_latest_review_is_used_when_there_is_no_exit(group):
    with scopes_disabled():
        definition = sdq_like(group.school)
        enrolment = EnrolmentFactory(group=group, starts_on=START)
        result(enrolment, definition, ResultPoint.BASELINE, START, total=20)
        result(enrolment, definition, ResultPoint.REVIEW, date(2026, 10, 5), total=18)
        result(enrolment, definition, ResultPoint.REVIEW, date(2026, 11, 9), total=15)
        change = change_of(group, definition)
    assert [(p.pre, p.post, p.change) for p in change.headline.pupils] == [(20, 15, 5)]


@pytest.fixture
def register(group):
    """Four Mondays of the group (planned 6): the fourth cancelled.
    Pupil A: consent given on 14/09 (after session 1). Pupil B: consent from the start.
        session   07/09     14/09     21/09    28/09 (cancelled)
        A         attended  attended  absent   cancelled
        B         attended  refused   attended cancelled
    Counted: A 14/09 attended, 21/09 absent (07/09 before consent) → 1 of 2;
             B 07/09 attended, 14/09 refused, 21/09 attended → 2 of 3. Together 3 of 5 = 60%."""
    with scopes_disabled():
        a = EnrolmentFactory(group=group, starts_on=START, consent_given_on=date(2026, 9, 14))
        b = EnrolmentFactory(group=group, starts_on=START)
        days = [START + timedelta(weeks=w) for w in range(4)]
        sessions = [SessionFactory(group=group, held_on=day) for day in days[:3]]
        sessions.append(
            SessionFactory(group=group, held_on=days[3], cancelled=True, cancel_reason="Trip")
        )
        marks = {
            a: ["attended", "attended", "absent", "cancelled"],
            b: ["attended", "refused", "attended", "cancelled"],
        }
        for enrolment, row in marks.items():
            for session, mark in zip(sessions, row, strict=True):
                SessionAttendance.objects.create(
                    session=session, enrolment=enrolment, attendance=mark
                )
    return {"a": a, "b": b, "sessions": sessions}


def test_attendance_rate_leaves_out_cancelled_and_pre_consent_sessions(group, register):
    with scopes_disabled():
        rate = eff.attendance_rate(group.school, first=FIRST, last=LAST, group=group)
        pupil_a = eff.attendance_rate(
            group.school, first=FIRST, last=LAST, pupil=register["a"].pupil
        )
    assert (rate.attended, rate.counted, rate.rate) == (3, 5, 60)
    assert (pupil_a.attended, pupil_a.counted, pupil_a.rate) == (1, 2, 50)


def test_consent_never_given_means_no_session_counts(group):
    with scopes_disabled():
        enrolment = EnrolmentFactory(group=group, starts_on=START, consent=Consent.AWAITING)
        session = SessionFactory(group=group, held_on=START)
        SessionAttendance.objects.create(
            session=session, enrolment=enrolment, attendance=Attendance.ATTENDED
        )
        rate = eff.attendance_rate(group.school, first=FIRST, last=LAST, group=group)
    assert (rate.counted, rate.rate) == (0, None)


def test_sessions_delivered_against_planned_count_cancelled_apart(group, register):
    with scopes_disabled():
        delivery = eff.sessions_delivered_vs_planned(group.school, first=FIRST, last=LAST)
    assert (delivery.delivered, delivery.cancelled, delivery.planned) == (3, 1, 6)
    assert delivery.share == 50  # 3 of 6


def test_review_scores_give_the_distribution_and_mean(group):
    with scopes_disabled():
        for score in (2, 1, 1, -1):
            EnrolmentFactory(
                group=group, starts_on=START, review_score=score, reviewed_on=date(2026, 11, 2)
            )
        EnrolmentFactory(group=group, starts_on=START)  # not reviewed yet
        reviews = eff.review_scores(group.school, first=FIRST, last=LAST, group=group)
    assert reviews.distribution == [(-2, 0), (-1, 1), (0, 0), (1, 2), (2, 1)]
    assert reviews.n == 4 and reviews.mean == pytest.approx(0.75)  # (2 + 1 + 1 − 1) / 4


def test_cost_per_pupil_and_per_pupil_improved_come_from_the_cost_rule(group, register):
    # £15/h × 1 h = £15 a session; 3 delivered by 25/11 → £45 to date; 2 pupils → £22.50 each.
    # On the programme's measure A improved (20 → 14), B did not (20 → 22): £45 ÷ 1 = £45.00.
    with scopes_disabled():
        definition = sdq_like(group.school)
        group.programme.measures.add(definition)
        a, b = register["a"], register["b"]
        result(a, definition, ResultPoint.BASELINE, START, total=20)
        result(a, definition, ResultPoint.EXIT, date(2026, 11, 20), total=14)
        result(b, definition, ResultPoint.BASELINE, START, total=20)
        result(b, definition, ResultPoint.EXIT, date(2026, 11, 20), total=22)
        costs = eff.cost_figures(group.school, first=FIRST, last=LAST, programme=group.programme)
        summary = eff.programme_summary(group.school, FIRST, LAST)
    assert costs.to_date_total == Decimal("45.00") and costs.pupils == 2
    assert costs.per_pupil == Decimal("22.50")
    assert costs.improved == 1 and costs.per_improved_pupil == Decimal("45.00")
    [row] = summary
    assert row.programme == group.programme and row.definition == definition
    assert row.costs.per_pupil == Decimal("22.50")
    assert row.costs.per_improved_pupil == Decimal("45.00")
    assert row.attendance.rate == 60 and row.delivery.delivered == 3


def test_cost_per_pupil_improved_is_none_when_nobody_improved(group, register):
    with scopes_disabled():
        costs = eff.cost_figures(
            group.school, first=FIRST, last=LAST, programme=group.programme, improved=0
        )
    assert costs.per_improved_pupil is None and costs.per_pupil == Decimal("22.50")


def test_effect_size_is_none_when_every_baseline_is_the_same():
    assert effect_size([10, 10, 10, 10, 10], [1, 2, 3, 4, 5]) is None


def _sessions(group, count):
    enrolments = [EnrolmentFactory(group=group, starts_on=group.starts_on) for _ in range(2)]
    sessions = Session.objects.bulk_create(
        Session(
            group=group,
            held_on=group.starts_on + timedelta(days=n),
            delivered_by=group.lead,
            recorded_by=group.lead,
        )
        for n in range(count)
    )
    SessionAttendance.objects.bulk_create(
        SessionAttendance(session=s, enrolment=e, attendance=Attendance.ATTENDED)
        for s in sessions
        for e in enrolments
    )
    return enrolments


@pytest.mark.parametrize("count", [10, 1000])
def test_effectiveness_queries_are_flat_for_10_and_1000_sessions(
    cast, count, django_assert_max_num_queries
):
    from reports.intervention_impact import enrolment_impact

    with scopes_disabled():
        school = cast.school_a
        definition = sdq_like(school)
        programme = ProgrammeFactory(school=school)
        programme.measures.add(definition)
        group = GroupFactory(
            programme=programme, starts_on=date(2023, 9, 1), planned_end_on=date(2026, 12, 18)
        )
        for enrolment in _sessions(group, count):
            result(enrolment, definition, ResultPoint.BASELINE, date(2023, 9, 1), total=20)
            result(enrolment, definition, ResultPoint.EXIT, date(2026, 11, 2), total=12)
        first = date(2023, 9, 1)
        # Summary: 14 (groups, programmes + their measures, the SDQ, 5 for the change, attendance,
        # delivery 2, reviews, costs); before/after: 4 (enrolments, terms, incidents, visits).
        with django_assert_max_num_queries(18):
            rows = eff.programme_summary(school, first, LAST)
            impact = enrolment_impact(school, first=first, last=LAST)
    assert rows[0].delivery.delivered == count
    assert rows[0].attendance.counted == 2 * count
    assert rows[0].change.paired == 2 and len(impact) == 2


def test_other_schools_rows_never_enter_the_figures(cast, group, register):
    with scopes_disabled():
        other = GroupFactory(programme=ProgrammeFactory(school=cast.school_b), starts_on=START)
        EnrolmentFactory(group=other, pupil=PupilFactory(school=cast.school_b))
        SessionFactory(group=other, held_on=START)
        delivery = eff.sessions_delivered_vs_planned(cast.school_a, first=FIRST, last=LAST)
        rows = eff.programme_summary(cast.school_a, FIRST, LAST)
    assert delivery.delivered == 3 and [r.programme for r in rows] == [group.programme]


def test_summary_judges_a_programme_without_a_measure_by_the_built_in_sdq_teacher(cast, group):
    with scopes_disabled():
        definition = sdq_like(group.school)
        group.programme.measures.add(definition)
        for pre, post in [(20, 14), (18, 15)]:
            paired(group, definition, {"total": pre}, {"total": post})
        plain = GroupFactory(
            programme=ProgrammeFactory(school=group.school, name="Mentoring (Year 6)"),
            starts_on=START,
        )
        EnrolmentFactory(group=plain, starts_on=START)
        sdq = MeasureDefinition.objects.filter(school=None, key="sdq-teacher").first()
        elsa, mentoring = eff.programme_summary(group.school, FIRST, LAST)
    assert elsa.programme.name == "ELSA (Year 4)" and elsa.definition == definition
    assert (elsa.change.enrolled, elsa.change.paired) == (2, 2)
    assert elsa.change.headline.improved == 2 and elsa.costs.improved == 2
    assert mentoring.definition == sdq  # None until the built-in SDQ is installed
    assert mentoring.change is None or mentoring.change.paired == 0


def test_a_pupils_cost_is_their_share_of_each_group(group, register):
    # Their one group: £45 to date over 2 pupils → £22.50; planned 6 × £15 = £90 → £45.00.
    with scopes_disabled():
        costs = eff.cost_figures(
            group.school, first=FIRST, last=LAST, pupil=register["a"].pupil, improved=0
        )
    assert (costs.to_date_total, costs.planned_total, costs.pupils) == (
        Decimal("22.50"),
        Decimal("45.00"),
        1,
    )
    assert costs.per_pupil == Decimal("22.50")
