"""Resolving the school of a request and the viewer's roles in it (scoping layer 1)."""

from dataclasses import dataclass, field

from django.http import Http404

from semh.access import MFA_REQUIRED_ROLES, capabilities_for
from semh.models import Membership, School


@dataclass(frozen=True)
class SchoolAccess:
    """What one viewer may do in one school, worked out once per request."""

    user: object
    school: School
    roles: frozenset[str]
    capabilities: frozenset[str] = field(default=frozenset())
    # MFA is a property of the person: a senior role in any school asks for it in every school.
    needs_mfa: bool = False

    def can(self, capability: str) -> bool:
        return capability in self.capabilities


def resolve_school_access(user, school_slug: str) -> SchoolAccess:
    """The viewer's access to the school named in the URL; 404 when they have none."""
    if not user.is_authenticated:
        raise Http404
    everywhere = list(Membership.objects.active().filter(user=user).select_related("school"))
    memberships = [m for m in everywhere if m.school.slug == school_slug]
    if not memberships:
        raise Http404
    roles = frozenset(m.role for m in memberships)
    return SchoolAccess(
        user=user,
        school=memberships[0].school,
        roles=roles,
        capabilities=capabilities_for(roles),
        needs_mfa=any(m.role in MFA_REQUIRED_ROLES for m in everywhere),
    )


def schools_of(user):
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__is_active=True).distinct()
