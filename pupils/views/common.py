"""Helpers every pupils view uses: the pupil in reach of the viewer, and access checks."""

from django.core.exceptions import PermissionDenied

from pupils.models import access_pupil
from semh.access import Capability


def pupil_for(request, pupil_id):
    """The pupil, if the viewer may open it (404 otherwise)."""
    return access_pupil(request.school_access, pupil_id)


def require(request, capability: str):
    """403 when the viewer can see the page's object but may not do this to it."""
    if not request.school_access.can(capability):
        raise PermissionDenied


def can_edit(request) -> bool:
    return request.school_access.can(Capability.EDIT_PUPILS)
