"""Plan and review health figures, against hand-counted plans (the period: Mon 2 to Fri 20
November 2026; the suite's clock is Wed 25/11/2026)."""

from datetime import date

import pytest
from django_scopes import scope as school_scope
from django_scopes import scopes_disabled

from pupils.models import PlanStatus, Pupil
from reports.figures import Scope
from reports.figures.plans import (
    plan_reviews_due,
    plan_reviews_on_time,
    plan_voice_recorded,
    targets_by_rating,
)
from semh.models import Role
from tests.factories import PupilFactory
from tests.factories.pupils import (
    PlanReviewFactory,
    SupportPlanFactory,
    TargetFactory,
    TargetReviewFactory,
)
from tests.reports.figure_queries import figure_queries

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2026, 11, 2), date(2026, 11, 20)


def nov(day):
    return date(2026, 11, day)


def make_plan(cast, school="a", pupil=None, **fields):
    school = cast.school_a if school == "a" else cast.school_b
    return SupportPlanFactory(
        pupil=pupil or PupilFactory(school=school),
        owner=cast.user(Role.SENCO, "a" if school == cast.school_a else "b"),
        **fields,
    )


def run(figure, cast, pupils=None):
    with school_scope(school=cast.school_a):
        return figure(Scope(cast.school_a, FIRST, LAST, pupils=pupils)).value


def cohort_of(*plans):
    with scopes_disabled():
        return Pupil.objects.filter(pk__in=[p.pupil_id for p in plans])


def test_reviews_overdue_before_the_last_day_and_due_within_fourteen_days_after(cast):
    with scopes_disabled():
        overdue = make_plan(cast, next_review_on=nov(19))
        due_on_last_day = make_plan(cast, next_review_on=nov(20))
        make_plan(cast, next_review_on=date(2026, 12, 4))  # the 14th day after: due soon
        make_plan(cast, next_review_on=date(2026, 12, 5))  # the 15th: neither
        make_plan(cast, next_review_on=None)
        make_plan(cast, status=PlanStatus.CLOSED, closed_on=nov(3), next_review_on=nov(1))
        make_plan(cast, status=PlanStatus.DRAFT, next_review_on=nov(1))
        make_plan(
            cast, pupil=PupilFactory(school=cast.school_a, left_on=nov(20)), next_review_on=nov(1)
        )
        make_plan(cast, "b", next_review_on=nov(1))
        make_plan(cast, "b", next_review_on=nov(25))

    assert run(plan_reviews_due, cast) == {"overdue": 1, "due_soon": 2}
    assert run(plan_reviews_due, cast, cohort_of(overdue, due_on_last_day)) == {
        "overdue": 1,
        "due_soon": 1,
    }


def test_a_review_is_on_time_when_held_on_or_before_its_cycles_review_date(cast):
    with scopes_disabled():
        dated = make_plan(cast, next_review_on=nov(10))
        for held in (nov(1), nov(2), nov(10), nov(11), nov(21)):  # 1st and 21st outside
            PlanReviewFactory(plan=dated, held_on=held)
        undated = make_plan(cast, next_review_on=None)
        PlanReviewFactory(plan=undated, held_on=nov(15))
        closed_cycle = make_plan(
            cast, status=PlanStatus.CLOSED, closed_on=nov(20), next_review_on=nov(5)
        )
        PlanReviewFactory(plan=closed_cycle, held_on=nov(20))  # late, on the last day
        early = make_plan(cast, next_review_on=nov(30))
        PlanReviewFactory(plan=early, held_on=nov(5))
        PlanReviewFactory(plan=early, held_on=nov(6))
        PlanReviewFactory(plan=make_plan(cast, "b", next_review_on=nov(30)), held_on=nov(10))

    assert run(plan_reviews_on_time, cast) == {
        "reviews": 7,
        "on_time": 4,  # 2nd and 10th of ``dated``, both of ``early``
        "late": 2,  # 11th of ``dated``, the closed cycle's
        "no_review_date": 1,
        "share": "67%",  # 4 of 6
    }
    assert run(plan_reviews_on_time, cast, cohort_of(dated)) == {
        "reviews": 3,
        "on_time": 2,
        "late": 1,
        "no_review_date": 0,
        "share": None,  # fewer than five reviews: no percentage
    }


