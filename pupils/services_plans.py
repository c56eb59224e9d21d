"""Support plans on an assess-plan-do-review cycle: reads for plan pages and the writes.

Each write is one transaction with its audit row written inside it. A closed cycle is kept as it
was: its targets, reviews and ratings are not changed afterwards, and reviews are append-only.
"""

import datetime

from django.db import transaction
from django.db.models import Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from pupils.models import (
    PlanKind,
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    Rating,
    RiskItem,
    SupportPlan,
    Target,
    TargetReview,
)
from semh import audit

DUE_SOON_DAYS = 14


class PlanRefused(Exception):
    """The plan is in a state that does not allow this change; the message says why."""

    def __init__(self, message, *, plan=None):
        super().__init__(message)
        self.plan = plan


# Reads ------------------------------------------------------------------------------------------


def targets_with_latest_rating(plan):
    """The plan's targets, in order, each with ``latest_rating`` (None if never rated)."""
    latest = TargetReview.objects.filter(target=OuterRef("pk")).order_by(
        "-review__held_on", "-review__created_at", "-pk"
    )
    return Target.objects.filter(plan=plan).annotate(
        latest_rating=Subquery(latest.values("rating")[:1])
    )


def rated_targets(plan) -> list[Target]:
    """Targets with ``latest_rating`` and its label ``latest_rating_label``, for display."""
    targets = list(targets_with_latest_rating(plan))
    for target in targets:
        rating = target.latest_rating
        target.latest_rating_label = Rating(rating).label if rating is not None else ""
    return targets


def plan_page(pupil, plan_id) -> dict | None:
    """Everything the plan page shows, in a fixed number of queries; None if not this pupil's."""
    plan = (
        SupportPlan.objects.filter(pk=plan_id, pupil=pupil)
        .select_related("owner", "created_by", "previous_cycle", "next_cycle", "positive_handling")
        .first()
    )
    if plan is None:
        return None
    reviews = (
        PlanReview.objects.filter(plan=plan)
        .select_related("recorded_by")
        .prefetch_related(
            Prefetch(
                "ratings",
                queryset=TargetReview.objects.select_related("target").order_by(
                    "target__position", "target__description"
                ),
            )
        )
    )
    return {
        "plan": plan,
        "targets": rated_targets(plan),
        "reviews": list(reviews),
        "risks": list(RiskItem.objects.filter(plan=plan)) if plan.kind == PlanKind.RISK else [],
        "handling": _positive_handling_of(plan),
        "next_cycle": _next_cycle_of(plan),
    }


def _positive_handling_of(plan):
    try:
        return plan.positive_handling
    except PositiveHandlingDetails.DoesNotExist:
        return None


def _next_cycle_of(plan):
    try:
        return plan.next_cycle
    except SupportPlan.DoesNotExist:
        return None


