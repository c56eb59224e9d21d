"""Measures: recording a pupil's result (phone-first), one result, withdrawing it, the measures
a school uses and its own scales, and the pupil page's interventions section."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.selectors import access_pupil
from semh import audit
from semh.access import INTERVENTION_READERS, PUPIL_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import put_errors, submit

from ..forms.measures import (
    BY_ITEMS,
    BY_SUBSCALES,
    BandsForm,
    ChooseMeasureForm,
    CopyForm,
    ResultForm,
    ScaleEditForm,
    ScaleForm,
    WithdrawForm,
)
from ..measure_selectors import (
    access_measure,
    access_result,
    current_enrolments,
    definition_to_record,
    definitions_for,
    history_chart,
    pupil_enrolments,
    pupil_measure_history,
)
from ..services import measures as services


def _entry(request, definition):
    wanted = request.POST.get("entry") or request.GET.get("entry")
    if not definition.item_count:
        return BY_SUBSCALES
    return BY_SUBSCALES if wanted == BY_SUBSCALES else BY_ITEMS


@school_view(Capability.RECORD)
def result_create(request, pupil_id):
    """Record a completed measure for a pupil: choose the measure, then enter its scores by item
    or by subscale totals (a link switches between them, no script needed)."""
    school = request.school
    pupil = access_pupil(request.school_access, school, pupil_id)
    audit.record_page_view(
        request, AuditAction.PUPIL_INTERVENTIONS_VIEW, target=pupil, pupil=str(pupil.pk)
    )
    definition = definition_to_record(school, request.GET.get("definition"))
    if definition is None:
        choose = ChooseMeasureForm(definitions=definitions_for(school))
        return render(
            request, "interventions/measures/choose.html", {"pupil": pupil, "choose": choose}
        )
    by = _entry(request, definition)
    data = request.POST if request.method == "POST" else None
    form = ResultForm(
        data,
        definition=definition,
        by=by,
        enrolments=current_enrolments(pupil),
        initial={"taken_on": timezone.localdate()},
    )
    if data is not None and form.is_valid():
        result = submit(
            form,
            services.record_result,
            actor=request.user,
            school=school,
            pupil=pupil,
            definition=definition,
            client=Client.of(request),
            **form.service_values(),
        )
        if result is not None:
            messages.success(request, f"{definition.name} recorded for {pupil.full_name}.")
            return redirect("interventions:result", school.slug, pupil.pk, result.pk)
    context = {"pupil": pupil, "definition": definition, "form": form, "by": by}
    return render(request, "interventions/measures/result_form.html", context)


@school_view(*PUPIL_READERS)
def result_detail(request, pupil_id, result_id):
    """One result: every score with its band."""
    result = access_result(request.school_access, request.school, result_id, pupil_id=pupil_id)
    audit.record_page_view(
        request, AuditAction.PUPIL_INTERVENTIONS_VIEW, target=result, pupil=str(pupil_id)
    )
    return render(
        request,
        "interventions/measures/result_detail.html",
        {"result": result, "pupil": result.pupil, "withdraw": WithdrawForm()},
    )


@school_view(Capability.EDIT_PUPILS)
@require_POST
def result_withdraw(request, pupil_id, result_id):
    result = access_result(request.school_access, request.school, result_id, pupil_id=pupil_id)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        services.withdraw_result(
            actor=request.user,
            school=request.school,
            result=result,
            reason=form.cleaned_data["reason"],
            client=Client.of(request),
        )
        messages.success(request, "Result withdrawn: it no longer counts.")
        return redirect("interventions:result", request.school.slug, pupil_id, result_id)
    return render(
        request,
        "interventions/measures/result_detail.html",
        {"result": result, "pupil": result.pupil, "withdraw": form},
        status=400,
    )


@school_view(*PUPIL_READERS)
def pupil_interventions(request, pupil_id):
    """The Interventions section of the pupil page (loaded by htmx), or the same as a page."""
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    audit.record_page_view(
        request, AuditAction.PUPIL_INTERVENTIONS_VIEW, target=pupil, pupil=str(pupil.pk)
    )
    histories = pupil_measure_history(pupil)
    for history in histories:
        history.chart = history_chart(history)
    template = (
        "interventions/measures/_pupil_section.html"
        if request.htmx
        else "interventions/measures/pupil_interventions.html"
    )
    context = {"pupil": pupil, "enrolments": pupil_enrolments(pupil), "histories": histories}
    return render(request, template, context)


# --- The measures a school uses -------------------------------------------------------------


@school_view(*INTERVENTION_READERS)
def measure_list(request):
    definitions = definitions_for(request.school, in_use=False).prefetch_related("subscales")
    return render(request, "interventions/measures/measure_list.html", {"definitions": definitions})


@school_view(*INTERVENTION_READERS)
def measure_detail(request, measure_id):
    definition = access_measure(request.school_access, request.school, measure_id)
    return render(
        request,
        "interventions/measures/measure_detail.html",
        {"definition": definition, "copy": CopyForm()},
    )


@school_view(Capability.EDIT_PUPILS)
def measure_create(request):
    """A school's own scale: a name, who completes it, up to six scores with ranges and bands."""
    form = ScaleForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        definition = submit(
            form,
            services.define_measure,
            actor=request.user,
            school=request.school,
            client=Client.of(request),
            **form.service_values(),
        )
        if definition is not None:
            messages.success(request, f"{definition.name} added.")
            return redirect("interventions:measure", request.school.slug, definition.pk)
    return render(request, "interventions/measures/scale_form.html", {"form": form})


