"""Writes to the incident log: one transaction each, audited inside it, side effects on commit."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from incidents.models import (
    Incident,
    IncidentDraft,
    IncidentPupil,
    InterventionKind,
    RestrictiveIntervention,
    SafeguardingConcern,
)
from pupils.models import PlanKind, PlanStatus, SupportPlan
from semh import audit
from semh.access import Role
from semh.models import User


@transaction.atomic
def record_incident(
    *,
    school,
    reporter,
    submission_key,
    primary_pupil,
    other_pupils=(),
    details: dict,
    strategies=(),
    staff_involved=(),
    restraint: dict | None = None,
    concern: str = "",
    request,
) -> Incident:
    """Record a submitted incident with its pupils, restraint record and safeguarding concern.

    ``submission_key`` comes from the form: a second submit of the same form (a double tap, a
    retry after a dropped connection, even at the same moment) returns the first incident and
    creates nothing.
    """
    existing = Incident.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                school=school, submission_key=submission_key, reported_by=reporter, **details
            )
    except IntegrityError:
        # The same form was submitted concurrently and that request committed first.
        existing = Incident.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing

    IncidentPupil.objects.bulk_create(
        [IncidentPupil(incident=incident, pupil=primary_pupil, is_primary=True)]
        + [IncidentPupil(incident=incident, pupil=p) for p in other_pupils if p != primary_pupil]
    )
    incident.strategies.set(strategies)
    incident.staff_involved.set(staff_involved)
    pupil_id = str(primary_pupil.pk)
    audit.record_view(
        request,
        "incident.create",
        target=incident,
        pupil=pupil_id,
        other_pupils=[str(p.pk) for p in other_pupils],
        restraint=restraint is not None,
        safeguarding=bool(concern),
    )
    for other in other_pupils:
        # So each other pupil's access log shows the incident too.
        audit.record_view(request, "incident.involve", target=incident, pupil=str(other.pk))
    if restraint is not None:
        _record_restraint(incident=incident, pupil=primary_pupil, data=restraint, request=request)
    if concern:
        _raise_concern(incident=incident, pupil=primary_pupil, text=concern, request=request)
    IncidentDraft.objects.filter(key=submission_key, author=reporter).delete()
    incident_recorded.send(sender=Incident, incident=incident, pupil=primary_pupil, request=request)
    return incident


# Sent once when a new incident is recorded (never for a repeated submit), so that other parts
# of the system (the Reset Area links the visit the pupil went to) react without the incident
# log depending on them.
incident_recorded = Signal()


def active_positive_handling_plan(pupil):
    return (
        SupportPlan.objects.filter(
            pupil=pupil, kind=PlanKind.POSITIVE_HANDLING, status=PlanStatus.ACTIVE
        )
        .order_by("-starts_on", "-cycle")
        .first()
    )


def _record_restraint(*, incident, pupil, data, request) -> RestrictiveIntervention:
    data = dict(data)
    staff, holds = data.pop("staff_involved"), data.pop("holds")
    record = RestrictiveIntervention.objects.create(
        pupil=pupil,
        kind=InterventionKind.RESTRAINT,
        incident=incident,
        positive_handling_plan=active_positive_handling_plan(pupil),
        recorded_by=incident.reported_by,
        **data,
    )
    record.staff_involved.set(staff)
    record.holds.set(holds)
    audit.record_view(
        request,
        "restraint.create",
        target=record,
        pupil=str(pupil.pk),
        incident=str(incident.pk),
        minutes=record.minutes,
        staff=sorted(user.pk for user in staff),
    )
    return record


def _raise_concern(*, incident, pupil, text, request) -> SafeguardingConcern:
    concern = SafeguardingConcern.objects.create(
        incident=incident, raised_by=incident.reported_by, concern=text
    )
    # No pupil id here: the pupil's access log is open to the SENCo, who must not learn of it.
    audit.record_view(request, "concern.create", target=concern, incident=str(incident.pk))
    _tell_dsls_on_commit(concern=concern, request=request)
    return concern


def school_dsls(school):
    return User.objects.filter(
        memberships__school=school,
        memberships__role=Role.DSL,
        memberships__is_active=True,
        is_active=True,
    ).distinct()


def _tell_dsls_on_commit(*, concern, request) -> None:
    """Email each DSL that there is a new concern and who raised it: never the pupil or content."""
    school, raiser = request.school, concern.raised_by
    link = request.build_absolute_uri(_concern_url(school, concern))
    raised = timezone.localtime(concern.raised_at)
    subject = f"New safeguarding concern · {school.name}"
    body = (
        f"{raiser.name} raised a new safeguarding concern at {school.name} "
        f"at {raised:%H:%M} on {raised:%d/%m/%Y}.\n\n"
        f"Read it in SEMH Provision: {link}\n\n"
        "This email does not contain the concern or who it is about; sign in to read it."
    )
    messages = [(subject, body, None, [dsl.email]) for dsl in school_dsls(school)]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


def _concern_url(school, concern) -> str:
    return reverse(
        "incidents:concern_detail", kwargs={"school_slug": school.slug, "concern_id": concern.pk}
    )


def discard_stale_drafts(*, now=None) -> int:
    """Unfinished incidents nobody has touched for SEMH_INCIDENT_DRAFT_DAYS are discarded, so
    free text about a child does not linger unseen. Until then the author's home page keeps
    asking them to finish or discard each one; every discard is audited."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SEMH_INCIDENT_DRAFT_DAYS)
    with scopes_disabled():
        stale = list(IncidentDraft.objects.filter(updated_at__lt=cutoff).select_related("school"))
        for draft in stale:
            with transaction.atomic():
                audit.record(
                    actor=None,
                    action="incident.draft_expired",
                    school=draft.school,
                    author=str(draft.author_id),
                    last_typed=draft.updated_at.isoformat(),
                )
                draft.delete()
    return len(stale)


def save_draft(*, school, author, key, data: dict) -> IncidentDraft | None:
    """Keep what someone has typed so far. ``None`` when the key is not theirs to write to."""
    if Incident.objects.filter(submission_key=key).exists():
        return None  # already submitted: a late autosave must not bring the draft back
    draft = IncidentDraft.objects.filter(key=key).first()
    if draft is None:
        try:
            with transaction.atomic():
                return IncidentDraft.objects.create(
                    key=key, school=school, author=author, data=data
                )
        except IntegrityError:
            # Another school's key, or this author's own autosave racing: look again in scope.
            draft = IncidentDraft.objects.filter(key=key).first()
            if draft is None:
                return None
    if draft.author_id != author.pk:
        return None
    draft.data = data
    draft.save(update_fields=["data", "updated_at"])
    return draft


def discard_draft(*, draft) -> None:
    draft.delete()
