"""Writes to pupil records: adding, changing, archiving and restoring a pupil."""

from django.db import transaction

from pupils.models import Pupil
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction
from semh.submissions import unique_or_invalid

PUPIL_FIELDS = (
    "upn",
    "legal_first_name",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "gender",
    "year_group",
    "form",
    "sen_status",
    "primary_need",
    "pupil_premium",
    "looked_after",
    "safeguarding_status",
    "on_roll_from",
)


# A pupil's UPN is unique in its school: the form checks it, and a pupil saved with the same UPN
# a moment later (two people adding the same new pupil) meets the same message here.
UPN_TAKEN = "Another pupil in this school already has this UPN."


@transaction.atomic
def add_pupil(*, actor, school, client=None, **details) -> Pupil:
    """A new pupil of ``school`` with ``details`` (fields of ``PUPIL_FIELDS``)."""
    pupil = Pupil(school=school)
    fields = assign(pupil, details, allowed=PUPIL_FIELDS)
    with unique_or_invalid(UPN_TAKEN, field="upn"):
        pupil.save()
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_CREATE,
        school=school,
        target=pupil,
        client=client,
        fields=fields,
    )
    return pupil


@transaction.atomic
def update_pupil(*, actor, school, pupil, client=None, **changes) -> Pupil:
    """Change the pupil's ``changes`` (fields of ``PUPIL_FIELDS``); the audit names the fields
    that changed, never their values."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk, school=school)
    fields = assign(pupil, changes, allowed=PUPIL_FIELDS)
    with unique_or_invalid(UPN_TAKEN, field="upn"):
        pupil.save()
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_UPDATE,
        school=school,
        target=pupil,
        client=client,
        fields=fields,
    )
    return pupil


@transaction.atomic
def archive_pupil(*, actor, school, pupil, left_on, client=None) -> Pupil:
    """Leavers are archived with a leaving date, never deleted."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk, school=school)
    pupil.left_on = left_on
    pupil.save(update_fields=["left_on", "updated_at"])
    audit.record(
        actor=actor,
        action=AuditAction.PUPIL_ARCHIVE,
        school=school,
        target=pupil,
        client=client,
        left_on=left_on.isoformat(),
    )
    return pupil


@transaction.atomic
def restore_pupil(*, actor, school, pupil, client=None) -> Pupil:
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk, school=school)
    pupil.left_on = None
    pupil.save(update_fields=["left_on", "updated_at"])
    audit.record(
        actor=actor, action=AuditAction.PUPIL_RESTORE, school=school, target=pupil, client=client
    )
    return pupil
