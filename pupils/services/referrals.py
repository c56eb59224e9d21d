"""Writes of outreach referrals: a school refers a pupil, changes the referral, ends it.

A referral's dates are the access it grants (``Pupil.objects.visible_to``), so every write here
is audited with the dates it leaves in force."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pupils.models import Referral
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once

REFERRAL_FIELDS = ("service", "starts_on", "planned_end_on", "exit_strategy", "plan", "reason")
CHANGEABLE_FIELDS = ("planned_end_on", "exit_strategy", "plan", "reason")


def _check(referral, school):
    if not school.outreach_services.filter(pk=referral.service_id).exists():
        raise ValidationError({"service": "This school does not work with that outreach service."})
    if referral.plan_id and referral.plan.pupil_id != referral.pupil_id:
        raise ValidationError({"plan": "Choose one of this pupil's plans."})
    if referral.planned_end_on < referral.starts_on:
        raise ValidationError({"planned_end_on": "The planned exit cannot be before the start."})
    overlapping = (
        Referral.objects.filter(pupil=referral.pupil_id, service=referral.service_id)
        .exclude(pk=referral.pk)
        .filter(starts_on__lte=referral.planned_end_on, planned_end_on__gte=referral.starts_on)
        .exclude(ended_on__lte=referral.starts_on)
    )
    if overlapping.exists():
        raise ValidationError(
            "The pupil already has a referral to this service for some of these dates: change "
            "that one's planned exit instead."
        )


def _audit(action, *, actor, school, referral, client, **detail):
    audit.record(
        actor=actor,
        action=action,
        school=school,
        target=referral,
        client=client,
        pupil=str(referral.pupil_id),
        service=referral.service_id,
        starts_on=referral.starts_on.isoformat(),
        planned_end_on=referral.planned_end_on.isoformat(),
        ended_on=referral.ended_on.isoformat() if referral.ended_on else None,
        **detail,
    )


@submitted_once
@transaction.atomic
def refer(*, actor, school, pupil, client=None, **details) -> Referral:
    """Refer ``pupil`` to an outreach service (``details``: fields of ``REFERRAL_FIELDS``)."""
    referral = Referral(pupil=pupil, referred_by=actor)
    assign(referral, details, allowed=REFERRAL_FIELDS)
    _check(referral, school)
    referral.save()
    _audit(
        AuditAction.REFERRAL_CREATE, actor=actor, school=school, referral=referral, client=client
    )
    return referral


@transaction.atomic
def change_referral(*, actor, school, referral, client=None, **changes) -> Referral:
    """Move the planned exit (extending or shortening the service's access), or change the plan,
    exit strategy or reason."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk, pupil__school=school)
    if referral.status == "ended":
        raise ValidationError("This referral has ended: refer the pupil again instead.")
    fields = assign(referral, changes, allowed=CHANGEABLE_FIELDS)
    _check(referral, school)
    referral.save()
    _audit(
        AuditAction.REFERRAL_UPDATE,
        actor=actor,
        school=school,
        referral=referral,
        client=client,
        fields=fields,
    )
    return referral


@transaction.atomic
def end_referral(*, actor, school, referral, end_note, client=None) -> Referral:
    """End the referral today: from now on the service's staff cannot open the pupil. What they
    recorded stays in the school's records."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk, pupil__school=school)
    if referral.ended_on is not None:
        raise ValidationError("This referral has already ended.")
    referral.ended_on = timezone.localdate()
    referral.ended_by = actor
    referral.end_note = end_note
    referral.save(update_fields=["ended_on", "ended_by", "end_note"])
    _audit(AuditAction.REFERRAL_END, actor=actor, school=school, referral=referral, client=client)
    return referral
