"""Writes to the 'what helps me' profile."""

from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil, PupilProfile
from pupils.services.fields import assign
from semh import audit
from semh.audit import AuditAction

PROFILE_FIELDS = (
    "strategies_that_help",
    "triggers",
    "early_warning_signs",
    "what_does_not_help",
    "communication_preferences",
    "strengths_and_interests",
    "pupil_voice",
    "parent_carer_view",
)


@transaction.atomic
def save_profile(*, actor, school, pupil, client=None, **texts) -> PupilProfile:
    """Write the pupil's profile (``texts``: fields of ``PROFILE_FIELDS``; a field not given is
    left as it is). Saving marks the profile as reviewed today by the ``actor``. The audit names
    the fields that changed, never their text."""
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk, school=school)
    profile = PupilProfile.objects.filter(pupil=pupil).first()
    created = profile is None
    if created:
        profile = PupilProfile(pupil=pupil)
    fields = assign(profile, texts, allowed=PROFILE_FIELDS)
    profile.last_reviewed_on = timezone.localdate()
    profile.last_reviewed_by = actor
    profile.save()
    audit.record(
        actor=actor,
        action=AuditAction.PROFILE_UPDATE,
        school=school,
        target=pupil,
        client=client,
        profile=profile.pk,
        created=created,
        fields=fields,
    )
    return profile
