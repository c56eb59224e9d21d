from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from pupils.forms_plans import (
    NextCycleForm,
    PlanForm,
    PlanReviewForm,
    PositiveHandlingForm,
    TargetForm,
    risk_formset,
)
from pupils.models import PlanKind, PlanStatus, PositiveHandlingDetails, SupportPlan, Target
from pupils.services import school_staff
from pupils.services_plans import (
    PlanRefused,
    has_next_cycle,
    next_target_position,
    plan_page,
    plans_due_for_review,
    rated_targets,
    record_review,
    save_plan,
    save_target,
    start_next_cycle,
)
from pupils.views.common import can_edit, pupil_for
from semh import audit
from semh.access import Capability
from semh.decorators import school_view

PUPIL_READERS = (Capability.VIEW_ALL_PUPILS, Capability.VIEW_CASELOAD_PUPILS)


def _plan_of(pupil, plan_id) -> SupportPlan:
    """A plan of this pupil, or 404."""
    try:
        plan = SupportPlan.objects.get(pk=plan_id, pupil=pupil)
    except SupportPlan.DoesNotExist:
        raise Http404 from None
    plan.pupil = pupil
    return plan


def _to_plan(request, plan):
    return redirect(
        "pupils:plan_detail",
        school_slug=request.school.slug,
        pupil_id=plan.pupil_id,
        plan_id=plan.pk,
    )


def _refused(request, refusal: PlanRefused, plan):
    messages.error(request, str(refusal))
    return _to_plan(request, refusal.plan or plan)


@school_view(Capability.EDIT_PUPILS)
def plan_create(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    plan = SupportPlan(pupil=pupil, owner=request.user, starts_on=timezone.localdate())
    return _plan_form(request, pupil, plan)


@school_view(Capability.EDIT_PUPILS)
def plan_edit(request, pupil_id, plan_id):
    pupil = pupil_for(request, pupil_id)
    plan = _plan_of(pupil, plan_id)
    if plan.status == PlanStatus.CLOSED and has_next_cycle(plan):
        messages.error(request, "This cycle has a next cycle, so it can no longer change.")
        return _to_plan(request, plan)
    return _plan_form(request, pupil, plan)


def _plan_form(request, pupil, plan):
    data = request.POST or None
    form = PlanForm(data, instance=plan, staff=school_staff(request.school))
    kind = form["kind"].value()
    risks = risk_formset(data, plan)
    details = None
    if not plan._state.adding:
        details = PositiveHandlingDetails.objects.filter(plan=plan).first()
    handling = PositiveHandlingForm(data, instance=details, prefix="ph")
    extras = {
        "risks": risks if kind == PlanKind.RISK else None,
        "handling_form": handling if kind == PlanKind.POSITIVE_HANDLING else None,
    }
    if request.method == "POST" and form.is_valid() and _all_valid(extras.values()):
        try:
            plan = save_plan(form=form, pupil=pupil, request=request, **extras)
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        messages.success(request, "Plan saved.")
        return _to_plan(request, plan)
    context = {
        "form": form,
        "risks": risks,
        "handling": handling,
        "pupil": pupil,
        "plan": plan,
        "is_new": plan._state.adding,
    }
    return render(request, "pupils/plans/plan_form.html", context)


def _all_valid(forms) -> bool:
    return all(f.is_valid() for f in forms if f is not None)


@school_view(*PUPIL_READERS)
def plan_detail(request, pupil_id, plan_id):
    pupil = pupil_for(request, pupil_id)
    page = plan_page(pupil, plan_id)
    if page is None:
        raise Http404
    audit.record_view(request, "plan.view", target=page["plan"], pupil=str(pupil.pk))
    context = {"pupil": pupil, "can_edit": can_edit(request), **page}
    return render(request, "pupils/plans/plan_detail.html", context)


@school_view(Capability.EDIT_PUPILS)
def target_create(request, pupil_id, plan_id):
    plan = _plan_of(pupil_for(request, pupil_id), plan_id)
    target = Target(plan=plan, position=next_target_position(plan))
    return _target_form(request, plan, target)


@school_view(Capability.EDIT_PUPILS)
def target_edit(request, pupil_id, plan_id, target_id):
    plan = _plan_of(pupil_for(request, pupil_id), plan_id)
    try:
        target = Target.objects.get(pk=target_id, plan=plan)
    except Target.DoesNotExist:
        raise Http404 from None
    return _target_form(request, plan, target)


def _target_form(request, plan, target):
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed, so its targets are kept as they were.")
        return _to_plan(request, plan)
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        try:
            save_target(form=form, plan=plan, request=request)
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        messages.success(request, "Target saved.")
        return _to_plan(request, plan)
    context = {"form": form, "plan": plan, "pupil": plan.pupil, "is_new": target._state.adding}
    return render(request, "pupils/plans/target_form.html", context)


@school_view(Capability.EDIT_PUPILS)
def plan_review_create(request, pupil_id, plan_id):
    plan = _plan_of(pupil_for(request, pupil_id), plan_id)
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed; record the review on its current cycle.")
        return _to_plan(request, plan)
    form = PlanReviewForm(request.POST or None, targets=Target.objects.filter(plan=plan))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record_review(
                plan=plan,
                held_on=data["held_on"],
                attendees=data["attendees"],
                next_steps=data["next_steps"],
                ratings=form.ratings(),
                request=request,
            )
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        messages.success(request, "Review recorded.")
        return _to_plan(request, plan)
    context = {"form": form, "plan": plan, "pupil": plan.pupil}
    return render(request, "pupils/plans/review_form.html", context)


@school_view(Capability.EDIT_PUPILS)
def plan_next_cycle(request, pupil_id, plan_id):
    plan = _plan_of(pupil_for(request, pupil_id), plan_id)
    if request.method == "GET" and plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed already; see its next cycle, if any.")
        return _to_plan(request, plan)
    form = NextCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = start_next_cycle(
                plan=plan, next_review_on=form.cleaned_data["next_review_on"], request=request
            )
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        messages.success(request, f"Cycle {plan.cycle} closed; cycle {new.cycle} started.")
        return _to_plan(request, new)
    context = {"form": form, "plan": plan, "pupil": plan.pupil, "targets": rated_targets(plan)}
    return render(request, "pupils/plans/next_cycle_confirm.html", context)


@school_view(Capability.EDIT_PUPILS)
def plans_due(request):
    today = timezone.localdate()
    context = {"today": today, **plans_due_for_review(request.school, today=today)}
    return render(request, "pupils/plans/plans_due.html", context)
