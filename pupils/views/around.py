from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils.forms_around import ActionFormSet, AgencyForm, MeetingForm, ParentContactForm
from pupils.models import AgencyInvolvement, Meeting, MeetingAction, ParentContact
from pupils.services import school_staff
from pupils.services_around import complete_action, record_meeting, save_pupil_record
from pupils.views.common import pupil_for
from semh import audit
from semh.access import Capability
from semh.decorators import school_view

CONTACT_WRITERS = (Capability.EDIT_PUPILS, Capability.RECORD)
PUPIL_READERS = (Capability.VIEW_ALL_PUPILS, Capability.VIEW_CASELOAD_PUPILS)


def _child_of(pupil, model, pk, **lookups):
    """A record belonging to this pupil, or 404."""
    try:
        return model.objects.get(pk=pk, **{lookups.pop("via", "pupil"): pupil}, **lookups)
    except model.DoesNotExist:
        raise Http404 from None


def _back_to(request, pupil, anchor):
    url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
    return redirect(f"{url}#{anchor}")


def _record_form(request, pupil, form_class, instance, *, action, title, anchor):
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save_pupil_record(form=form, pupil=pupil, request=request, action=action)
        messages.success(request, "Saved.")
        return _back_to(request, pupil, anchor)
    return render(
        request, "pupils/around/record_form.html", {"form": form, "pupil": pupil, "title": title}
    )


@school_view(*CONTACT_WRITERS)
def contact_create(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    return _record_form(
        request,
        pupil,
        ParentContactForm,
        ParentContact(),
        action="parent_contact",
        title="Log a parent / carer contact",
        anchor="contacts",
    )


@school_view(*CONTACT_WRITERS)
def contact_edit(request, pupil_id, contact_id):
    pupil = pupil_for(request, pupil_id)
    contact = _child_of(pupil, ParentContact, contact_id)
    return _record_form(
        request,
        pupil,
        ParentContactForm,
        contact,
        action="parent_contact",
        title="Update a parent / carer contact",
        anchor="contacts",
    )


@school_view(Capability.EDIT_PUPILS)
def agency_create(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    return _record_form(
        request,
        pupil,
        AgencyForm,
        AgencyInvolvement(),
        action="agency",
        title="Add agency involvement",
        anchor="agencies",
    )


@school_view(Capability.EDIT_PUPILS)
def agency_edit(request, pupil_id, agency_id):
    pupil = pupil_for(request, pupil_id)
    agency = _child_of(pupil, AgencyInvolvement, agency_id)
    return _record_form(
        request,
        pupil,
        AgencyForm,
        agency,
        action="agency",
        title="Update agency involvement",
        anchor="agencies",
    )


@school_view(Capability.EDIT_PUPILS)
def meeting_create(request, pupil_id):
    pupil = pupil_for(request, pupil_id)
    staff = school_staff(request.school)
    form = MeetingForm(request.POST or None, staff=staff)
    actions = ActionFormSet(
        request.POST or None, staff=staff, queryset=MeetingAction.objects.none(), prefix="actions"
    )
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        new_actions = [f.save(commit=False) for f in actions.forms if f.has_changed()]
        meeting = record_meeting(form=form, actions=new_actions, pupil=pupil, request=request)
        messages.success(request, "Meeting recorded.")
        return redirect(
            "pupils:meeting_detail",
            school_slug=request.school.slug,
            pupil_id=pupil.pk,
            meeting_id=meeting.pk,
        )
    return render(
        request,
        "pupils/around/meeting_form.html",
        {"form": form, "actions": actions, "pupil": pupil},
    )


@school_view(*PUPIL_READERS)
def meeting_detail(request, pupil_id, meeting_id):
    pupil = pupil_for(request, pupil_id)
    meeting = _child_of(pupil, Meeting, meeting_id)
    audit.record_view(request, "meeting.view", target=meeting)
    return render(
        request,
        "pupils/around/meeting_detail.html",
        {
            "pupil": pupil,
            "meeting": meeting,
            "attendees": list(meeting.staff_attendees.all()),
            "actions": list(meeting.actions.select_related("owner")),
        },
    )


@school_view(Capability.EDIT_PUPILS, Capability.RECORD)
@require_POST
def action_done(request, pupil_id, action_id):
    pupil = pupil_for(request, pupil_id)
    action = _child_of(pupil, MeetingAction, action_id, via="meeting__pupil")
    complete_action(action=action, request=request)
    messages.success(request, "Action marked as done.")
    return _back_to(request, pupil, "meetings")
