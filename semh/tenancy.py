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

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    @property
    def needs_mfa(self) -> bool:
        return bool(self.roles & MFA_REQUIRED_ROLES)


def resolve_school_access(user, school_slug: str) -> SchoolAccess:
    """The viewer's access to the school named in the URL; 404 when they have none."""
    if not user.is_authenticated:
        raise Http404
    memberships = list(
        Membership.objects.active()
        .filter(user=user, school__slug=school_slug)
        .select_related("school")
    )
    if not memberships:
        raise Http404
    roles = frozenset(m.role for m in memberships)
    return SchoolAccess(
        user=user, school=memberships[0].school, roles=roles, capabilities=capabilities_for(roles)
    )


def schools_of(user):
    if not user.is_authenticated:
        return School.objects.none()
    return School.objects.filter(memberships__user=user, memberships__is_active=True).distinct()
