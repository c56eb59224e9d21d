"""Logging an incident: the incident with its pupils, its restraint record and safeguarding
concern, in one transaction; and the drafts kept while someone types."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import Incident, IncidentDraft, IncidentPupil, InterventionKind
from incidents.services.concerns import raise_concern
from incidents.services.restrictive import record_restrictive_intervention
from incidents.signals import incident_recorded
from semh import audit, submissions
from semh.audit import AuditAction

logger = logging.getLogger(__name__)


@transaction.atomic
def record_incident(
    *,
    actor,
    school,
    submission_key,
    primary_pupil,
    other_pupils=(),
    occurred_at,
    category,
    severity,
    behaviour,
    outcome,
    parents_informed,
    location=None,
    period=None,
    trigger=None,
    antecedent="",
    outcome_notes="",
    suspension_days=None,
    suspension_reason=None,
    witnesses="",
    parents_informed_detail="",
    strategies=(),
    staff_involved=(),
    restrictive_intervention: dict | None = None,
    concern: str = "",
    client=None,
    base_url: str = "",
    at=None,
) -> tuple[Incident, bool]:
    """Record a submitted incident with its pupils, its restraint record and its safeguarding
    concern; ``(incident, created)``.

    ``submission_key`` comes from the form: a second submit of the same form by the same person
    (a double tap, a retry after a dropped connection, even at the same moment) returns the first
    incident and creates nothing (``semh.submissions``). ``restrictive_intervention`` holds the
    restraint record's fields (``record_restrictive_intervention``'s, without actor, school,
    kind, pupil and incident); a record that breaks a statutory rule raises ``ValidationError``
    and nothing is saved.
    ``base_url`` (the site's address as the person sees it) starts the link in the DSLs' email;
    ``at`` is when it was submitted (now unless given: demo data).
    """
    submission, first = submissions.claim(school=school, actor=actor, key=submission_key)
    if not first:
        return submissions.made_earlier(submission), False
    incident = Incident.objects.create(
        school=school,
        submission_key=submission_key,
        reported_by=actor,
        submitted_at=at or timezone.now(),
        occurred_at=occurred_at,
        location=location,
        period=period,
        category=category,
        severity=severity,
        trigger=trigger,
        antecedent=antecedent,
        behaviour=behaviour,
        outcome=outcome,
        outcome_notes=outcome_notes,
        suspension_days=suspension_days,
        suspension_reason=suspension_reason,
        witnesses=witnesses,
        parents_informed=parents_informed,
        parents_informed_detail=parents_informed_detail,
    )
    submissions.made(submission, incident)

    other_pupils = [p for p in other_pupils if p != primary_pupil]
    IncidentPupil.objects.bulk_create(
        [IncidentPupil(incident=incident, pupil=primary_pupil, is_primary=True)]
        + [IncidentPupil(incident=incident, pupil=p) for p in other_pupils]
    )
    incident.strategies.set(strategies)
    incident.staff_involved.set(staff_involved)
    audit.record(
        actor=actor,
        action=AuditAction.INCIDENT_CREATE,
        school=school,
        target=incident,
        client=client,
        pupil=str(primary_pupil.pk),
        other_pupils=[str(p.pk) for p in other_pupils],
        restraint=restrictive_intervention is not None,
        safeguarding=bool(concern),
    )
    for other in other_pupils:
        # So each other pupil's access log shows the incident too.
        audit.record(
            actor=actor,
            action=AuditAction.INCIDENT_INVOLVE,
            school=school,
            target=incident,
            client=client,
            pupil=str(other.pk),
        )
    if restrictive_intervention is not None:
        record_restrictive_intervention(
            actor=actor,
            school=school,
            kind=InterventionKind.RESTRAINT,
            pupil=primary_pupil,
            incident=incident,
            client=client,
            **restrictive_intervention,
        )
    if concern:
        raise_concern(
            actor=actor,
            school=school,
            pupil=primary_pupil,
            incident=incident,
            text=concern,
            client=client,
            base_url=base_url,
            at=incident.submitted_at,
        )
    IncidentDraft.objects.filter(key=submission_key, author=actor).delete()
    _announce(incident=incident, pupil=primary_pupil, actor=actor, client=client)
    return incident, True


def _announce(*, incident, pupil, actor, client):
    """Tell other apps (the Reset Area links the visit the pupil is on). A receiver that fails
    must not cost the incident record: its error is logged, the incident is kept."""
    for receiver, outcome in incident_recorded.send_robust(
        sender=Incident, incident=incident, pupil=pupil, actor=actor, client=client
    ):
        if isinstance(outcome, Exception):
            logger.error(
                "incident_recorded receiver %s failed for incident %s",
                getattr(receiver, "__qualname__", receiver),
                incident.pk,
                exc_info=outcome,
            )


# Drafts: what someone has typed so far, theirs alone. Not audited as they type (an autosave
# every few seconds); discarding a stale draft is.


def save_draft(*, actor, school, key, data: dict) -> IncidentDraft | None:
    """Keep what someone has typed so far. ``None`` when the key is not theirs to write to."""
    if Incident.objects.filter(submission_key=key, reported_by=actor).exists():
        return None  # already submitted: a late autosave must not bring the draft back
    with transaction.atomic():
        draft = IncidentDraft.objects.select_for_update().filter(key=key).first()
        if draft is None:
            try:
                with transaction.atomic():
                    return IncidentDraft.objects.create(
                        key=key, school=school, author=actor, data=data
                    )
            except IntegrityError:
                # Another school's key, or this author's own autosave racing: look again.
                draft = IncidentDraft.objects.select_for_update().filter(key=key).first()
                if draft is None:
                    return None
        if draft.author_id != actor.pk:
            return None
        draft.data = data
        draft.save(update_fields=["data", "updated_at"])
        return draft


@transaction.atomic
def discard_draft(*, actor, school, draft) -> None:
    """The author throws their unfinished incident away."""
    if draft.author_id != actor.pk or draft.school_id != school.pk:
        raise PermissionDenied("Only its author discards a draft.")
    draft.delete()


def discard_stale_drafts(*, now=None) -> int:
    """Unfinished incidents nobody has touched for SEMH_INCIDENT_DRAFT_DAYS are discarded, so
    free text about a child does not linger unseen. Until then the author's home page keeps
    asking them to finish or discard each one; every discard is audited (no actor: the system
    does it). Run daily by ``incidents.tasks.discard_stale_incident_drafts``."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SEMH_INCIDENT_DRAFT_DAYS)
    with scopes_disabled():
        stale = list(IncidentDraft.objects.filter(updated_at__lt=cutoff).select_related("school"))
        for draft in stale:
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action=AuditAction.INCIDENT_DRAFT_EXPIRED,
                    school=draft.school,
                    author=str(draft.author_id),
                    last_typed=draft.updated_at.isoformat(),
                )
                draft.delete()
    return len(stale)
