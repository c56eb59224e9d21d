"""The cohorts figures are broken down by, and the small-numbers rule that anonymised views apply.

Each cohort is a queryset of the school's pupils on roll at some point of the scope's range, so a
figure restricted to it is one subquery (``Scope.of_cohort``)."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q

from interventions.models import Enrolment
from pupils.models import PlanStatus, PrimaryNeed, Pupil, Referral, SenStatus, SupportPlan

# Below this many pupils a count is "fewer than 5" in an anonymised view (governors), and no
# percentage is shown in any view (one pupil more or less would swing it).
SMALL_NUMBER = 5
FEWER_THAN = f"fewer than {SMALL_NUMBER}"


@dataclass(frozen=True)
class Cohort:
    key: str
    label: str
    definition: str


SEMH_REGISTER = Cohort(
    "semh",
    "SEMH register",
    "Pupils whose primary need is SEMH, or who had a support plan (not a draft), an intervention "
    "or an outreach referral running at some point in the period.",
)
COHORTS = [
    SEMH_REGISTER,
    Cohort("sen_support", "SEN support (K)", "Pupils whose SEN status is SEN support (K)."),
    Cohort("ehcp", "EHCP (E)", "Pupils with an education, health and care plan (E)."),
    Cohort("pupil_premium", "Pupil premium", "Pupils eligible for the pupil premium."),
    Cohort("looked_after", "Looked after", "Children looked after (CLA)."),
]


def on_roll_during(scope):
    """The school's pupils on roll at some point from ``scope.first`` to ``scope.last``."""
    return Pupil.objects.filter(school=scope.school).filter(
        Q(on_roll_from__isnull=True) | Q(on_roll_from__lte=scope.last),
        Q(left_on__isnull=True) | Q(left_on__gt=scope.first),
    )


def cohort_pupils(scope, cohort: Cohort):
    """The pupils of ``cohort`` in the scope's range (one queryset, used as a subquery)."""
    pupils = on_roll_during(scope)
    if cohort.key == "semh":
        running = Q(starts_on__lte=scope.last)
        plans = (
            SupportPlan.objects.filter(running, pupil__school=scope.school)
            .exclude(status=PlanStatus.DRAFT)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=scope.first))
        )
        enrolments = Enrolment.objects.filter(running, pupil__school=scope.school).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=scope.first)
        )
        referrals = Referral.objects.filter(
            running, pupil__school=scope.school, planned_end_on__gte=scope.first
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=scope.first))
        return pupils.filter(
            Q(primary_need=PrimaryNeed.SEMH)
            | Q(pk__in=plans.values("pupil"))
            | Q(pk__in=enrolments.values("pupil"))
            | Q(pk__in=referrals.values("pupil"))
        )
    if cohort.key == "sen_support":
        return pupils.filter(sen_status=SenStatus.SEN_SUPPORT)
    if cohort.key == "ehcp":
        return pupils.filter(sen_status=SenStatus.EHCP)
    if cohort.key == "pupil_premium":
        return pupils.filter(pupil_premium=True)
    if cohort.key == "looked_after":
        return pupils.filter(looked_after=True)
    raise ValueError(f"No cohort {cohort.key!r}")


def shown_count(count: int, *, anonymised: bool) -> int | str:
    """A count as a view shows it: "fewer than 5" for 1–4 where the view is anonymised."""
    if anonymised and 0 < count < SMALL_NUMBER:
        return FEWER_THAN
    return count


def shown_share(part: int, whole: int) -> str | None:
    """``part`` of ``whole`` as "40%" (whole percent, half up), or None below five pupils."""
    if whole < SMALL_NUMBER:
        return None
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{share}%"
