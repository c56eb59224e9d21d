"""Plan and review health: reviews due and overdue, reviews held on time, targets by their latest
rating, and whether parents' and pupils' voices are recorded on the plans.

The rules of "overdue" and "due soon" are the plans' own (``SupportPlanQuerySet.review_overdue``
and ``review_due_within``, over ``pupils.selectors.DUE_SOON_DAYS``), counted over the plans the
review lists show (``pupils.selectors.plans_of_pupils_on_roll``); a target's latest rating is
``pupils.selectors.latest_rating``. The snapshot figures are as of the scope's last day; a plan's
status is the one it has now (the app keeps no history of statuses, only of cycles).

On time: a review held in the range is on time when it was held on or before the review date
(``next_review_on``) of the plan cycle it belongs to. Each cycle is its own row, and starting the
next cycle leaves the old cycle's review date as it was, so for closed cycles this is the date as
it stood; for the running cycle it is the date as it stands now. Reviews of a cycle with no review
date are left out of the share (and counted apart).
"""

from django.db.models import Count, F, Q
from django.db.models.functions import Trim

from pupils.models import PlanReview, PlanStatus, Rating, Target
from pupils.selectors import DUE_SOON_DAYS, latest_rating, plans_of_pupils_on_roll

from . import Figure, Scope
from .cohorts import shown_share

NOT_RATED = "Not yet rated"


def _of_cohort(queryset, scope: Scope, pupil="pupil"):
    if scope.pupils is None:
        return queryset
    return queryset.filter(**{f"{pupil}__in": scope.pupils})


def _active_plans(scope: Scope):
    """Active plans of the scope's pupils still on roll on its last day."""
    plans = plans_of_pupils_on_roll(scope.school, scope.last).filter(status=PlanStatus.ACTIVE)
    return _of_cohort(plans, scope)


def plan_reviews_due(scope: Scope) -> Figure:
    plans = _active_plans(scope)
    row = plans.aggregate(
        overdue=Count("pk", filter=Q(pk__in=plans.review_overdue(scope.last).values("pk"))),
        due_soon=Count(
            "pk",
            filter=Q(pk__in=plans.review_due_within(DUE_SOON_DAYS, scope.last).values("pk")),
        ),
    )
    return Figure(
        key="plan_reviews_due",
        title="Plan reviews due and overdue",
        definition=(
            f"Active plans of pupils on roll on {scope.last:%d/%m/%Y}: overdue when their review "
            f"date was before that day, due soon when it falls on that day or within the "
            f"{DUE_SOON_DAYS} days after it; plans with no review date are in neither."
        ),
        value={"overdue": row["overdue"], "due_soon": row["due_soon"]},
    )


def plan_reviews_on_time(scope: Scope) -> Figure:
    reviews = _of_cohort(
        PlanReview.objects.filter(
            plan__pupil__school=scope.school, held_on__gte=scope.first, held_on__lte=scope.last
        ),
        scope,
        pupil="plan__pupil",
    )
    row = reviews.aggregate(
        reviews=Count("pk"),
        no_review_date=Count("pk", filter=Q(plan__next_review_on__isnull=True)),
        on_time=Count("pk", filter=Q(held_on__lte=F("plan__next_review_on"))),
    )
    dated = row["reviews"] - row["no_review_date"]
    return Figure(
        key="plan_reviews_on_time",
        title="Plan reviews held on time",
        definition=(
            "Plan reviews whose meeting date falls in the period, of any plan; on time when held "
            "on or before the review date of the plan cycle they belong to (for a plan's current "
            "cycle, its review date as it stands now). Reviews of a cycle with no review date are "
            "left out of the share, which is shown from five reviews."
        ),
        value={
            "reviews": row["reviews"],
            "on_time": row["on_time"],
            "late": dated - row["on_time"],
            "no_review_date": row["no_review_date"],
            "share": shown_share(row["on_time"], dated),
        },
    )


def targets_by_rating(scope: Scope) -> Figure:
    targets = Target.objects.filter(plan__in=_active_plans(scope).values("pk"))
    counts = {
        row["rating"]: row["targets"]
        for row in targets.annotate(rating=latest_rating(on=scope.last))
        .values("rating")
        .annotate(targets=Count("pk"))
        .order_by()
    }
    rows = [
        {"rating": value, "label": label, "targets": counts.get(value, 0)}
        for value, label in Rating.choices
    ]
    rows.append({"rating": None, "label": NOT_RATED, "targets": counts.get(None, 0)})
    return Figure(
        key="targets_by_rating",
        title="Targets by latest rating",
        definition=(
            f"Targets of active plans of pupils on roll on {scope.last:%d/%m/%Y}, by the rating "
            "of their most recent review held on or before that day (not yet rated if none)."
        ),
        value=rows,
        columns=[("label", "Latest rating"), ("targets", "Targets")],
    )


def plan_voice_recorded(scope: Scope) -> Figure:
    row = (
        _active_plans(scope)
        .annotate(voice=Trim("pupil_voice"))
        .aggregate(
            plans=Count("pk"),
            agreed_with_parents=Count(
                "pk",
                filter=Q(
                    agreed_with_parents_on__isnull=False,
                    agreed_with_parents_on__lte=scope.last,
                ),
            ),
            pupil_voice=Count("pk", filter=~Q(voice="")),
        )
    )
    return Figure(
        key="plan_voice_recorded",
        title="Parent and pupil voice on plans",
        definition=(
            f"Active plans of pupils on roll on {scope.last:%d/%m/%Y}: how many record the date "
            "they were agreed with parents/carers (on or before that day), and how many have the "
            "pupil's voice written in (not blank); shares are shown from five plans."
        ),
        value={
            "plans": row["plans"],
            "agreed_with_parents": row["agreed_with_parents"],
            "agreed_with_parents_share": shown_share(row["agreed_with_parents"], row["plans"]),
            "pupil_voice": row["pupil_voice"],
            "pupil_voice_share": shown_share(row["pupil_voice"], row["plans"]),
        },
    )
