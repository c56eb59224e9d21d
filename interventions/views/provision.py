"""Provision: the school's programmes and groups, the funding streams and cost table (SENCo), and
what each group costs."""

import copy

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from semh import audit, params
from semh.access import INTERVENTION_READERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

from ..forms.provision import (
    EndGroupForm,
    FundingStreamForm,
    GroupForm,
    PersonCostForm,
    ProgrammeForm,
    RoleCostsForm,
)
from ..selectors import (
    access_group,
    access_programme,
    cost_table,
    funding_streams_of,
    group_page,
    groups_not_running,
    programmes_of,
    running_by_weekday,
)
from ..services import provision as services

SENCO = Capability.EDIT_PUPILS


def _data(request):
    return request.POST if request.method == "POST" else None


@school_view(*INTERVENTION_READERS)
def index(request):
    """Interventions: the groups running now by weekday, with links to programmes and settings."""
    viewer, school = request.school_access, request.school
    return render(
        request,
        "interventions/provision/index.html",
        {
            "days": running_by_weekday(viewer, school),
            "others": groups_not_running(viewer, school)[:50],
            "today": timezone.localdate(),
        },
    )


# --- Programmes -----------------------------------------------------------------------------


@school_view(*INTERVENTION_READERS)
def programmes(request):
    return render(
        request,
        "interventions/provision/programmes.html",
        {"programmes": programmes_of(request.school)},
    )


@school_view(SENCO)
def programme_create(request):
    form = ProgrammeForm(_data(request), school=request.school)
    return _programme_form(request, form, None)


@school_view(SENCO)
def programme_edit(request, programme_id):
    programme = access_programme(request.school_access, request.school, programme_id)
    form = ProgrammeForm(_data(request), school=request.school, instance=copy.copy(programme))
    return _programme_form(request, form, programme)


def _programme_form(request, form, programme):
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        kwargs = {"actor": request.user, "school": request.school, "client": Client.of(request)}
        kwargs["measures"] = values.pop("measures")
        if programme is None:
            saved = submit(form, services.create_programme, **kwargs, **values)
        else:
            saved = submit(form, services.update_programme, programme=programme, **kwargs, **values)
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("interventions:programmes", school_slug=request.school.slug)
    return render(
        request,
        "interventions/provision/programme_form.html",
        {"form": form, "programme": programme},
    )


# --- Settings: funding streams and the staff cost table ---------------------------------------


@school_view(SENCO)
def settings(request):
    """Funding streams and the staff cost table."""
    table = cost_table(request.school)
    return render(
        request,
        "interventions/provision/settings.html",
        {
            "streams": funding_streams_of(request.school),
            "stream_form": FundingStreamForm(),
            "roles_form": RoleCostsForm(table=table),
            "person_form": PersonCostForm(school=request.school),
            "table": table,
        },
    )


def _to_settings(request):
    return redirect("interventions:settings", school_slug=request.school.slug)


def _refused(request, form):
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _service_kwargs(request):
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


@school_view(SENCO)
@require_POST
def funding_add(request):
    form = FundingStreamForm(request.POST)
    if form.is_valid() and submit(
        form, services.add_funding_stream, **_service_kwargs(request), **form.cleaned_data
    ):
        messages.success(request, f"Added {form.cleaned_data['name']}.")
    _refused(request, form)
    return _to_settings(request)


@school_view(SENCO)
@require_POST
def funding_in_use(request):
    stream = funding_streams_of(request.school).filter(pk=_int(request.POST.get("stream")))
    stream = stream.first()
    if stream is not None:
        in_use = request.POST.get("in_use") == "1"
        services.set_funding_stream_in_use(**_service_kwargs(request), stream=stream, in_use=in_use)
        messages.success(request, f"{stream.name}: {'in use' if in_use else 'no longer in use'}.")
    return _to_settings(request)


def _int(value):
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@school_view(SENCO)
@require_POST
def role_costs(request):
    form = RoleCostsForm(request.POST, table=cost_table(request.school))
    if form.is_valid():
        services.set_role_costs(**_service_kwargs(request), costs=form.cleaned_data)
        messages.success(request, "Saved the hourly cost of each role.")
    _refused(request, form)
    return _to_settings(request)


@school_view(SENCO)
@require_POST
def person_cost(request):
    form = PersonCostForm(request.POST, school=request.school)
    if form.is_valid():
        services.set_person_cost(**_service_kwargs(request), **form.cleaned_data)
        messages.success(request, f"Saved {form.cleaned_data['staff'].name}'s hourly cost.")
    _refused(request, form)
    return _to_settings(request)


# --- Groups ---------------------------------------------------------------------------------


@school_view(SENCO)
def group_create(request):
    initial = {"starts_on": timezone.localdate()}
    programme = programmes_of(request.school).filter(
        pk=params.object_id(request.GET.get("programme"))
    )
    if programme_row := programme.first():
        initial |= {"programme": programme_row, "planned_sessions": programme_row.usual_sessions}
    form = GroupForm(_data(request), school=request.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        other_staff = values.pop("other_staff")
        kwargs = _service_kwargs(request) | values
        group = submit(form, services.create_group, other_staff=other_staff, **kwargs)
        if group is not None:
            messages.success(request, f"Set up {group.name}.")
            return redirect(group_url(group))
    return render(request, "interventions/provision/group_form.html", {"form": form})


def group_url(group):
    return reverse(
        "interventions:group_detail",
        kwargs={"school_slug": group.school.slug, "group_id": group.pk},
    )


@school_view(SENCO)
def group_edit(request, group_id):
    group = access_group(request.school_access, request.school, group_id)
    form = GroupForm(_data(request), school=request.school, instance=copy.copy(group))
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        other_staff = values.pop("other_staff")
        kwargs = _service_kwargs(request) | values
        saved = submit(form, services.update_group, group=group, other_staff=other_staff, **kwargs)
        if saved is not None:
            messages.success(request, f"Saved {saved.name}.")
            return redirect(group_url(saved))
    return render(
        request, "interventions/provision/group_form.html", {"form": form, "group": group}
    )


@school_view(*INTERVENTION_READERS)
def group_detail(request, group_id):
    """The group: its pupils, sessions delivered against planned, and its costs."""
    group = access_group(request.school_access, request.school, group_id)
    page = group_page(group, request.school_access)
    audit.record_page_view(
        request,
        AuditAction.ENROLMENT_VIEW,
        target=group,
        pupils=[str(e.pupil_id) for e in page.enrolments if e.record_open],
    )
    return render(
        request,
        "interventions/provision/group_detail.html",
        {"page": page, "group": group, "end_form": EndGroupForm(initial={"ended_on": page.today})},
    )


@school_view(SENCO)
@require_POST
def group_end(request, group_id):
    group = access_group(request.school_access, request.school, group_id)
    form = EndGroupForm(request.POST)
    if form.is_valid():
        day = form.cleaned_data["ended_on"]
        if submit(form, services.end_group, **_service_kwargs(request), group=group, on=day):
            messages.success(request, f"{group.name} ended on {day:%d/%m/%Y}.")
    _refused(request, form)
    return redirect(group_url(group))
