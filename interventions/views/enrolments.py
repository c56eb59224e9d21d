"""Enrolments: putting a pupil into a group (from the group, or from a plan target), and their
consent, provision review and exit; the interventions section of a plan page."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from pupils.selectors import access_plan
from semh import audit, params
from semh.access import INTERVENTION_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

from ..forms.enrolments import EnrolForm, EnrolmentForm
from ..selectors import access_enrolment, plan_enrolments, pupil_to_enrol, search_pupils
from ..services import enrolments as services


def enrolment_url(enrolment):
    return reverse(
        "interventions:enrolment_detail",
        kwargs={
            "school_slug": enrolment.group.school.slug,
            "pupil_id": enrolment.pupil_id,
            "enrolment_id": enrolment.pk,
        },
    )


def _initial(request):
    """What the enrol form starts from: the group, pupil or plan target in its address."""
    school = request.school
    form = EnrolForm(school=school)
    initial = {"starts_on": timezone.localdate()}
    target_id = params.object_id(request.GET.get("target"))
    target = form.fields["target"].queryset.select_related("plan__pupil").filter(pk=target_id)
    if target_id and (target := target.first()):
        initial |= {"target": target, "pupil": target.plan.pupil, "reason": target.description}
    elif pupil := pupil_to_enrol(school, params.object_id(request.GET.get("pupil"))):
        initial["pupil"] = pupil
    group = form.fields["group"].queryset.filter(pk=params.object_id(request.GET.get("group")))
    if group_row := group.first():
        initial["group"] = group_row
    return initial


@school_view(Capability.EDIT_PUPILS)
def enrol(request):
    """Enrol a pupil of the school in a group: found by name, or fixed by a plan target."""
    school = request.school
    data = request.POST if request.method == "POST" else None
    form = EnrolForm(data, school=school, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        enrolment = submit(
            form,
            services.enrol_pupil,
            actor=request.user,
            school=school,
            client=Client.of(request),
            **form.cleaned_data,
        )
        if enrolment is not None:
            messages.success(request, f"Enrolled {enrolment.pupil} in {enrolment.group}.")
            return redirect(enrolment_url(enrolment))
    return _enrol_page(request, form)


def _id_in(value):
    """The id in a bound field's value (a row from ``initial``, or the text sent), or None."""
    return params.object_id(str(getattr(value, "pk", value) or ""))


def _enrol_page(request, form):
    """The enrol form, with the pupil chosen so far, the plan target it is for (if any) and the
    pupils found by name."""
    target_id = _id_in(form["target"].value())
    q = params.text(request.GET.get("q"))
    return render(
        request,
        "interventions/enrolments/enrol.html",
        {
            "form": form,
            "chosen": pupil_to_enrol(request.school, _id_in(form["pupil"].value())),
            "target": form.fields["target"].queryset.filter(pk=target_id).first()
            if target_id
            else None,
            "q": q,
            "results": search_pupils(school=request.school, q=q) if q else [],
        },
    )


@school_view(Capability.EDIT_PUPILS)
def pupil_search(request):
    """The enrol form's search-as-you-type results (htmx)."""
    q = params.text(request.GET.get("q"))
    return render(
        request,
        "interventions/enrolments/_pupil_results.html",
        {"q": q, "results": search_pupils(school=request.school, q=q)},
    )


@school_view(*INTERVENTION_READERS)
def enrolment_detail(request, pupil_id, enrolment_id):
    """One pupil's enrolment: why, consent, review and exit (for those who may open the pupil)."""
    enrolment = access_enrolment(
        request.school_access, request.school, enrolment_id, pupil_id=pupil_id
    )
    audit.record_page_view(
        request, AuditAction.ENROLMENT_VIEW, target=enrolment, pupil=str(enrolment.pupil_id)
    )
    return render(
        request, "interventions/enrolments/enrolment_detail.html", {"enrolment": enrolment}
    )


@school_view(Capability.EDIT_PUPILS)
def enrolment_edit(request, pupil_id, enrolment_id):
    """Record consent, the provision review or the exit."""
    enrolment = access_enrolment(
        request.school_access, request.school, enrolment_id, pupil_id=pupil_id
    )
    audit.record_page_view(
        request, AuditAction.ENROLMENT_VIEW, target=enrolment, pupil=str(enrolment.pupil_id)
    )
    data = request.POST if request.method == "POST" else None
    form = EnrolmentForm(data, instance=copy.copy(enrolment))
    if request.method == "POST" and form.is_valid():
        saved = submit(
            form,
            services.update_enrolment,
            actor=request.user,
            school=request.school,
            enrolment=enrolment,
            client=Client.of(request),
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, f"Saved {saved.pupil}'s enrolment.")
            return redirect(enrolment_url(saved))
    return render(
        request,
        "interventions/enrolments/enrolment_form.html",
        {"form": form, "enrolment": enrolment},
    )


@school_view(*INTERVENTION_READERS)
def plan_enrolments_section(request, pupil_id, plan_id):
    """The interventions section of a plan page (loaded by htmx), or the same as a page."""
    plan = access_plan(request.school_access, request.school, plan_id, pupil_id=pupil_id)
    audit.record_page_view(
        request, AuditAction.PUPIL_INTERVENTIONS_VIEW, target=plan, pupil=str(pupil_id)
    )
    template = (
        "interventions/enrolments/_plan_section.html"
        if request.htmx
        else "interventions/enrolments/plan_enrolments.html"
    )
    return render(
        request,
        template,
        {"plan": plan, "pupil": plan.pupil, "enrolments": plan_enrolments(plan)},
    )
