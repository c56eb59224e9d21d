"""Writes around the pupil: parent/carer contacts, agency involvement, meetings, their actions."""

from django.db import transaction
from django.utils import timezone

from pupils.models import AgencyInvolvement, Meeting, MeetingAction, ParentContact
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once

CONTACT_FIELDS = (
    "contacted_at",
    "about",
    "method",
    "with_whom",
    "summary",
    "follow_up_needed",
    "follow_up_due",
    "follow_up_done",
)
AGENCY_FIELDS = (
    "agency",
    "agency_name",
    "status",
    "referred_on",
    "contact_name",
    "contact_details",
    "notes",
)
ACTION_FIELDS = ("description", "owner", "due_on")


def _record(action, *, actor, school, record, client, **detail):
    audit.record(
        actor=actor,
        action=action,
        school=school,
        target=record,
        client=client,
        pupil=str(record.pupil_id),
        **detail,
    )


@submitted_once
@transaction.atomic
def record_parent_contact(*, actor, school, pupil, client=None, **details) -> ParentContact:
    """A contact with the pupil's parents or carers (``details``: fields of
    ``CONTACT_FIELDS``), recorded by the ``actor``."""
    contact = ParentContact(pupil=pupil, recorded_by=actor)
    assign(contact, details, allowed=CONTACT_FIELDS)
    contact.save()
    _record(
        AuditAction.PARENT_CONTACT_CREATE, actor=actor, school=school, record=contact, client=client
    )
    return contact


@transaction.atomic
def update_parent_contact(*, actor, school, contact, client=None, **changes) -> ParentContact:
    contact = ParentContact.objects.select_for_update().get(pk=contact.pk, pupil__school=school)
    fields = assign(contact, changes, allowed=CONTACT_FIELDS)
    contact.save()
    _record(
        AuditAction.PARENT_CONTACT_UPDATE,
        actor=actor,
        school=school,
        record=contact,
        client=client,
        fields=fields,
    )
    return contact


@submitted_once
@transaction.atomic
def record_agency_involvement(*, actor, school, pupil, client=None, **details) -> AgencyInvolvement:
    """An outside agency's involvement with the pupil (``details``: fields of
    ``AGENCY_FIELDS``)."""
    agency = AgencyInvolvement(pupil=pupil, recorded_by=actor)
    assign(agency, details, allowed=AGENCY_FIELDS)
    agency.save()
    _record(AuditAction.AGENCY_CREATE, actor=actor, school=school, record=agency, client=client)
    return agency


@transaction.atomic
def update_agency_involvement(
    *, actor, school, involvement, client=None, **changes
) -> AgencyInvolvement:
    """``involvement``, not ``agency``: that is one of its fields (``AGENCY_FIELDS``)."""
    involvement = AgencyInvolvement.objects.select_for_update().get(
        pk=involvement.pk, pupil__school=school
    )
    fields = assign(involvement, changes, allowed=AGENCY_FIELDS)
    involvement.save()
    _record(
        AuditAction.AGENCY_UPDATE,
        actor=actor,
        school=school,
        record=involvement,
        client=client,
        fields=fields,
    )
    return involvement


@submitted_once
@transaction.atomic
def record_meeting(
    *,
    actor,
    school,
    pupil,
    kind,
    held_on,
    staff_attendees=(),
    external_attendees="",
    notes="",
    actions=(),
    client=None,
) -> Meeting:
    """A meeting about the pupil with the actions agreed (``actions``: dicts of
    ``ACTION_FIELDS``)."""
    meeting = Meeting.objects.create(
        pupil=pupil,
        kind=kind,
        held_on=held_on,
        external_attendees=external_attendees,
        notes=notes,
        recorded_by=actor,
    )
    meeting.staff_attendees.set(staff_attendees)
    for values in actions:
        action = MeetingAction(meeting=meeting)
        assign(action, values, allowed=ACTION_FIELDS)
        action.save()
    _record(
        AuditAction.MEETING_CREATE,
        actor=actor,
        school=school,
        record=meeting,
        client=client,
        actions=len(actions),
    )
    return meeting


@transaction.atomic
def complete_meeting_action(*, actor, school, action, client=None) -> MeetingAction:
    """Mark the action done today by the ``actor``; an action done already stays as it was."""
    action = MeetingAction.objects.select_for_update().get(
        pk=action.pk, meeting__pupil__school=school
    )
    if action.done_on is None:
        action.done_on, action.done_by = timezone.localdate(), actor
        action.save(update_fields=["done_on", "done_by"])
        audit.record(
            actor=actor,
            action=AuditAction.MEETING_ACTION_DONE,
            school=school,
            target=action,
            client=client,
        )
    return action
