"""Safeguarding concerns: raised on their own or from an incident, handled by the school's DSL(s).

Their audit rows name the concern only, never the pupil: the pupil's access log is open to the
SENCo, who must not learn that a concern exists. Nothing here deletes anything.
"""

from django.core.mail import send_mass_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from incidents.models import ConcernAction, SafeguardingConcern
from incidents.selectors import school_dsls
from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once


@transaction.atomic
def raise_concern(
    *, actor, school, pupil, incident, text, client=None, base_url="", at=None
) -> SafeguardingConcern:
    """Raise a concern from an incident, about its main pupil; each DSL is emailed once it is
    committed."""
    concern = SafeguardingConcern.objects.create(
        pupil=pupil,
        incident=incident,
        raised_by=actor,
        concern=text,
        raised_at=at or timezone.now(),
    )
    audit.record(
        actor=actor,
        action=AuditAction.CONCERN_CREATE,
        school=school,
        target=concern,
        client=client,
        incident=str(incident.pk),
    )
    _tell_dsls_on_commit(school=school, concern=concern, base_url=base_url)
    return concern


@submitted_once
@transaction.atomic
def raise_concern_alone(
    *, actor, school, pupil, text, noticed_at, immediate_action="", client=None, base_url=""
) -> SafeguardingConcern:
    """A concern raised on its own (a disclosure, something seen or heard), with no incident."""
    concern = SafeguardingConcern.objects.create(
        pupil=pupil,
        raised_by=actor,
        concern=text,
        noticed_at=noticed_at,
        immediate_action=immediate_action,
    )
    audit.record(
        actor=actor,
        action=AuditAction.CONCERN_CREATE,
        school=school,
        target=concern,
        client=client,
    )
    _tell_dsls_on_commit(school=school, concern=concern, base_url=base_url)
    return concern


def _tell_dsls_on_commit(*, school, concern, base_url) -> None:
    """Email each DSL that there is a new concern and who raised it: never the pupil or content."""
    path = reverse(
        "incidents:concern_detail", kwargs={"school_slug": school.slug, "concern_id": concern.pk}
    )
    raised = timezone.localtime(concern.raised_at)
    subject = f"New safeguarding concern · {school.name}"
    body = (
        f"{concern.raised_by.name} raised a new safeguarding concern at {school.name} "
        f"at {raised:%H:%M} on {raised:%d/%m/%Y}.\n\n"
        f"Read it in SEMH Provision: {base_url.rstrip('/')}{path}\n\n"
        "This email does not contain the concern or who it is about; sign in to read it."
    )
    messages = [(subject, body, None, [dsl.email]) for dsl in school_dsls(school)]
    if messages:
        transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=False))


@submitted_once
@transaction.atomic
def add_concern_action(*, actor, school, concern, note: str, client=None) -> ConcernAction:
    """What the DSL did about a concern (appended, never changed)."""
    action = ConcernAction.objects.create(concern=concern, by=actor, note=note)
    audit.record(
        actor=actor,
        action=AuditAction.CONCERN_ACTION,
        school=school,
        target=concern,
        client=client,
        action_id=action.pk,
    )
    return action


@transaction.atomic
def set_concern_status(
    *, actor, school, concern, status: str, note: str = "", client=None
) -> SafeguardingConcern:
    """Close or reopen a concern; the change is kept as an action so the history stays whole."""
    concern = SafeguardingConcern.objects.select_for_update().get(pk=concern.pk)
    if status == concern.status:
        return concern
    closing = status == SafeguardingConcern.Status.CLOSED
    concern.status = status
    concern.closed_at = timezone.now() if closing else None
    concern.closed_by = actor if closing else None
    concern.save(update_fields=["status", "closed_at", "closed_by"])
    prefix = "Closed" if closing else "Reopened"
    ConcernAction.objects.create(
        concern=concern, by=actor, note=f"{prefix}: {note}" if note else prefix
    )
    audit.record(
        actor=actor,
        action=AuditAction.CONCERN_CLOSE if closing else AuditAction.CONCERN_REOPEN,
        school=school,
        target=concern,
        client=client,
    )
    return concern
