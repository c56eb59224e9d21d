"""Support plans on an assess-plan-do-review cycle: writing plans, targets, reviews and the next
cycle.

A closed cycle is kept as it was: its targets, reviews and ratings are not changed afterwards, and
reviews are append-only. Each write locks the plan row (``SELECT … FOR UPDATE`` on PostgreSQL) and
re-reads it, so two requests at once see each other's change.
"""

from django.db import transaction
from django.utils import timezone

from pupils.models import (
    PlanReview,
    PlanStatus,
    PositiveHandlingDetails,
    Rating,
    RiskItem,
    SupportPlan,
    Target,
    TargetReview,
)
from pupils.selectors import has_next_cycle, next_target_position, targets_with_latest_rating
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once

PLAN_FIELDS = (
    "kind",
    "status",
    "starts_on",
    "next_review_on",
    "owner",
    "agreed_with_parents_on",
    "pupil_voice",
)
RISK_FIELDS = ("risk", "likelihood", "severity", "control_measures")
HANDLING_FIELDS = ("known_triggers", "preferred_deescalation", "agreed_holds", "people_consulted")
TARGET_FIELDS = (
    "area_of_need",
    "description",
    "success_criteria",
    "baseline",
    "provision",
    "position",
)


class PlanRefused(Exception):
    """The plan is in a state that does not allow this change; the message says why."""

    def __init__(self, message, *, plan=None):
        super().__init__(message)
        self.plan = plan


def _locked(plan, school) -> SupportPlan:
    return SupportPlan.objects.select_for_update().get(pk=plan.pk, pupil__school=school)


def _refuse_if_closed(plan, doing: str):
    if plan.status == PlanStatus.CLOSED:
        raise PlanRefused(
            f"This cycle is closed, so you cannot {doing}. Its record is kept as it was.",
            plan=plan,
        )


def _closed_on(plan):
    if plan.status == PlanStatus.CLOSED:
        plan.closed_on = plan.closed_on or timezone.localdate()
    else:
        plan.closed_on = None


def _save_risks(plan, risks) -> bool:
    """Add or change risk rows: ``risks`` are dicts of ``RISK_FIELDS``, with ``id`` for a row the
    plan has already."""
    for values in risks:
        values = dict(values)
        row_id = values.pop("id", None)
        row = RiskItem(plan=plan) if row_id is None else RiskItem.objects.get(pk=row_id, plan=plan)
        assign(row, values, allowed=RISK_FIELDS)
        row.save()
    return bool(risks)


def _save_handling(plan, values, *, created) -> bool:
    details = PositiveHandlingDetails.objects.filter(plan=plan).first()
    if details is None:
        details = PositiveHandlingDetails(plan=plan)
    changed = assign(details, values, allowed=HANDLING_FIELDS)
    if not (created or changed):
        return False
    details.save()
    return True


def _record_plan(action, *, actor, school, plan, client, fields):
    audit.record(
        actor=actor,
        action=action,
        school=school,
        target=plan,
        client=client,
        pupil=str(plan.pupil_id),
        fields=fields,
    )


@submitted_once
@transaction.atomic
def create_plan(
    *, actor, school, pupil, risks=None, positive_handling=None, client=None, **details
) -> SupportPlan:
    """A first cycle of a plan for the pupil (``details``: fields of ``PLAN_FIELDS``), with its
    risk rows (risk assessments: dicts of ``RISK_FIELDS``) or positive handling details (positive
    handling plans: a dict of ``HANDLING_FIELDS``) when given."""
    plan = SupportPlan(pupil=pupil, created_by=actor)
    fields = assign(plan, details, allowed=PLAN_FIELDS)
    _closed_on(plan)
    plan.save()
    if risks is not None and _save_risks(plan, risks):
        fields.append("risks")
    if positive_handling is not None and _save_handling(plan, positive_handling, created=True):
        fields.append("positive_handling")
    _record_plan(
        AuditAction.PLAN_CREATE, actor=actor, school=school, plan=plan, client=client, fields=fields
    )
    return plan


@transaction.atomic
def update_plan(
    *, actor, school, plan, risks=None, positive_handling=None, client=None, **changes
) -> SupportPlan:
    """Change a plan (``changes``: fields of ``PLAN_FIELDS``), and add or change its risk rows or
    positive handling details. Closing it sets its closing day; a cycle with a next cycle can no
    longer change."""
    plan = _locked(plan, school)
    if plan.status == PlanStatus.CLOSED and has_next_cycle(plan):
        raise PlanRefused("This cycle has a next cycle, so it can no longer change.")
    fields = assign(plan, changes, allowed=PLAN_FIELDS)
    _closed_on(plan)
    plan.save()
    if risks is not None and _save_risks(plan, risks):
        fields.append("risks")
    if positive_handling is not None and _save_handling(plan, positive_handling, created=False):
        fields.append("positive_handling")
    _record_plan(
        AuditAction.PLAN_UPDATE, actor=actor, school=school, plan=plan, client=client, fields=fields
    )
    return plan


