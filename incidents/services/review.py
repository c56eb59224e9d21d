"""The SENCo's review of an incident, and the follow-up actions it hands out."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from incidents.models import FollowUpAction, Incident, IncidentStatus
from incidents.selectors import primary_pupil_id, recording_staff
from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once


@submitted_once
@transaction.atomic
def review_incident(
    *,
    actor,
    school,
    incident,
    notes: str,
    actions=(),
    mark_reviewed: bool,
    client=None,
    at=None,
) -> Incident:
    """Save the reviewer's notes and follow-up actions; mark the incident reviewed if asked.

    ``actions``: ``{"description", "owner", "due_on"}`` mappings, one per new follow-up action
    (the owner one of the school's staff). ``at``: when it was reviewed (now unless given).
    """
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    owners = {a["owner"].pk for a in actions}
    if recording_staff(school).filter(pk__in=owners).count() != len(owners):
        raise ValidationError("A follow-up action's owner must be one of the school's staff.")
    incident.review_notes = notes
    fields = ["review_notes"]
    if mark_reviewed and incident.status != IncidentStatus.REVIEWED:
        incident.status = IncidentStatus.REVIEWED
        incident.reviewed_at = at or timezone.now()
        incident.reviewed_by = actor
        fields += ["status", "reviewed_at", "reviewed_by"]
    incident.save(update_fields=fields)
    FollowUpAction.objects.bulk_create(
        FollowUpAction(
            incident=incident,
            description=a["description"],
            owner=a["owner"],
            due_on=a.get("due_on"),
            created_by=actor,
        )
        for a in actions
    )
    audit.record(
        actor=actor,
        action=AuditAction.INCIDENT_REVIEW,
        school=school,
        target=incident,
        client=client,
        pupil=primary_pupil_id(incident),
        reviewed=incident.status == IncidentStatus.REVIEWED,
        actions=len(actions),
    )
    return incident


@transaction.atomic
def complete_follow_up(*, actor, school, action, client=None) -> FollowUpAction:
    """Mark a review's follow-up action done (once): by whom and when stay on the action."""
    action = FollowUpAction.objects.select_for_update().select_related("incident").get(pk=action.pk)
    if action.done_on is not None:
        return action
    action.done_on = timezone.localdate()
    action.done_by = actor
    action.save(update_fields=["done_on", "done_by"])
    audit.record(
        actor=actor,
        action=AuditAction.INCIDENT_FOLLOW_UP_DONE,
        school=school,
        target=action.incident,
        client=client,
        pupil=primary_pupil_id(action.incident),
        follow_up=str(action.pk),
    )
    return action