def test_targets_of_active_plans_by_their_latest_rating_up_to_the_last_day(cast):
    with scopes_disabled():
        plan = make_plan(cast)
        first_review = PlanReviewFactory(plan=plan, held_on=nov(10))
        second_review = PlanReviewFactory(plan=plan, held_on=nov(15))
        after_range = PlanReviewFactory(plan=plan, held_on=nov(21))
        improved, later_rated, never_rated, achieved = TargetFactory.create_batch(4, plan=plan)
        TargetReviewFactory(review=first_review, target=improved, rating=2)
        TargetReviewFactory(review=second_review, target=improved, rating=4)
        TargetReviewFactory(review=first_review, target=later_rated, rating=1)
        TargetReviewFactory(review=after_range, target=later_rated, rating=4)  # after the 20th
        TargetReviewFactory(review=second_review, target=achieved, rating=4)
        other = make_plan(cast)
        TargetReviewFactory(
            review=PlanReviewFactory(plan=other, held_on=nov(20)),
            target=TargetFactory(plan=other),
            rating=0,
        )
        closed = make_plan(cast, status=PlanStatus.CLOSED, closed_on=nov(3))
        TargetReviewFactory(
            review__plan=closed, review__held_on=nov(2), target__plan=closed, rating=3
        )
        elsewhere = make_plan(cast, "b")
        TargetReviewFactory(
            review__plan=elsewhere, review__held_on=nov(10), target__plan=elsewhere, rating=3
        )

    def counts(pupils=None):
        return [(row["label"], row["targets"]) for row in run(targets_by_rating, cast, pupils)]

    assert counts() == [
        ("Not yet started", 1),
        ("Emerging", 1),
        ("Developing", 0),
        ("Secure", 0),
        ("Achieved", 2),
        ("Not yet rated", 1),
    ]
    assert counts(cohort_of(plan)) == [
        ("Not yet started", 0),
        ("Emerging", 1),
        ("Developing", 0),
        ("Secure", 0),
        ("Achieved", 2),
        ("Not yet rated", 1),
    ]


def test_parent_agreement_and_pupil_voice_recorded_on_active_plans(cast):
    with scopes_disabled():
        both = make_plan(cast, agreed_with_parents_on=nov(1), pupil_voice="I like quiet.")
        parents_only = make_plan(cast, agreed_with_parents_on=nov(20), pupil_voice="")
        make_plan(cast, agreed_with_parents_on=nov(21), pupil_voice="   ")  # after the range; blank
        make_plan(cast, agreed_with_parents_on=None, pupil_voice="Football helps.")
        make_plan(cast, agreed_with_parents_on=nov(5), pupil_voice="Drawing.")
        make_plan(
            cast,
            status=PlanStatus.CLOSED,
            closed_on=nov(3),
            agreed_with_parents_on=nov(1),
            pupil_voice="Old plan.",
        )
        make_plan(cast, status=PlanStatus.DRAFT, agreed_with_parents_on=nov(1))
        make_plan(cast, "b", agreed_with_parents_on=nov(1), pupil_voice="Elsewhere.")

    assert run(plan_voice_recorded, cast) == {
        "plans": 5,
        "agreed_with_parents": 3,
        "agreed_with_parents_share": "60%",
        "pupil_voice": 3,
        "pupil_voice_share": "60%",
    }
    assert run(plan_voice_recorded, cast, cohort_of(both, parents_only)) == {
        "plans": 2,
        "agreed_with_parents": 2,
        "agreed_with_parents_share": None,
        "pupil_voice": 1,
        "pupil_voice_share": None,
    }


def _plans_with_reviews(cast, n):
    for i in range(n):
        plan = make_plan(
            cast, next_review_on=nov(1 + i % 28), agreed_with_parents_on=nov(1), pupil_voice="x"
        )
        review = PlanReviewFactory(plan=plan, held_on=nov(2 + i % 18))
        TargetReviewFactory(review=review, target=TargetFactory(plan=plan), rating=i % 5)
        TargetFactory(plan=plan)


def _queries(cast):
    return figure_queries(
        cast.school_a,
        (plan_reviews_due, plan_reviews_on_time, targets_by_rating, plan_voice_recorded),
        FIRST,
        LAST,
    )


def test_plan_figures_run_one_query_each_however_many_plans(cast):
    with scopes_disabled():
        _plans_with_reviews(cast, 3)
    small = _queries(cast)
    with scopes_disabled():
        _plans_with_reviews(cast, 30)
    assert small == _queries(cast) == 8