@school_view(Capability.EDIT_PUPILS)
def measure_edit(request, measure_id):
    """Rename or retire a school's own scale; built-in measures are read-only."""
    definition = access_measure(request.school_access, request.school, measure_id)
    if definition.school_id is None:
        raise PermissionDenied
    initial = {"name": definition.name, "note": definition.note, "is_active": definition.is_active}
    form = ScaleEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_measure(
                actor=request.user,
                school=request.school,
                definition=definition,
                client=Client.of(request),
                **form.cleaned_data,
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(
                reverse("interventions:measure", args=[request.school.slug, definition.pk])
            )
    return render(
        request, "interventions/measures/scale_edit.html", {"form": form, "definition": definition}
    )


@school_view(Capability.EDIT_PUPILS)
def measure_bands(request, measure_id):
    """Enter the bands of a school's own measure from its scoring sheet."""
    definition = access_measure(request.school_access, request.school, measure_id)
    if definition.school_id is None:
        raise PermissionDenied
    form = BandsForm(request.POST if request.method == "POST" else None, definition=definition)
    if request.method == "POST" and form.is_valid():
        done = submit(
            form,
            services.set_bands,
            actor=request.user,
            school=request.school,
            definition=definition,
            bands=form.bands,
            client=Client.of(request),
        )
        if done is not None:
            messages.success(request, "Bands saved.")
            return redirect("interventions:measure", request.school.slug, definition.pk)
    return render(
        request, "interventions/measures/bands_form.html", {"form": form, "definition": definition}
    )


@school_view(Capability.EDIT_PUPILS)
@require_POST
def measure_copy(request, measure_id):
    """A school copy of a measure, to enter band sets that are not shipped."""
    definition = access_measure(request.school_access, request.school, measure_id)
    form = CopyForm(request.POST)
    form.is_valid()
    copy = submit(
        form,
        services.copy_measure,
        actor=request.user,
        school=request.school,
        definition=definition,
        client=Client.of(request),
    )
    if copy is None:
        messages.error(request, " ".join(form.non_field_errors()))
        return redirect("interventions:measure", request.school.slug, definition.pk)
    messages.success(request, f"{copy.name} made: enter its bands.")
    return redirect("interventions:measure_bands", request.school.slug, copy.pk)