def plans_due_for_review(school, *, today=None, within_days=DUE_SOON_DAYS):
    """Active plans of on-roll pupils whose review is overdue or due within ``within_days``,
    overdue (oldest first) then due soon (soonest first)."""
    today = today or timezone.localdate()
    on_roll = Q(pupil__left_on__isnull=True) | Q(pupil__left_on__gt=today)
    plans = list(
        SupportPlan.objects.filter(
            on_roll,
            pupil__school=school,
            status=PlanStatus.ACTIVE,
            next_review_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("pupil", "owner")
        .order_by("next_review_on", "pupil__legal_last_name", "pupil__legal_first_name")
    )
    return {
        "overdue": [p for p in plans if p.next_review_on < today],
        "due_soon": [p for p in plans if p.next_review_on >= today],
    }


def next_target_position(plan) -> int:
    highest = Target.objects.filter(plan=plan).aggregate(top=Max("position"))["top"]
    return 0 if highest is None else highest + 1


def has_next_cycle(plan) -> bool:
    return SupportPlan.objects.filter(previous_cycle=plan).exists()


# Writes -----------------------------------------------------------------------------------------


def _refuse_if_closed(plan, doing: str):
    if plan.status == PlanStatus.CLOSED:
        raise PlanRefused(
            f"This cycle is closed, so you cannot {doing}. Its record is kept as it was.",
            plan=plan,
        )


@transaction.atomic
def save_plan(*, form, pupil, request, risks=None, handling_form=None) -> SupportPlan:
    """Create or update a plan from its form, with the risk rows (risk assessments) or the
    positive handling details (positive handling plans) when given."""
    created = form.instance._state.adding
    if not created:
        locked = SupportPlan.objects.select_for_update().get(pk=form.instance.pk)
        if locked.status == PlanStatus.CLOSED and has_next_cycle(locked):
            raise PlanRefused("This cycle has a next cycle, so it can no longer change.")
    plan = form.save(commit=False)
    plan.pupil = pupil
    if created:
        plan.created_by = request.user
    if plan.status == PlanStatus.CLOSED:
        plan.closed_on = plan.closed_on or timezone.localdate()
    else:
        plan.closed_on = None
    plan.save()
    changed = sorted(form.changed_data)
    if risks is not None:
        rows = [f.save(commit=False) for f in risks.forms if f.has_changed()]
        for row in rows:
            row.plan = plan
            row.save()
        if rows:
            changed.append("risks")
    if handling_form is not None and (created or handling_form.has_changed()):
        details = handling_form.save(commit=False)
        details.plan = plan
        details.save()
        changed.append("positive_handling")
    audit.record_view(
        request,
        "plan.create" if created else "plan.update",
        target=plan,
        pupil=str(pupil.pk),
        fields=changed,
    )
    return plan


@transaction.atomic
def save_target(*, form, plan, request) -> Target:
    _refuse_if_closed(SupportPlan.objects.select_for_update().get(pk=plan.pk), "change targets")
    created = form.instance._state.adding
    target = form.save(commit=False)
    target.plan = plan
    if target.position is None:
        target.position = next_target_position(plan)
    target.save()
    audit.record_view(
        request,
        "target.create" if created else "target.update",
        target=target,
        plan=str(plan.pk),
        fields=sorted(form.changed_data),
    )
    return target


@transaction.atomic
def record_review(*, plan, held_on, attendees, next_steps, ratings, request) -> PlanReview:
    """Record a review and a rating with evidence for each target. Reviews are never edited or
    deleted afterwards; a later review is recorded as a new one."""
    _refuse_if_closed(SupportPlan.objects.select_for_update().get(pk=plan.pk), "record a review")
    review = PlanReview.objects.create(
        plan=plan,
        held_on=held_on,
        attendees=attendees,
        next_steps=next_steps,
        recorded_by=request.user,
    )
    TargetReview.objects.bulk_create(
        TargetReview(review=review, target=target, rating=rating, evidence=evidence)
        for target, rating, evidence in ratings
    )
    audit.record_view(
        request,
        "plan.review",
        target=review,
        plan=str(plan.pk),
        ratings={str(target.pk): rating for target, rating, _ in ratings},
    )
    return review


@transaction.atomic
def start_next_cycle(*, plan, next_review_on, request) -> SupportPlan:
    """Close this cycle and open the next: same kind, owner and pupil voice, the targets not yet
    achieved carried over (linked by ``carried_from``), and risk rows / positive handling copied.

    The plan row is locked (``SELECT … FOR UPDATE`` on PostgreSQL) and re-read, so two requests
    at once make one new cycle: the second finds the plan closed and is refused.
    """
    old = SupportPlan.objects.select_for_update().get(pk=plan.pk)
    following = SupportPlan.objects.filter(previous_cycle=old).first()
    if following is not None:
        raise PlanRefused("The next cycle of this plan has already been started.", plan=following)
    _refuse_if_closed(old, "start a next cycle from it")
    today = timezone.localdate()
    old.status, old.closed_on = PlanStatus.CLOSED, today
    old.save(update_fields=["status", "closed_on", "updated_at"])
    new = SupportPlan.objects.create(
        pupil_id=old.pupil_id,
        kind=old.kind,
        status=PlanStatus.ACTIVE,
        cycle=old.cycle + 1,
        previous_cycle=old,
        starts_on=today,
        next_review_on=next_review_on,
        owner_id=old.owner_id,
        pupil_voice=old.pupil_voice,
        created_by=request.user,
    )
    targets = list(targets_with_latest_rating(old))
    carried = [t for t in targets if t.latest_rating != Rating.ACHIEVED]
    Target.objects.bulk_create(t.carried_into(new) for t in carried)
    RiskItem.objects.bulk_create(
        RiskItem(
            plan=new,
            risk=r.risk,
            likelihood=r.likelihood,
            severity=r.severity,
            control_measures=r.control_measures,
        )
        for r in RiskItem.objects.filter(plan=old)
    )
    handling = PositiveHandlingDetails.objects.filter(plan=old).first()
    if handling is not None:
        handling.pk, handling.plan = None, new
        handling._state.adding = True
        handling.save()
    audit.record_view(
        request,
        "plan.next_cycle",
        target=new,
        previous_cycle=str(old.pk),
        cycle=new.cycle,
        carried_targets=[str(t.pk) for t in carried],
        achieved_targets=len(targets) - len(carried),
    )
    return new
