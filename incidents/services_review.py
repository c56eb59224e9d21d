"""Writes after an incident is logged: amendments, review, restrictive-intervention follow-up,
the DSL's handling of safeguarding concerns, and the school's vocabularies.

Plain functions with keyword-only arguments; each runs in one transaction and writes its audit
row inside it. Nothing here deletes anything.
"""

from django.db import transaction
from django.utils import timezone

from incidents.models import (
    ConcernAction,
    Incident,
    IncidentAmendment,
    IncidentStatus,
    SafeguardingConcern,
    Vocabulary,
)
from incidents.selectors import AMENDABLE_FIELDS, display_value, primary_pupil_id
from semh import audit


@transaction.atomic
def amend_incident(*, incident, form, request) -> IncidentAmendment:
    """Record what the form changes as one amendment and apply it to the incident's current values.

    ``form`` is a valid ``IncidentAmendmentForm`` bound to ``incident`` (so the instance already
    carries the new values); the old values are read back from the database.
    """
    before = Incident.objects.prefetch_related("strategies").get(pk=incident.pk)
    new_strategies = list(form.cleaned_data["strategies"])
    changes = {}
    for name in AMENDABLE_FIELDS:
        old = display_value(before, name)
        new = display_value(incident, name, strategies=new_strategies)
        if old != new:
            changes[name] = {"from": old, "to": new}
        elif name != "strategies":
            # Same as shown: keep the stored value exactly (seconds of a time, say).
            setattr(incident, name, getattr(before, name))
    if not changes:
        raise ValueError("An amendment must change something")  # the form checks this first
    plain = [n for n in changes if n != "strategies"]
    if plain:
        incident.save(update_fields=plain)
    if "strategies" in changes:
        incident.strategies.set(new_strategies)
    amendment = IncidentAmendment.objects.create(
        incident=incident,
        author=request.user,
        reason=form.cleaned_data["reason"],
        changes=changes,
    )
    audit.record_view(
        request,
        "incident.amend",
        target=incident,
        pupil=primary_pupil_id(incident),
        amendment=amendment.pk,
        fields=sorted(changes),
    )
    return amendment


@transaction.atomic
def review_incident(*, incident, notes: str, actions, mark_reviewed: bool, request) -> Incident:
    """Save the reviewer's notes and follow-up actions; mark the incident reviewed if asked."""
    incident.review_notes = notes
    fields = ["review_notes"]
    if mark_reviewed and incident.status != IncidentStatus.REVIEWED:
        incident.status = IncidentStatus.REVIEWED
        incident.reviewed_at = timezone.now()
        incident.reviewed_by = request.user
        fields += ["status", "reviewed_at", "reviewed_by"]
    incident.save(update_fields=fields)
    for action in actions:
        action.incident = incident
        action.created_by = request.user
        action.save()
    audit.record_view(
        request,
        "incident.review",
        target=incident,
        pupil=primary_pupil_id(incident),
        reviewed=incident.status == IncidentStatus.REVIEWED,
        actions=len(actions),
    )
    return incident


def complete_follow_up(*, action, request):
    """Mark a review's follow-up action done (once): by whom and when stay on the action."""
    if action.done_on is None:
        action.done_on = timezone.localdate()
        action.done_by = request.user
        action.save(update_fields=["done_on", "done_by"])
        audit.record_view(
            request,
            "incident.follow_up_done",
            target=action.incident,
            pupil=primary_pupil_id(action.incident),
            follow_up=str(action.pk),
        )
    return action


# Restrictive interventions: the same follow-up whatever the record hangs off (incident or visit).


@transaction.atomic
def record_parent_report(*, intervention, form, request):
    """The statutory report to parents, or the recorded reason it was not made (once)."""
    report = form.save(commit=False)
    report.intervention = intervention
    report.recorded_by = request.user
    report.save()
    audit.record_view(
        request,
        "restrictive.parent_report",
        target=intervention,
        pupil=str(intervention.pupil_id),
        made=report.reported_at is not None,
    )
    return report


@transaction.atomic
def record_debrief(*, intervention, form, request):
    """Debriefs (pupil, staff) and support offered: each filled once, never overwritten."""
    recorded = [name for name, value in form.cleaned_data.items() if value not in (None, "")]
    for name in recorded:
        setattr(intervention, name, form.cleaned_data[name])
    intervention.save(update_fields=recorded)
    audit.record_view(
        request,
        "restrictive.debrief",
        target=intervention,
        pupil=str(intervention.pupil_id),
        fields=sorted(recorded),
    )
    return intervention


@transaction.atomic
def save_statement(*, intervention, form, request):
    """A member of staff's own statement (created or edited by them, and only them)."""
    statement = form.save(commit=False)
    created = statement._state.adding
    statement.intervention = intervention
    statement.author = request.user
    statement.save()
    audit.record_view(
        request,
        f"restrictive.statement_{'create' if created else 'update'}",
        target=intervention,
        pupil=str(intervention.pupil_id),
        statement=statement.pk,
    )
    return statement


# Safeguarding concerns. Their audit rows name the concern only, never the pupil: the pupil's
# access log is open to the SENCo, who must not learn that a concern exists.


@transaction.atomic
def add_concern_action(*, concern, note: str, request) -> ConcernAction:
    action = ConcernAction.objects.create(concern=concern, by=request.user, note=note)
    audit.record_view(request, "concern.action", target=concern, action_id=action.pk)
    return action


@transaction.atomic
def set_concern_status(*, concern, status: str, note: str, request) -> SafeguardingConcern:
    """Close or reopen a concern; the change is kept as an action so the history stays whole."""
    if status == concern.status:
        return concern
    closing = status == SafeguardingConcern.Status.CLOSED
    concern.status = status
    concern.closed_at = timezone.now() if closing else None
    concern.closed_by = request.user if closing else None
    concern.save(update_fields=["status", "closed_at", "closed_by"])
    prefix = "Closed" if closing else "Reopened"
    ConcernAction.objects.create(
        concern=concern, by=request.user, note=f"{prefix}: {note}" if note else prefix
    )
    audit.record_view(request, f"concern.{'close' if closing else 'reopen'}", target=concern)
    return concern


# Vocabularies: added, renamed, reordered, retired and restored; never deleted.


@transaction.atomic
def add_vocabulary_term(*, school, kind: str, label: str, request) -> Vocabulary:
    last = Vocabulary.objects.filter(school=school, kind=kind).order_by("-position").first()
    term = Vocabulary.objects.create(
        school=school, kind=kind, label=label, position=(last.position + 1) if last else 0
    )
    audit.record_view(request, "vocabulary.create", target=term, kind=kind)
    return term


@transaction.atomic
def update_vocabulary_term(*, term, label: str, position: int, request) -> Vocabulary:
    changed = [f for f, v in (("label", label), ("position", position)) if getattr(term, f) != v]
    if changed:
        term.label, term.position = label, position
        term.save(update_fields=changed)
        audit.record_view(request, "vocabulary.update", target=term, fields=changed)
    return term


@transaction.atomic
def set_vocabulary_term_active(*, term, active: bool, request) -> Vocabulary:
    if term.is_active != active:
        term.is_active = active
        term.save(update_fields=["is_active"])
        audit.record_view(request, f"vocabulary.{'restore' if active else 'retire'}", target=term)
    return term
