"""Around the pupil: parent/carer contacts, agency involvement, meetings and their actions."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from pupils import selectors
from pupils.forms.contacts import (
    ActionFormSet,
    AgencyForm,
    MeetingForm,
    ParentContactForm,
    agreed_actions,
)
from pupils.models import AgencyInvolvement, ContactAbout, ParentContact
from pupils.selectors import (
    access_agency,
    access_contact,
    access_meeting,
    access_meeting_action,
    access_pupil,
)
from pupils.services import contacts
from semh import audit
from semh.access import PUPIL_READERS, PUPIL_RECORDERS, Capability
from semh.audit import AuditAction, Client
from semh.decorators import school_view
from semh.submissions import submit

CONTACT_WRITERS = (Capability.EDIT_PUPILS, *PUPIL_RECORDERS)


def _who(request) -> dict:
    return {"actor": request.user, "school": request.school, "client": Client.of(request)}


def _back_to(request, pupil, anchor):
    url = redirect("pupils:detail", school_slug=request.school.slug, pupil_id=pupil.pk).url
    return redirect(f"{url}#{anchor}")


# The audited read of each kind of row the record form updates.
RECORD_VIEWS = {"contacts": AuditAction.PARENT_CONTACT_VIEW, "agencies": AuditAction.AGENCY_VIEW}


def _record_form(request, pupil, form, save, *, title, anchor):
    """The one page for adding or updating a contact or agency row: ``save(**values)`` writes.
    Opening an existing row is an audited read."""
    valid = request.method == "POST" and form.is_valid()
    if valid and submit(form, save, **_who(request), **form.cleaned_data) is not None:
        messages.success(request, "Saved.")
        return _back_to(request, pupil, anchor)
    if not form.instance._state.adding:
        audit.record_page_view(
            request, RECORD_VIEWS[anchor], target=form.instance, pupil=str(pupil.pk)
        )
    context = {"form": form, "pupil": pupil, "title": title}
    return render(request, "pupils/contacts/record_form.html", context)


@school_view(*CONTACT_WRITERS)
def contact_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    about = request.GET.get("about", "")  # "Record an attendance contact" links prefill it
    if about not in ContactAbout.values:
        about = ContactAbout.GENERAL
    form = ParentContactForm(request.POST or None, instance=ParentContact(pupil=pupil, about=about))

    def save(**values):
        return contacts.record_parent_contact(pupil=pupil, **values)

    title = "Log a parent / carer contact"
    return _record_form(request, pupil, form, save, title=title, anchor="contacts")


@school_view(*CONTACT_WRITERS)
def contact_edit(request, pupil_id, contact_id):
    contact = access_contact(request.school_access, request.school, contact_id, pupil_id=pupil_id)
    form = ParentContactForm(request.POST or None, instance=contact)

    def save(**values):
        return contacts.update_parent_contact(contact=contact, **values)

    title = "Update a parent / carer contact"
    return _record_form(request, contact.pupil, form, save, title=title, anchor="contacts")


@school_view(Capability.EDIT_PUPILS)
def agency_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    form = AgencyForm(request.POST or None, instance=AgencyInvolvement(pupil=pupil))

    def save(**values):
        return contacts.record_agency_involvement(pupil=pupil, **values)

    title = "Add agency involvement"
    return _record_form(request, pupil, form, save, title=title, anchor="agencies")


@school_view(Capability.EDIT_PUPILS)
def agency_edit(request, pupil_id, agency_id):
    agency = access_agency(request.school_access, request.school, agency_id, pupil_id=pupil_id)
    form = AgencyForm(request.POST or None, instance=agency)

    def save(**values):
        return contacts.update_agency_involvement(involvement=agency, **values)

    title = "Update agency involvement"
    return _record_form(request, agency.pupil, form, save, title=title, anchor="agencies")


@school_view(Capability.EDIT_PUPILS)
def meeting_create(request, pupil_id):
    pupil = access_pupil(request.school_access, request.school, pupil_id)
    staff = selectors.pupil_facing_staff(request.school)
    form = MeetingForm(request.POST or None, staff=staff)
    actions = ActionFormSet(request.POST or None, staff=staff, prefix="actions")
    if request.method == "POST" and form.is_valid() and actions.is_valid():
        meeting = submit(
            form,
            contacts.record_meeting,
            **_who(request),
            pupil=pupil,
            actions=agreed_actions(actions),
            **form.cleaned_data,
        )
    else:
        meeting = None
    if meeting is not None:
        messages.success(request, "Meeting recorded.")
        return redirect(
            "pupils:meeting_detail",
            school_slug=request.school.slug,
            pupil_id=pupil.pk,
            meeting_id=meeting.pk,
        )
    context = {"form": form, "actions": actions, "pupil": pupil}
    return render(request, "pupils/contacts/meeting_form.html", context)


@school_view(*PUPIL_READERS)
def meeting_detail(request, pupil_id, meeting_id):
    meeting = access_meeting(request.school_access, request.school, meeting_id, pupil_id=pupil_id)
    audit.record_view(
        request, AuditAction.MEETING_VIEW, target=meeting, pupil=str(meeting.pupil_id)
    )
    context = {"pupil": meeting.pupil, "meeting": meeting, **selectors.meeting_page(meeting)}
    return render(request, "pupils/contacts/meeting_detail.html", context)


@school_view(*CONTACT_WRITERS)
@require_POST
def action_done(request, pupil_id, action_id):
    action = access_meeting_action(
        request.school_access, request.school, action_id, pupil_id=pupil_id
    )
    contacts.complete_meeting_action(**_who(request), action=action)
    messages.success(request, "Action marked as done.")
    return _back_to(request, action.meeting.pupil, "meetings")
