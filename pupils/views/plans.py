"""Support plans: the plan page, writing plans and targets, reviews, next cycles, reviews due."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from pupils import selectors
from pupils.forms.plans import NextCycleForm, PlanForms, PlanReviewForm, TargetForm
from pupils.models import PlanStatus, SupportPlan, Target
from pupils.selectors import access_plan, access_pupil, access_target
from pupils.services import plans
from pupils.services.plans import PlanRefused
from semh import audit
from semh.access import PUPIL_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

EDIT = Capability.EDIT_PUPILS


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


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


def _plan_of(request, pupil_id, plan_id) -> SupportPlan:
    return access_plan(request.school_access, request.school, plan_id, pupil_id=pupil_id)


@school_view(EDIT)
def plan_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    plan = SupportPlan(pupil=pupil, owner=request.user, starts_on=timezone.localdate())
    return _plan_form(request, plan)


@school_view(EDIT)
def plan_edit(request, pupil_id, plan_id):
    plan = _plan_of(request, pupil_id, plan_id)
    if plan.status == PlanStatus.CLOSED and selectors.has_next_cycle(plan):
        messages.error(request, "This cycle has a next cycle, so it can no longer change.")
        return _to_plan(request, plan)
    return _plan_form(request, plan)


def _plan_form(request, plan):
    """One page for a new plan and an existing one; the risk rows and the positive handling
    details are saved with the plan of their kind."""
    is_new = plan._state.adding
    forms = PlanForms(
        request.POST or None,
        plan,
        staff=selectors.pupil_facing_staff(request.school),
        handling=selectors.positive_handling_of(plan),
    )
    if request.method == "POST" and forms.is_valid():
        who = {**_who(request), **forms.values()}
        try:
            if is_new:
                saved = submit(forms.plan, plans.create_plan, **who, pupil=plan.pupil)
            else:
                saved = submit(forms.plan, plans.update_plan, **who, plan=plan)
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        if saved is not None:
            messages.success(request, "Plan saved.")
            return _to_plan(request, saved)
    if not is_new:
        _audit_plan_page(request, plan, "edit")
    context = {"form": forms.plan, "risks": forms.risks, "handling": forms.handling}
    context |= {"pupil": plan.pupil, "plan": plan, "is_new": is_new}
    return render(request, "pupils/plans/plan_form.html", context)


def _audit_plan_page(request, plan, page, **detail):
    """A form page showing the plan, opened (its POST is audited by the service it calls)."""
    audit.record_page_view(
        request, AuditAction.PLAN_VIEW, target=plan, pupil=str(plan.pupil_id), page=page, **detail
    )


@school_view(*PUPIL_READERS)
def plan_detail(request, pupil_id, plan_id):
    plan = _plan_of(request, pupil_id, plan_id)
    audit.record_view(request, AuditAction.PLAN_VIEW, target=plan, pupil=str(plan.pupil_id))
    context = {"pupil": plan.pupil, "can_edit": request.school_access.can(EDIT)}
    return render(
        request, "pupils/plans/plan_detail.html", {**context, **selectors.plan_page(plan)}
    )


@school_view(EDIT)
def target_create(request, pupil_id, plan_id):
    plan = _plan_of(request, pupil_id, plan_id)
    target = Target(plan=plan, position=selectors.next_target_position(plan))
    return _target_form(request, target)


@school_view(EDIT)
def target_edit(request, pupil_id, plan_id, target_id):
    target = access_target(
        request.school_access, request.school, target_id, pupil_id=pupil_id, plan_id=plan_id
    )
    return _target_form(request, target)


def _target_form(request, target):
    plan, is_new = target.plan, target._state.adding
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed, so its targets are kept as they were.")
        return _to_plan(request, plan)
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        who = {**_who(request), **form.cleaned_data}
        try:
            if is_new:
                saved = submit(form, plans.add_target, **who, plan=plan)
            else:
                saved = submit(form, plans.update_target, **who, target=target)
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        if saved is not None:
            messages.success(request, "Target saved.")
            return _to_plan(request, plan)
    if not is_new:
        _audit_plan_page(request, plan, "target_edit", target_id=str(target.pk))
    context = {"form": form, "plan": plan, "pupil": plan.pupil, "is_new": is_new}
    return render(request, "pupils/plans/target_form.html", context)


@school_view(EDIT)
def plan_review_create(request, pupil_id, plan_id):
    plan = _plan_of(request, pupil_id, plan_id)
    if plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed; record the review on its current cycle.")
        return _to_plan(request, plan)
    form = PlanReviewForm(request.POST or None, targets=selectors.targets_of(plan))
    if request.method == "POST" and form.is_valid():
        meeting = {name: form.cleaned_data[name] for name in ("held_on", "attendees", "next_steps")}
        try:
            review = submit(
                form,
                plans.record_review,
                **_who(request),
                plan=plan,
                ratings=form.ratings(),
                **meeting,
            )
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        if review is not None:
            messages.success(request, "Review recorded.")
            return _to_plan(request, plan)
    _audit_plan_page(request, plan, "review")
    since = selectors.evidence_since(plan)
    notes = selectors.target_evidence(plan, since)
    for target in form.targets:  # the daily notes linked to it: what the rating rests on
        target.linked_notes = notes.get(target.pk, [])
    context = {"form": form, "plan": plan, "pupil": plan.pupil, "evidence_since": since}
    return render(request, "pupils/plans/review_form.html", context)


@school_view(EDIT)
def plan_next_cycle(request, pupil_id, plan_id):
    plan = _plan_of(request, pupil_id, plan_id)
    if request.method == "GET" and plan.status == PlanStatus.CLOSED:
        messages.error(request, "This cycle is closed already; see its next cycle, if any.")
        return _to_plan(request, plan)
    form = NextCycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review_on = form.cleaned_data["next_review_on"]
        try:
            new = plans.start_next_cycle(**_who(request), plan=plan, next_review_on=review_on)
        except PlanRefused as refusal:
            return _refused(request, refusal, plan)
        messages.success(request, f"Cycle {plan.cycle} closed; cycle {new.cycle} started.")
        return _to_plan(request, new)
    targets = selectors.rated_targets(plan)
    _audit_plan_page(request, plan, "next_cycle")
    context = {"form": form, "plan": plan, "pupil": plan.pupil, "targets": targets}
    return render(request, "pupils/plans/next_cycle_confirm.html", context)


@school_view(EDIT)
def plans_due(request):
    today = timezone.localdate()
    context = {"today": today, **selectors.plans_due_for_review(request.school, today=today)}
    return render(request, "pupils/plans/plans_due.html", context)
