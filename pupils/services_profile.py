"""Writes to the 'what helps me' profile: one transaction each, audited inside it."""

from django.db import transaction
from django.utils import timezone

from pupils.models import PupilProfile
from semh import audit


def profile_of(pupil) -> PupilProfile:
    """The pupil's profile, or a new unsaved one to fill in (saved by ``save_profile``)."""
    return PupilProfile.objects.filter(pupil=pupil).first() or PupilProfile(pupil=pupil)


@transaction.atomic
def save_profile(*, form, pupil, request) -> PupilProfile:
    """Save the profile from its form; saving marks it as reviewed today by the editor."""
    created = form.instance._state.adding
    profile = form.save(commit=False)
    profile.pupil = pupil
    profile.last_reviewed_on = timezone.localdate()
    profile.last_reviewed_by = request.user
    profile.save()
    audit.record_view(
        request,
        "profile.update",
        target=pupil,
        profile=profile.pk,
        created=created,
        fields=sorted(form.changed_data),
    )
    return profile
