"""Reads of the core shared by every app."""

from semh.access import SCHOOL_STAFF_ROLES
from semh.models import User


def staff_with_roles(school, roles=SCHOOL_STAFF_ROLES):
    """Active staff holding an active membership of the school in any of ``roles``."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=list(roles),
            memberships__is_active=True,
            is_active=True,
        )
        .distinct()
        .order_by("first_name", "last_name")
    )
