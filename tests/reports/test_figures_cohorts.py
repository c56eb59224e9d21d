"""The figures' shared parts: a term against the previous term and the same term last year, the
cohorts figures are broken down by, and the small-numbers rule."""

import datetime

import pytest
from django_scopes import scope

from pupils.models import PrimaryNeed, SenStatus
from reports.figures import Scope, comparison_scopes
from reports.figures.cohorts import (
    COHORTS,
    SEMH_REGISTER,
    cohort_pupils,
    on_roll_during,
    shown_count,
    shown_share,
)
from semh.models import AcademicYear, Term
from tests.factories import PupilFactory, TermFactory
from tests.factories.interventions import EnrolmentFactory
from tests.factories.pupils import OutreachServiceFactory, ReferralFactory, SupportPlanFactory

D = datetime.date


def test_a_running_term_is_set_against_the_same_point_of_the_previous_term_and_last_year(cast):
    school = cast.school_a
    with scope(school=school):
        last_year = AcademicYear.objects.create(
            school=school, name="2025/26", starts_on=D(2025, 9, 1), ends_on=D(2026, 7, 31)
        )
        TermFactory(
            school=school,
            academic_year=last_year,
            season=Term.Season.AUTUMN,
            starts_on=D(2025, 9, 3),
            ends_on=D(2025, 12, 19),
        )
        TermFactory(
            school=school,
            academic_year=last_year,
            season=Term.Season.SUMMER,
            starts_on=D(2026, 4, 13),
            ends_on=D(2026, 7, 21),
        )
        autumn = TermFactory(school=school)  # 03/09/2026 – 18/12/2026, running on 25/11/2026
        scopes = comparison_scopes(autumn, today=D(2026, 11, 25))

    assert (scopes["this"].first, scopes["this"].last) == (D(2026, 9, 3), D(2026, 11, 25))
    days_in = (D(2026, 11, 25) - D(2026, 9, 3)).days  # 83
    assert (scopes["previous"].first, scopes["previous"].last) == (
        D(2026, 4, 13),
        D(2026, 7, 5),  # 13/04 + 83 days, inside the summer term
    )
    assert (scopes["last_year"].first, scopes["last_year"].last) == (
        D(2025, 9, 3),
        D(2025, 9, 3) + datetime.timedelta(days=days_in),
    )
    assert "Summer 2025/26" in scopes["previous"].label


def test_a_term_with_nothing_before_it_has_no_comparison(cast):
    with scope(school=cast.school_a):
        scopes = comparison_scopes(TermFactory(school=cast.school_a), today=D(2026, 11, 25))
    assert scopes["previous"] is None and scopes["last_year"] is None


AUTUMN = Scope(None, D(2026, 9, 3), D(2026, 12, 18), "Autumn")


def _scope(cast):
    return Scope(cast.school_a, AUTUMN.first, AUTUMN.last, "Autumn")


def test_the_semh_register_is_semh_need_or_a_plan_intervention_or_referral_in_the_range(cast):
    school = cast.school_a
    with scope(school=school):
        by_need = PupilFactory(school=school, primary_need=PrimaryNeed.SEMH)
        PupilFactory(school=school, primary_need=PrimaryNeed.ASD)  # no plan, no intervention
        planned = SupportPlanFactory(pupil__school=school).pupil
        draft_only = SupportPlanFactory(pupil__school=school, status="draft").pupil
        closed_before = SupportPlanFactory(
            pupil__school=school, status="closed", closed_on=D(2026, 9, 2)
        ).pupil
        enrolled = EnrolmentFactory(group__school=school, starts_on=D(2026, 10, 1)).pupil
        referred = ReferralFactory(
            pupil__school=school, service=OutreachServiceFactory(schools=[school])
        ).pupil
        left_before = PupilFactory(
            school=school, primary_need=PrimaryNeed.SEMH, left_on=D(2026, 9, 1)
        )
        PupilFactory(school=cast.school_b, primary_need=PrimaryNeed.SEMH)  # another school
        register = set(cohort_pupils(_scope(cast), SEMH_REGISTER))

    assert {by_need, planned, enrolled, referred} <= register
    assert not register & {draft_only, closed_before, left_before}
    assert all(p.school_id == school.pk for p in register)


def test_each_cohort_is_its_flag_among_pupils_on_roll_in_the_range(cast):
    school = cast.school_a
    with scope(school=school):
        k = PupilFactory(school=school, sen_status=SenStatus.SEN_SUPPORT, pupil_premium=True)
        e = PupilFactory(school=school, sen_status=SenStatus.EHCP, looked_after=True)
        joined_after = PupilFactory(
            school=school, sen_status=SenStatus.EHCP, on_roll_from=D(2027, 1, 4)
        )
        mine = {k, e, joined_after}  # the cast's own pupils have flags of their own
        got = {
            c.key: set(cohort_pupils(_scope(cast), c)) & mine for c in COHORTS if c.key != "semh"
        }
        on_roll = set(on_roll_during(_scope(cast)))
    assert got["sen_support"] == {k} and got["pupil_premium"] == {k}
    assert got["ehcp"] == {e} and got["looked_after"] == {e}
    assert joined_after not in on_roll and {k, e} <= on_roll


@pytest.mark.parametrize(
    ("count", "anonymised", "shown"),
    [
        (0, True, 0),
        (1, True, "fewer than 5"),
        (4, True, "fewer than 5"),
        (5, True, 5),
        (4, False, 4),
    ],
)
def test_counts_under_five_are_fewer_than_five_where_the_view_is_anonymised(
    count, anonymised, shown
):
    assert shown_count(count, anonymised=anonymised) == shown


def test_no_percentage_on_fewer_than_five_pupils():
    assert shown_share(2, 4) is None
    assert shown_share(2, 5) == "40%"
    assert shown_share(1, 8) == "13%"  # 12.5% rounds half up
