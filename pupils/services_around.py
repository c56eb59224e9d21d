"""Writes around the pupil: parent/carer contacts, agency involvement, meetings and actions."""

from django.db import transaction
from django.utils import timezone

from semh import audit


@transaction.atomic
def save_pupil_record(*, form, pupil, request, action: str):
    """Save a contact or agency row of ``pupil`` from its form, audited."""
    created = form.instance._state.adding
    record = form.save(commit=False)
    record.pupil = pupil
    if created:
        record.recorded_by = request.user
    record.save()
    form.save_m2m()
    audit.record_view(
        request,
        f"{action}.{'create' if created else 'update'}",
        target=record,
        pupil=str(pupil.pk),
    )
    return record


@transaction.atomic
def record_meeting(*, form, actions, pupil, request):
    meeting = form.save(commit=False)
    meeting.pupil = pupil
    meeting.recorded_by = request.user
    meeting.save()
    form.save_m2m()
    for action in actions:
        action.meeting = meeting
        action.save()
    audit.record_view(
        request, "meeting.create", target=meeting, pupil=str(pupil.pk), actions=len(actions)
    )
    return meeting


@transaction.atomic
def complete_action(*, action, request):
    if action.done_on is None:
        action.done_on, action.done_by = timezone.localdate(), request.user
        action.save(update_fields=["done_on", "done_by"])
        audit.record_view(request, "meeting_action.done", target=action)
    return action
