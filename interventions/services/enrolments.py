"""Writes of enrolments: a pupil joins a group (ENROL), and later their consent, provision review
and exit are recorded (ENROLMENT_UPDATE).

Consent: sessions held before parents' or carers' consent was given stay on the register but do
not count towards attendance or the figures (``SessionAttendance.objects.counted()``, the one
home of that rule). Consent "given" needs the day it was given; any other answer clears that day.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from semh import audit
from semh.audit import AuditAction
from semh.submissions import submitted_once, unique_or_invalid

from ..models import Consent, Enrolment

ALREADY_IN = "This pupil is already in the group (their enrolment has not ended)."
UPDATE_FIELDS = (
    "starts_on",
    "reason",
    "consent",
    "consent_given_on",
    "review_score",
    "review_decision",
    "reviewed_on",
    "ends_on",
    "exit_outcome",
)


def _consent_errors(values) -> dict:
    consent = values.get("consent")
    if consent == Consent.GIVEN and not values.get("consent_given_on"):
        return {"consent_given_on": ["Enter the date consent was given."]}
    return {}


def _dates_errors(group, starts_on, ends_on) -> dict:
    last = group.ended_on or group.planned_end_on
    errors = {}
    if starts_on < group.starts_on or starts_on > last:
        errors["starts_on"] = [
            f"The group runs from {group.starts_on:%d/%m/%Y} to {last:%d/%m/%Y}: "
            "start within those dates."
        ]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = ["It must end on or after the day it starts."]
    return errors


@submitted_once
@transaction.atomic
def enrol_pupil(
    *,
    actor,
    school,
    group,
    pupil,
    starts_on,
    reason,
    target=None,
    consent=Consent.NOT_REQUESTED,
    consent_given_on=None,
    client=None,
) -> Enrolment:
    """Put a pupil of the school into a group from ``starts_on``, for ``reason`` (and the plan
    target it serves, which must be the same pupil's). Refused for a pupil already in the group,
    a pupil of another school, or a start outside the group's run."""
    if pupil.school_id != school.pk or group.school_id != school.pk:
        raise ValidationError({"pupil": ["Choose a pupil of this school."]})
    errors = {
        **_dates_errors(group, starts_on, None),
        **_consent_errors({"consent": consent, "consent_given_on": consent_given_on}),
    }
    if target is not None and target.plan.pupil_id != pupil.pk:
        errors["target"] = ["That target is on another pupil's plan."]
    if Enrolment.objects.filter(group=group, pupil=pupil, ends_on__isnull=True).exists():
        errors["pupil"] = [ALREADY_IN]
    if errors:
        raise ValidationError(errors)
    with unique_or_invalid(ALREADY_IN, field="pupil"):
        enrolment = Enrolment.objects.create(
            group=group,
            pupil=pupil,
            starts_on=starts_on,
            reason=reason,
            target=target,
            consent=consent,
            consent_given_on=consent_given_on if consent == Consent.GIVEN else None,
            created_by=actor,
        )
    audit.record(
        actor=actor,
        action=AuditAction.ENROL,
        school=school,
        target=enrolment,
        client=client,
        pupil=str(pupil.pk),
        group=str(group.pk),
    )
    return enrolment


@transaction.atomic
def update_enrolment(*, actor, school, enrolment, client=None, **values) -> Enrolment:
    """Record consent, the provision review (score −2…+2, decision, date) or the exit (end date,
    outcome); ``values``: any of ``UPDATE_FIELDS``. Consent other than "given" clears its date."""
    unknown = set(values) - set(UPDATE_FIELDS)
    if unknown:
        raise TypeError(f"update_enrolment does not change {sorted(unknown)}")
    # Compare with the row as saved (a form may already have changed the instance passed in).
    saved = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    merged = {name: getattr(saved, name) for name in UPDATE_FIELDS} | values
    errors = {
        **_dates_errors(enrolment.group, merged["starts_on"], merged["ends_on"]),
        **_consent_errors(merged),
    }
    if merged["review_score"] is not None and not merged["reviewed_on"]:
        errors["reviewed_on"] = ["Enter the date of the review."]
    if errors:
        raise ValidationError(errors)
    if merged["consent"] != Consent.GIVEN:
        merged["consent_given_on"] = None
    changed = [name for name in UPDATE_FIELDS if getattr(saved, name) != merged[name]]
    for name in UPDATE_FIELDS:
        setattr(enrolment, name, merged[name])
    if changed:
        with unique_or_invalid(ALREADY_IN, field="ends_on"):
            enrolment.save(update_fields=changed)
    audit.record(
        actor=actor,
        action=AuditAction.ENROLMENT_UPDATE,
        school=school,
        target=enrolment,
        client=client,
        pupil=str(enrolment.pupil_id),
        changed=changed,
    )
    return enrolment