def _position(target):
    if target.position is None:
        target.position = next_target_position(target.plan)


@submitted_once
@transaction.atomic
def add_target(*, actor, school, plan, client=None, **details) -> Target:
    """A target of the plan (``details``: fields of ``TARGET_FIELDS``; no ``position``: last)."""
    plan = _locked(plan, school)
    _refuse_if_closed(plan, "change targets")
    target = Target(plan=plan, position=None)
    fields = assign(target, details, allowed=TARGET_FIELDS)
    _position(target)
    target.save()
    audit.record(
        actor=actor,
        action=AuditAction.TARGET_CREATE,
        school=school,
        target=target,
        client=client,
        plan=str(plan.pk),
        fields=fields,
    )
    return target


@transaction.atomic
def update_target(*, actor, school, target, client=None, **changes) -> Target:
    plan = _locked(target.plan, school)
    _refuse_if_closed(plan, "change targets")
    target = Target.objects.get(pk=target.pk, plan=plan)
    fields = assign(target, changes, allowed=TARGET_FIELDS)
    _position(target)
    target.save()
    audit.record(
        actor=actor,
        action=AuditAction.TARGET_UPDATE,
        school=school,
        target=target,
        client=client,
        plan=str(plan.pk),
        fields=fields,
    )
    return target


@submitted_once
@transaction.atomic
def record_review(
    *, actor, school, plan, held_on, attendees, next_steps, ratings, client=None
) -> PlanReview:
    """Record a review and a rating with evidence for each target (``ratings``: (target, rating,
    evidence) triples). Reviews are never edited or deleted afterwards; a later review is
    recorded as a new one."""
    plan = _locked(plan, school)
    _refuse_if_closed(plan, "record a review")
    review = PlanReview.objects.create(
        plan=plan,
        held_on=held_on,
        attendees=attendees,
        next_steps=next_steps,
        recorded_by=actor,
    )
    TargetReview.objects.bulk_create(
        TargetReview(review=review, target=target, rating=rating, evidence=evidence)
        for target, rating, evidence in ratings
    )
    audit.record(
        actor=actor,
        action=AuditAction.PLAN_REVIEW,
        school=school,
        target=review,
        client=client,
        plan=str(plan.pk),
        ratings={str(target.pk): rating for target, rating, _ in ratings},
    )
    return review


@transaction.atomic
def start_next_cycle(
    *, actor, school, plan, next_review_on, starts_on=None, client=None
) -> SupportPlan:
    """Close this cycle and open the next on ``starts_on`` (today unless given): same kind, owner
    and pupil voice, the targets not yet achieved carried over (linked by ``carried_from``), and
    risk rows / positive handling copied.

    Two requests at once make one new cycle: the second finds the plan closed and is refused.
    """
    old = _locked(plan, school)
    following = SupportPlan.objects.filter(previous_cycle=old).first()
    if following is not None:
        raise PlanRefused("The next cycle of this plan has already been started.", plan=following)
    _refuse_if_closed(old, "start a next cycle from it")
    starts_on = starts_on or timezone.localdate()
    old.status, old.closed_on = PlanStatus.CLOSED, starts_on
    old.save(update_fields=["status", "closed_on", "updated_at"])
    new = SupportPlan.objects.create(
        pupil_id=old.pupil_id,
        kind=old.kind,
        status=PlanStatus.ACTIVE,
        cycle=old.cycle + 1,
        previous_cycle=old,
        starts_on=starts_on,
        next_review_on=next_review_on,
        owner_id=old.owner_id,
        pupil_voice=old.pupil_voice,
        created_by=actor,
    )
    targets = list(targets_with_latest_rating(old))
    carried = [t for t in targets if t.latest_rating != Rating.ACHIEVED]
    Target.objects.bulk_create(t.carried_into(new) for t in carried)
    RiskItem.objects.bulk_create(
        RiskItem(plan=new, **{name: getattr(r, name) for name in RISK_FIELDS})
        for r in RiskItem.objects.filter(plan=old)
    )
    handling = PositiveHandlingDetails.objects.filter(plan=old).first()
    if handling is not None:
        PositiveHandlingDetails.objects.create(
            plan=new, **{name: getattr(handling, name) for name in HANDLING_FIELDS}
        )
    audit.record(
        actor=actor,
        action=AuditAction.PLAN_NEXT_CYCLE,
        school=school,
        target=new,
        client=client,
        previous_cycle=str(old.pk),
        cycle=new.cycle,
        carried_targets=[str(t.pk) for t in carried],
        achieved_targets=len(targets) - len(carried),
    )
    return new
